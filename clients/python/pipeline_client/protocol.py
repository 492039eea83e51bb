"""The ack wire protocol (docs/acks.md): the hello, event lines with ``seq`` first, and what the server says."""
from __future__ import annotations

import json
from typing import Any, Mapping, Optional

# Compact separators and ASCII output: the line is as short as json gets and its str length is its byte
# length, so the buffer can count bytes without encoding twice.
_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, default=str)
_encode = _encoder.encode


class ProtocolError(Exception):
    """The server said something the protocol does not allow, or refused the hello."""

    def __init__(self, message: str, *, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code


def hello(robot_id: str, boot_id: str, token: Optional[str]) -> str:
    message: dict[str, Any] = {"type": "hello", "robot_id": robot_id, "boot_id": boot_id, "acks": True}
    if token is not None:
        message["token"] = token
    return _encode(message)


def encode_body(event: Mapping[str, Any]) -> str:
    """The event as JSON without its opening brace (``"ts":…}``), ready to follow ``{"seq":N,``.

    A ``seq`` the caller put in the event is left out: the client numbers events itself.
    """
    if "seq" in event:
        event = {k: v for k, v in event.items() if k != "seq"}
    text = _encode(event)
    if text[0] != "{":
        raise TypeError(f"an event is a JSON object (a dict), not {type(event).__name__}")
    return text[1:]


def event_line(seq: int, body: str) -> str:
    """``{"seq":N,…}`` — seq first, where the server reads it without parsing the line."""
    if body == "}":
        return '{"seq":%d}' % seq
    return '{"seq":%d,%s' % (seq, body)


def parse_server_message(text: str) -> Optional[dict[str, Any]]:
    """One line from the server as a dict, or None for anything that is not a JSON object."""
    try:
        message = json.loads(text)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def ack_seq(message: Mapping[str, Any], boot_id: str) -> Optional[int]:
    """The cumulative seq of an ack for this boot, None when the message is not one."""
    if message.get("type") != "ack" or message.get("boot_id") != boot_id:
        return None
    seq = message.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        return None
    return seq


def error_of(message: Mapping[str, Any]) -> Optional[ProtocolError]:
    if message.get("type") != "error":
        return None
    code = message.get("error")
    return ProtocolError(f"server refused the session: {code}: {message.get('message', '')}",
                         code=code if isinstance(code, str) else None)
