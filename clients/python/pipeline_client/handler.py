"""``logging.Handler`` for synchronous code: records become events, sent by a client on its own thread."""
from __future__ import annotations

import asyncio
import logging
import threading
import traceback
from typing import Any, Dict, Optional

from .buffer import BufferFull, ClientClosed
from .client import Counters, PipelineClient
from .context import current_trace

# Attributes every LogRecord has; anything else on a record came from extra= (or a filter) and is an attribute.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# Fields the handler sets itself; an extra= of the same name is kept as extra_<name> instead.
_OWN_FIELDS = frozenset({"ts", "level", "msg", "logger", "exception", "stack_info", "source", "seq"})


def level_name(levelno: int) -> str:
    """Python's levels (and any number between them) as the service's five."""
    if levelno >= logging.CRITICAL:
        return "CRITICAL"
    if levelno >= logging.ERROR:
        return "ERROR"
    if levelno >= logging.WARNING:
        return "WARNING"
    if levelno >= logging.INFO:
        return "INFO"
    return "DEBUG"


def exception_fields(exc_info: Any) -> Dict[str, str]:
    kind, value, tb = exc_info
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return {"type": name, "message": str(value), "stack": "".join(traceback.format_exception(kind, value, tb))}


class PipelineHandler(logging.Handler):
    """Sends log records to Pipeline with acknowledged delivery.

    Each record becomes one event: ``ts`` (epoch ms), ``level``, ``msg`` (``record.getMessage()``),
    ``logger``, ``source`` (file, line, function), every ``extra=`` field as an attribute, ``exception``
    (type, message, stack) when there is one, ``trace_id``/``span_id`` from the enclosing
    :func:`pipeline_client.trace`. A :class:`PipelineClient` on a thread of its own sends them; its
    keyword options (``overflow``, ``max_buffered``, ``spill_dir``, …) are accepted here.

    With ``overflow="block"`` a full buffer makes the logging call wait (up to ``block_timeout``, then the
    record is counted in ``refused``); with ``drop_oldest`` logging never waits.
    ``flush()`` and ``close()`` wait for acks up to ``flush_timeout`` / ``close_timeout``; ``close`` runs
    at interpreter exit through ``logging.shutdown``.
    """

    def __init__(self, url: str, robot_id: str, *, level: int = logging.NOTSET, flush_timeout: float = 5.0,
                 close_timeout: float = 10.0, **client_options: Any) -> None:
        super().__init__(level)
        self.flush_timeout = flush_timeout
        self.close_timeout = close_timeout
        self.refused = 0
        self.client = PipelineClient(url, robot_id, **client_options)
        self._loop = asyncio.new_event_loop()
        self._closed = False
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run_loop, args=(ready,), name="pipeline-log-handler",
                                        daemon=True)
        self._thread.start()
        ready.wait()
        asyncio.run_coroutine_threadsafe(self.client.start(), self._loop).result()

    @property
    def counters(self) -> Counters:
        return self.client.counters

    def _run_loop(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._thread_id = threading.get_ident()
        ready.set()
        self._loop.run_forever()

    def to_event(self, record: logging.LogRecord) -> Dict[str, Any]:
        """The event for ``record`` (runs on the logging thread, so the trace context is the caller's)."""
        event: Dict[str, Any] = {
            "ts": int(record.created * 1000),
            "level": level_name(record.levelno),
            "msg": record.getMessage(),
            "logger": record.name,
            "source": {"file": record.pathname, "line": record.lineno, "function": record.funcName},
        }
        context = current_trace()
        if context is not None:
            event["trace_id"] = context.trace_id
            if context.span_id is not None:
                event["span_id"] = context.span_id
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRS or key.startswith("_"):
                continue
            event["extra_" + key if key in _OWN_FIELDS else key] = value
        if record.exc_info and record.exc_info[0] is not None:
            event["exception"] = exception_fields(record.exc_info)
        if record.stack_info:
            event["stack_info"] = record.stack_info
        return event

    def emit(self, record: logging.LogRecord) -> None:
        if threading.get_ident() == getattr(self, "_thread_id", None):
            return  # the client's own logging (websockets, asyncio): sending it would feed itself
        try:
            self.client.send(self.to_event(record))
        except BufferFull:
            self.refused += 1
        except ClientClosed:
            self.refused += 1
        except Exception:
            self.handleError(record)

    def flush(self, timeout: Optional[float] = None) -> bool:  # type: ignore[override]
        """Waits until every record so far is acknowledged; False after ``timeout`` (default flush_timeout)."""
        if self._closed or threading.get_ident() == getattr(self, "_thread_id", None):
            return False
        timeout = self.flush_timeout if timeout is None else timeout
        future = asyncio.run_coroutine_threadsafe(self.client.flush(timeout), self._loop)
        return future.result()

    def close(self, timeout: Optional[float] = None) -> bool:  # type: ignore[override]
        """Flushes up to ``timeout`` (default close_timeout), closes the connection and stops the thread."""
        ok = False
        self.acquire()
        try:
            if not self._closed:
                self._closed = True
                timeout = self.close_timeout if timeout is None else timeout
                try:
                    ok = asyncio.run_coroutine_threadsafe(self.client.close(timeout), self._loop).result()
                finally:
                    self._loop.call_soon_threadsafe(self._loop.stop)
                    self._thread.join()
                    self._loop.close()
        finally:
            self.release()
        super().close()
        return ok
