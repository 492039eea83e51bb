"""The real service as a subprocess of the tests: started, SIGKILLed and restarted on its data directory."""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Dict, List, Optional

import lz4.frame

REPO = Path(__file__).resolve().parents[4]
STUB = Path(__file__).with_name("stub_service.py")


def default_dll() -> str:
    """PIPELINE_TEST_DLL, else the solution build's output (what test.sh builds), else /tmp/py-server."""
    explicit = os.environ.get("PIPELINE_TEST_DLL")
    if explicit:
        return explicit
    built = REPO / "src/Ingest/bin/Release/net10.0/pipeline.dll"
    return str(built) if built.exists() else "/tmp/py-server/pipeline.dll"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def eventually(condition: Callable[[], object], timeout: float, what: str, client) -> object:
    """Waits until ``condition`` is truthy (returned), woken by the client's changes (acks, connects, disconnects,
    errors), never by a clock; AssertionError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        changed = client._next_change()  # taken before the check: a change in between wakes the wait at once
        value = condition()
        if value:
            return value
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise asyncio.TimeoutError
            await asyncio.wait_for(changed.wait(), remaining)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None


def read_lz4_lines(path: Path) -> List[str]:
    """The NDJSON lines of every complete LZ4 frame of ``path`` (a frame being written is left out)."""
    data = path.read_bytes()
    lines: List[str] = []
    while data:
        decompressor = lz4.frame.LZ4FrameDecompressor()
        try:
            chunk = decompressor.decompress(data)
        except RuntimeError:
            break  # a torn frame: the service was killed while writing it, or is writing it now
        if not decompressor.eof:
            break
        lines.extend(chunk.decode("utf-8").splitlines())
        data = decompressor.unused_data
    return lines


def _file_order(path: Path):
    """pipeline-<UTC start>-<n>.ndjson.lz4: by start time, then n as a number (it is not zero-padded)."""
    match = re.fullmatch(r"(.*)-(\d+)\.ndjson\.lz4", path.name)
    return (match.group(1), int(match.group(2))) if match else (path.name, 0)


class Service:
    """``dotnet pipeline.dll`` on loopback ports of its own, with a data directory that outlives restarts."""

    def __init__(self, data_dir: Path, dll: Optional[str] = None, extra_args: Optional[List[str]] = None,
                 env: Optional[Dict[str, str]] = None) -> None:
        self.data_dir = data_dir
        self.dll = dll or default_dll()
        self.stub = os.environ.get("PIPELINE_TEST_STUB") == "1"
        self.http_port = free_port()
        self.tcp_port = free_port()
        self.extra_args = extra_args or []
        self.extra_env = env or {}
        self.proc: Optional[subprocess.Popen] = None
        self.boots = 0

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.http_port}/ingest"

    @property
    def tcp_url(self) -> str:
        return f"tcp://127.0.0.1:{self.tcp_port}"

    def start(self, timeout: float = 60) -> "Service":
        assert self.proc is None or self.proc.poll() is not None, "already running"
        args = [f"--Pipeline:DataDir={self.data_dir}",
                f"--Pipeline:Ingest:HttpUrl=http://127.0.0.1:{self.http_port}",
                f"--Pipeline:Ingest:TcpEndpoint=127.0.0.1:{self.tcp_port}", *self.extra_args]
        if self.stub:
            command = [sys.executable, str(STUB), *args]
        else:
            assert os.path.exists(self.dll), f"{self.dll} is missing: build src/Ingest or set PIPELINE_TEST_DLL"
            command = ["dotnet", self.dll, *args]
        env = dict(os.environ, Pipeline__Robots__LifecycleEvents="false", **self.extra_env)
        env.setdefault("Logging__LogLevel__Microsoft.Hosting.Lifetime", "Information")  # it says "Application started"
        self.boots += 1
        log = open(self.data_dir / f"service-{self.boots}.log", "wb")
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=self.data_dir)
        # Its output goes to the log file; the line that says every listener is bound (or the end of the output, when
        # the process exits) ends the wait: no polling.
        said = threading.Event()
        started = []

        def copy_output(stream, log=log):
            with log:
                for line in stream:
                    log.write(line)
                    log.flush()
                    if not started and b"Application started" in line:
                        started.append(True)
                        said.set()
            said.set()

        threading.Thread(target=copy_output, args=(self.proc.stdout,), daemon=True).start()
        if not said.wait(timeout):
            self.kill()
            raise AssertionError(f"the service did not start within {timeout} s:\n{self.output()}")
        if not started:
            self.proc.wait()
            raise AssertionError(f"the service exited with {self.proc.returncode} during start:\n{self.output()}")
        assert self.healthy(), f"/healthz does not answer after the service said it started:\n{self.output()}"
        return self

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=1) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def kill(self) -> None:
        """SIGKILL: nothing is flushed or closed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return (self.data_dir / f"service-{self.boots}.log").read_text(errors="replace")[-4000:]

    def metric(self, name: str, labels: str = "") -> float:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5) as r:
            text = r.read().decode()
        prefix = f"{name}{{{labels}}} " if labels else f"{name} "
        for line in text.splitlines():
            if line.startswith(prefix):
                return float(line[len(prefix):])
        return 0.0

    def events(self, boot_id: Optional[str] = None) -> List[dict]:
        """Every stored event (of one boot), file by file in the order they were written."""
        out = []
        for path in sorted((self.data_dir / "logs").glob("*.ndjson.lz4"), key=_file_order):
            for line in read_lz4_lines(path):
                event = json.loads(line)
                if boot_id is None or event.get("boot_id") == boot_id:
                    out.append(event)
        return out

    def seqs(self, boot_id: str) -> List[int]:
        """The seq of every stored event of the boot, in file order (events without one, like seq_gap, left out)."""
        return [e["attrs"]["seq"] for e in self.events(boot_id) if "seq" in e.get("attrs", {})]
