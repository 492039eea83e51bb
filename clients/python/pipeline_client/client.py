"""The asyncio client: numbers events, keeps them until acknowledged, reconnects and re-sends."""
from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from typing import Any, Mapping, NamedTuple, Optional

from .buffer import BufferFull, ClientClosed, EventBuffer
from .options import ClientOptions
from .protocol import ProtocolError, ack_seq, encode_body, error_of, hello, parse_server_message
from .spill import DiskSpill
from .transport import ConnectionLost, Transport, open_transport

_log = logging.getLogger("pipeline_client")


class Counters(NamedTuple):
    sent: int
    """Events written to a connection, re-sends included."""
    acked: int
    """Events an ack covered (the buffer let go of them)."""
    dropped: int
    """Events forgotten unacknowledged by ``drop_oldest``."""
    resent: int
    """Events written again after a reconnect (part of ``sent``)."""
    reconnects: int
    """Sessions opened after the first one."""
    spilled: int
    """Events that went to the disk spill."""
    pending: int
    """Events given and neither acknowledged nor dropped yet."""
    acked_seq: int
    last_seq: int


class PipelineClient:
    """Acknowledged delivery of events to Pipeline (docs/acks.md) from an asyncio program.

    ``await start()`` and the client connects in the background (the service may be down: events wait
    in the buffer). ``send(event)`` numbers the event and buffers it; a background task sends, reads
    acks, frees the buffer, and on any disconnect reconnects with jittered exponential backoff and
    sends again every event not acknowledged. ``flush``/``close`` wait for acks up to a deadline.

    ``send`` may be called from any thread; from other threads it blocks while the buffer is full
    (policy ``block``); on the event loop it cannot, and raises BufferFull — use ``send_async`` there.
    """

    def __init__(self, url: Optional[str] = None, robot_id: Optional[str] = None, *,
                 options: Optional[ClientOptions] = None, **kwargs: Any) -> None:
        if options is None:
            options = ClientOptions(url=url, robot_id=robot_id, **kwargs)  # type: ignore[arg-type]
        elif url is not None or robot_id is not None or kwargs:
            raise TypeError("pass either options= or the options as arguments, not both")
        self.options = options
        spill = None
        if options.spill_dir is not None:
            spill = DiskSpill(options.spill_dir, options.max_spill_bytes, name=options.boot_id)
        self._buffer = EventBuffer(max_events=options.max_buffered, max_bytes=options.max_buffered_bytes,
                                   policy=options.overflow, spill=spill)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._loop_thread: Optional[int] = None
        self._task: Optional[asyncio.Task] = None
        self._transport: Optional[Transport] = None
        self._data: Optional[asyncio.Event] = None  # the writer waits on it for new events
        self._writer_idle = False
        self._progress: Optional[asyncio.Event] = None  # replaced after each ack: flush and send_async wait on it
        self._closing: Optional[asyncio.Event] = None
        self._connected = False
        self._change: Optional[asyncio.Event] = None  # set at the next change of the counters or the connection
        self._established = False
        self._reconnects = 0
        self._sessions = 0
        self.last_error: Optional[BaseException] = None

    @property
    def boot_id(self) -> str:
        return self.options.boot_id

    @property
    def connected(self) -> bool:
        """A session is open: the server answered the hello with its resume ack."""
        return self._connected

    @property
    def counters(self) -> Counters:
        b = self._buffer
        return Counters(sent=b.sent, acked=b.acked, dropped=b.dropped, resent=b.resent,
                        reconnects=self._reconnects, spilled=b.spilled, pending=b.pending,
                        acked_seq=b.acked_seq, last_seq=b.last_seq)

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the client is started already")
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._data = asyncio.Event()
        self._progress = asyncio.Event()
        self._closing = asyncio.Event()
        if self._buffer.has_unsent():
            self._data.set()
        self._task = asyncio.create_task(self._run(), name=f"pipeline-client {self.options.robot_id}")

    # ---- events in ---------------------------------------------------------------------------

    def send(self, event: Mapping[str, Any]) -> int:
        """Buffers ``event`` (a dict of JSON values) and returns its seq. See the class for when it waits."""
        body = encode_body(event)
        on_loop = self._loop_thread == threading.get_ident()
        seq = self._buffer.put(body, block=not on_loop, timeout=self.options.block_timeout)
        self._wake(on_loop)
        return seq

    async def send_async(self, event: Mapping[str, Any]) -> int:
        """As ``send``; with ``block`` waits (without blocking the loop) while the buffer is full."""
        body = encode_body(event)
        deadline = None if self.options.block_timeout is None else time.monotonic() + self.options.block_timeout
        while True:
            progress = self._progress
            try:
                seq = self._buffer.put(body, block=False)
                break
            except BufferFull:
                if progress is None:
                    raise
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise
                try:
                    await asyncio.wait_for(progress.wait(), remaining)
                except asyncio.TimeoutError:
                    raise BufferFull("the buffer stayed full for block_timeout") from None
        self._wake(True)
        return seq

    def _wake(self, on_loop: bool) -> None:
        if not self._writer_idle or self._data is None:
            return
        self._writer_idle = False
        if on_loop:
            self._data.set()
        else:
            assert self._loop is not None
            try:
                self._loop.call_soon_threadsafe(self._data.set)
            except RuntimeError:
                pass  # the loop is closed: close() ran, nothing will send

    # ---- flush and close ---------------------------------------------------------------------

    async def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until every event given so far is acknowledged (or dropped); False when ``timeout`` ran out."""
        target = self._buffer.last_seq
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._buffer.first_seq <= target:
            progress = self._progress
            if progress is None:
                return False  # never started
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            try:
                await asyncio.wait_for(progress.wait(), remaining)
            except asyncio.TimeoutError:
                return False
        return True

    async def close(self, timeout: Optional[float] = 10.0) -> bool:
        """Flushes up to ``timeout``, then closes the connection; returns whether everything was acked.

        What is still unacknowledged after that is gone (and the disk spill with it).
        """
        ok = await self.flush(timeout)
        self._buffer.close()
        if self._closing is not None:
            self._closing.set()
        if self._data is not None:
            self._data.set()
        transport = self._transport
        if transport is not None:
            try:
                await asyncio.wait_for(transport.close(), 2)
            except (asyncio.TimeoutError, OSError, ConnectionLost):
                transport.abort()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        return ok

    def abort_connection(self) -> None:
        """Drops the current connection at once (as a network failure would); the client reconnects and
        sends again everything not acknowledged."""
        transport = self._transport
        if transport is not None:
            self._connected = False
            transport.abort()

    def _next_change(self) -> asyncio.Event:
        """An event set at the next ack, connect, disconnect or error (on the client's loop): whoever waits for a
        state of the client (its tests) waits on it instead of polling."""
        if self._change is None:
            self._change = asyncio.Event()
        return self._change

    def _changed(self) -> None:
        change, self._change = self._change, None
        if change is not None:
            change.set()

    # ---- the session loop --------------------------------------------------------------------

    async def _run(self) -> None:
        assert self._closing is not None
        cap = self.options.backoff_min
        while not self._closing.is_set():
            self._established = False
            try:
                await self._session()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # every failure (refused, reset, timeout, handshake, protocol): reconnect
                if self._closing.is_set():
                    break
                refused_again = isinstance(e, ProtocolError) and isinstance(self.last_error, ProtocolError) \
                    and e.code == self.last_error.code
                self.last_error = e
                self._changed()
                if self._established:
                    _log.warning("pipeline_client %s: connection lost (%r); reconnecting", self.options.robot_id, e)
                elif isinstance(e, ProtocolError) and not refused_again:
                    # The service is up but will not take acknowledged events (acks_unavailable, bad_hello):
                    # said once per kind of refusal; the client keeps trying, it may be reconfigured.
                    _log.warning("pipeline_client %s: %s; retrying", self.options.robot_id, e)
                else:
                    _log.debug("pipeline_client %s: connect failed (%r)", self.options.robot_id, e)
            if self._closing.is_set():
                break
            if self._established:
                cap = self.options.backoff_min
            # Full jitter: robots that lost the same server do not come back in step.
            delay = random.uniform(self.options.backoff_min, cap)
            cap = min(self.options.backoff_max, cap * 2)
            try:
                await asyncio.wait_for(self._closing.wait(), delay)
            except asyncio.TimeoutError:
                pass

    async def _session(self) -> None:
        o = self.options
        transport = await open_transport(o.url, o.token, o.ssl, o.connect_timeout)
        self._transport = transport
        reader = writer = None
        try:
            await transport.send_lines([hello(o.robot_id, o.boot_id, o.token)])
            resume = await asyncio.wait_for(self._read_resume(transport), o.connect_timeout)
            self._on_ack(resume)
            self._buffer.rewind()
            if self._sessions > 0:
                self._reconnects += 1
            self._sessions += 1
            self._connected = True
            self._established = True
            self._changed()
            reader = asyncio.create_task(self._read_loop(transport))
            writer = asyncio.create_task(self._write_loop(transport))
            done, _ = await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # raises what ended the session
            raise ConnectionLost("session ended")
        finally:
            self._connected = False
            self._transport = None
            self._changed()
            for task in (reader, writer):
                if task is not None and not task.done():
                    task.cancel()
            for task in (reader, writer):
                if task is not None:
                    try:
                        await task
                    except BaseException:
                        pass
            transport.abort()

    async def _read_resume(self, transport: Transport) -> int:
        while True:
            for line in await transport.receive():
                message = parse_server_message(line)
                if message is None:
                    continue
                seq = ack_seq(message, self.options.boot_id)
                if seq is not None:
                    return seq
                error = error_of(message)
                if error is not None:
                    raise error

    async def _read_loop(self, transport: Transport) -> None:
        boot_id = self.options.boot_id
        while True:
            for line in await transport.receive():
                message = parse_server_message(line)
                if message is None:
                    continue
                seq = ack_seq(message, boot_id)
                if seq is not None:
                    self._on_ack(seq)
                    continue
                error = error_of(message)
                if error is not None:
                    raise error
                # heartbeat, command, and types this client does not know: ignored (docs/acks.md §5)

    async def _write_loop(self, transport: Transport) -> None:
        assert self._data is not None
        buffer, batch, data = self._buffer, self.options.batch_size, self._data
        while True:
            _, lines = buffer.take(batch)
            if lines:
                await transport.send_lines(lines)
                continue
            data.clear()
            self._writer_idle = True
            if buffer.has_unsent() or self._closing.is_set():
                self._writer_idle = False
                if self._closing.is_set():
                    return
                continue
            await data.wait()

    def _on_ack(self, seq: int) -> None:
        if self._buffer.ack(seq) and self._data is not None:
            self._data.set()  # the spill may have refilled memory with events to send
        progress, self._progress = self._progress, asyncio.Event()
        if progress is not None:
            progress.set()
        self._changed()
