"""One connection to the service: WebSocket (``websockets``) or TCP (standard library only)."""
from __future__ import annotations

import asyncio
import ssl as _ssl
from typing import List, Optional
from urllib.parse import urlsplit, urlunsplit


class ConnectionLost(Exception):
    """The connection ended (closed by either side, or failed)."""


class Transport:
    """Lines out (several per write), lines in. Subclasses own the socket."""

    async def send_lines(self, lines: List[str]) -> None:
        raise NotImplementedError

    async def receive(self) -> List[str]:
        """The next lines from the server; raises ConnectionLost at the end."""
        raise NotImplementedError

    def abort(self) -> None:
        """Drops the connection at once, without a close handshake (as a network failure would)."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class TcpTransport(Transport):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def connect(cls, host: str, port: int, ssl: Optional[_ssl.SSLContext], timeout: float) -> "TcpTransport":
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=ssl, limit=1 << 20), timeout)
        return cls(reader, writer)

    async def send_lines(self, lines: List[str]) -> None:
        self._writer.write(("\n".join(lines) + "\n").encode("utf-8"))
        await self._writer.drain()

    async def receive(self) -> List[str]:
        try:
            line = await self._reader.readline()
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            raise ConnectionLost(f"tcp: {e!r}") from e
        if not line.endswith(b"\n"):
            raise ConnectionLost("tcp: closed by the server")
        return [line.decode("utf-8", "replace").rstrip("\r\n")]

    def abort(self) -> None:
        self._writer.transport.abort()

    async def close(self) -> None:
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except OSError:
            pass


class WebSocketTransport(Transport):
    def __init__(self, socket) -> None:  # websockets.WebSocketClientProtocol
        self._socket = socket

    @classmethod
    async def connect(cls, url: str, token: Optional[str], ssl: Optional[_ssl.SSLContext],
                      timeout: float) -> "WebSocketTransport":
        import websockets  # only ws:// needs it

        headers = {"Authorization": f"Bearer {token}"} if token else None
        kwargs = {"ssl": ssl} if ssl is not None and url.startswith("wss:") else {}
        socket = await websockets.connect(
            url, extra_headers=headers, open_timeout=timeout, compression=None,
            # Acks are the liveness signal; pings would only add frames. The server's messages are small.
            ping_interval=None, max_size=1 << 20, write_limit=1 << 20, close_timeout=1, **kwargs)
        return cls(socket)

    async def send_lines(self, lines: List[str]) -> None:
        import websockets

        try:
            await self._socket.send("\n".join(lines))
        except websockets.ConnectionClosed as e:
            raise ConnectionLost(f"websocket: {e}") from e

    async def receive(self) -> List[str]:
        import websockets

        try:
            message = await self._socket.recv()
        except websockets.ConnectionClosed as e:
            raise ConnectionLost(f"websocket: {e}") from e
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        return [line for line in message.split("\n") if line]

    def abort(self) -> None:
        self._socket.transport.abort()

    async def close(self) -> None:
        await self._socket.close()


def ingest_url(url: str) -> str:
    """``ws://host:port`` means ``ws://host:port/ingest``; any other path is kept."""
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        parts = parts._replace(path="/ingest")
    return urlunsplit(parts)


async def open_transport(url: str, token: Optional[str], ssl: Optional[_ssl.SSLContext],
                         timeout: float) -> Transport:
    parts = urlsplit(url)
    if parts.scheme in ("tcp", "tcps"):
        context = ssl
        if parts.scheme == "tcps" and context is None:
            context = _ssl.create_default_context()
        return await TcpTransport.connect(parts.hostname or "127.0.0.1", parts.port or 5140, context, timeout)
    return await WebSocketTransport.connect(ingest_url(url), token, ssl, timeout)
