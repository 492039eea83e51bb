"""A stand-in for the service's ack protocol (docs/acks.md), used only with PIPELINE_TEST_STUB=1.

Speaks the real protocol on the real command line (``--Pipeline:DataDir=… --Pipeline:Ingest:HttpUrl=…
--Pipeline:Ingest:TcpEndpoint=…``) and writes the same file shape (LZ4 frames of NDJSON, ``seq`` in
``attrs``, ``boot_id`` beside ``conn_id``), so the suite runs unchanged against either. It exists for
developing the client before the server side landed; the suite's verdict comes from the real service.
"""
from __future__ import annotations

import asyncio
import glob
from http import HTTPStatus
import itertools
import json
import os
import sys
import time

import lz4.frame
import websockets

KNOWN = ("ts", "level", "robot_id", "type", "msg", "trace_id", "span_id", "hash")


class Store:
    def __init__(self, data_dir: str) -> None:
        self.dir = os.path.join(data_dir, "logs")
        os.makedirs(self.dir, exist_ok=True)
        self.high: dict[tuple[str, str], int] = {}
        for path in sorted(glob.glob(os.path.join(self.dir, "*.ndjson.lz4"))):
            for line in read_frames(open(path, "rb").read()):
                e = json.loads(line)
                if "boot_id" in e:
                    key = (e["robot_id"], e["boot_id"])
                    self.high[key] = max(self.high.get(key, 0), e["attrs"]["seq"])
        self.file = open(os.path.join(self.dir, f"pipeline-stub-{time.time_ns()}.ndjson.lz4"), "ab")
        self.conn_ids = itertools.count(1)
        self.owner: dict[tuple[str, str], object] = {}

    def take(self, key, lines, protocol, conn_id) -> None:
        out = []
        for line in lines:
            if not line.strip():
                continue
            e = json.loads(line)
            seq = e.get("seq")
            if isinstance(seq, int):
                if seq <= self.high.get(key, 0):
                    continue
                self.high[key] = seq
            stored = {k: e[k] for k in KNOWN if k in e}
            stored.setdefault("robot_id", key[0])
            stored["level"] = str(stored.get("level", "INFO")).upper()
            stored.update(protocol=protocol, conn_id=conn_id, boot_id=key[1])
            stored["attrs"] = {k: v for k, v in e.items() if k not in KNOWN}
            out.append(json.dumps(stored, separators=(",", ":")))
        if out:
            self.file.write(lz4.frame.compress(("\n".join(out) + "\n").encode()))
            self.file.flush()


def read_frames(data: bytes):
    while data:
        d = lz4.frame.LZ4FrameDecompressor()
        chunk = d.decompress(data)
        yield from chunk.decode().splitlines()
        if not d.eof:
            return
        data = d.unused_data


async def session(store: Store, hello_text: str, send, receive, protocol: str) -> None:
    hello = json.loads(hello_text)
    key = (hello["robot_id"], hello["boot_id"])
    conn_id = next(store.conn_ids)
    me = object()
    store.owner[key] = me
    await send(json.dumps({"type": "ack", "boot_id": key[1], "seq": store.high.get(key, 0)}))
    last_acked = store.high.get(key, 0)

    async def acker():
        nonlocal last_acked
        while True:
            await asyncio.sleep(0.05)
            if store.high.get(key, 0) != last_acked:
                last_acked = store.high.get(key, 0)
                await send(json.dumps({"type": "ack", "boot_id": key[1], "seq": last_acked}))

    task = asyncio.create_task(acker())
    try:
        while store.owner.get(key) is me:
            lines = await receive()
            if lines is None:
                return
            store.take(key, lines, protocol, conn_id)
    finally:
        task.cancel()


async def main(argv) -> None:
    args = dict(a[2:].split("=", 1) for a in argv if a.startswith("--"))
    store = Store(args["Pipeline:DataDir"])
    http = args["Pipeline:Ingest:HttpUrl"].rsplit(":", 1)
    tcp_host, tcp_port = args["Pipeline:Ingest:TcpEndpoint"].rsplit(":", 1)

    async def health(path, headers):
        if path == "/healthz":
            return HTTPStatus.OK, [], b"Healthy"
        return None

    async def ws_handler(socket):
        first = await socket.recv()
        async def receive():
            try:
                return (await socket.recv()).split("\n")
            except websockets.ConnectionClosed:
                return None
        await session(store, first, socket.send, receive, "websocket")

    async def tcp_handler(reader, writer):
        first = await reader.readline()
        async def send(text):
            writer.write(text.encode() + b"\n")
            await writer.drain()
        async def receive():
            data = await reader.read(1 << 20)
            if not data:
                return None
            while not data.endswith(b"\n"):
                more = await reader.read(1 << 20)
                if not more:
                    break
                data += more
            return data.decode().split("\n")
        try:
            await session(store, first.decode(), send, receive, "tcp")
        finally:
            writer.close()

    async with websockets.serve(ws_handler, "127.0.0.1", int(http[1]), process_request=health, compression=None,
                                max_size=None):
        server = await asyncio.start_server(tcp_handler, tcp_host, int(tcp_port))
        async with server:
            print("Application started", flush=True)  # what the real service's console lifetime says once it listens
            await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
