"""Acknowledged delivery of logs and events from Python robots and services to Pipeline.

- :class:`PipelineClient` — asyncio client for raw events (``await start()``, ``send``, ``flush``, ``close``).
- :class:`PipelineHandler` — ``logging.Handler`` for synchronous code.
- :func:`trace` — ``with trace(trace_id=…, span_id=…):`` puts the ids on every record logged inside.
"""
from .buffer import BLOCK, DROP_OLDEST, BufferFull, ClientClosed
from .client import Counters, PipelineClient
from .context import TraceContext, current_trace, new_span_id, new_trace_id, trace
from .handler import PipelineHandler
from .options import ClientOptions
from .protocol import ProtocolError

__all__ = [
    "BLOCK", "DROP_OLDEST", "BufferFull", "ClientClosed", "ClientOptions", "Counters", "PipelineClient",
    "PipelineHandler", "ProtocolError", "TraceContext", "current_trace", "new_span_id", "new_trace_id", "trace",
]
