"""The client's options: a snapshot taken and validated when the client is made."""
from __future__ import annotations

import ssl as _ssl
import uuid
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlsplit

from .buffer import BLOCK, DROP_OLDEST


@dataclass(frozen=True)
class ClientOptions:
    url: str
    """``ws://host:5080`` (``/ingest`` is added), ``wss://…``, ``tcp://host:5140`` or ``tcps://…``."""
    robot_id: str
    boot_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    """New for every process: sequence numbers count within one boot."""
    token: Optional[str] = None
    max_buffered: int = 100_000
    """Events kept in memory until acknowledged. The service acks after each fsync (about once a
    second), so this bounds the rate too: keep it above a second's worth of events."""
    max_buffered_bytes: int = 64 << 20
    overflow: str = BLOCK
    """``block``: the caller waits for room (``send`` from the event loop raises BufferFull instead);
    ``drop_oldest``: the oldest unacknowledged event is forgotten and counted in ``dropped``."""
    block_timeout: Optional[float] = None
    """With ``block``, how long a caller waits for room before BufferFull (None: as long as it takes)."""
    spill_dir: Optional[str] = None
    """Where events go when memory is full (deleted on close); the policy applies when it is full too."""
    max_spill_bytes: int = 1 << 30
    backoff_min: float = 0.1
    backoff_max: float = 10.0
    """Reconnects wait a random time in [backoff_min, d] where d doubles per failure up to this."""
    batch_size: int = 1000
    """Events per WebSocket message / TCP write."""
    connect_timeout: float = 10.0
    """For the TCP/WebSocket connect and for the server's resume ack after the hello."""
    ssl: Optional[_ssl.SSLContext] = None

    def __post_init__(self) -> None:
        scheme = urlsplit(self.url).scheme
        if scheme not in ("ws", "wss", "tcp", "tcps"):
            raise ValueError(f"url: must be ws://, wss://, tcp:// or tcps:// (got {self.url!r})")
        if not self.robot_id:
            raise ValueError("robot_id: required, acks are per robot")
        if not self.boot_id or len(self.boot_id) > 128:
            raise ValueError(f"boot_id: 1 to 128 characters (got {len(self.boot_id)})")
        if self.max_buffered < 1:
            raise ValueError(f"max_buffered: must be at least 1 (got {self.max_buffered}); the buffer is never unbounded")
        if self.max_buffered_bytes < 1:
            raise ValueError(f"max_buffered_bytes: must be at least 1 (got {self.max_buffered_bytes})")
        if self.overflow not in (BLOCK, DROP_OLDEST):
            raise ValueError(f"overflow: 'block' or 'drop_oldest' (got {self.overflow!r})")
        if self.block_timeout is not None and self.block_timeout < 0:
            raise ValueError(f"block_timeout: must be >= 0 or None (got {self.block_timeout})")
        if self.max_spill_bytes < 1:
            raise ValueError(f"max_spill_bytes: must be at least 1 (got {self.max_spill_bytes})")
        if not 0 < self.backoff_min <= self.backoff_max:
            raise ValueError(f"backoff_min, backoff_max: need 0 < min <= max (got {self.backoff_min}, {self.backoff_max})")
        if self.batch_size < 1:
            raise ValueError(f"batch_size: must be at least 1 (got {self.batch_size})")
        if self.connect_timeout <= 0:
            raise ValueError(f"connect_timeout: must be > 0 (got {self.connect_timeout})")
