"""``trace_id``/``span_id`` for the current thread or asyncio task, from a context manager."""
from __future__ import annotations

import contextvars
import secrets
from contextlib import contextmanager
from typing import Iterator, NamedTuple, Optional


class TraceContext(NamedTuple):
    trace_id: str
    span_id: Optional[str]


_current: contextvars.ContextVar[Optional[TraceContext]] = contextvars.ContextVar("pipeline_trace", default=None)


def new_trace_id() -> str:
    """32 lowercase hex characters, as W3C trace context writes them."""
    return secrets.token_hex(16)


def new_span_id() -> str:
    """16 lowercase hex characters."""
    return secrets.token_hex(8)


@contextmanager
def trace(trace_id: Optional[str] = None, span_id: Optional[str] = None) -> Iterator[TraceContext]:
    """Every record logged inside carries this ``trace_id`` and ``span_id``.

    Without a ``trace_id`` the enclosing trace's is kept (a new one outside any trace); without a
    ``span_id`` a new span is made. Based on ``contextvars``, so each thread and each asyncio task sees
    its own, and a task started inside inherits it.
    """
    outer = _current.get()
    if trace_id is None:
        trace_id = outer.trace_id if outer is not None else new_trace_id()
    context = TraceContext(trace_id, span_id if span_id is not None else new_span_id())
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def current_trace() -> Optional[TraceContext]:
    """The innermost ``trace(...)`` around the caller, or None."""
    return _current.get()
