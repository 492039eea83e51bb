"""Disk spill: the newest events, in order, when the memory buffer is full."""
from __future__ import annotations

import os
from collections import deque
from typing import BinaryIO, Deque, List, Optional


class _Segment:
    __slots__ = ("path", "lines")

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines = 0


class DiskSpill:
    """A FIFO of event lines in segment files under ``directory``.

    Not thread-safe: the buffer that owns it holds its lock around every call. Segments roll at
    ``segment_bytes`` and each is deleted once read, so the disk holds about what is unread plus one
    segment. Nothing is fsynced: the spill stretches the buffer past memory, it is not a journal that
    outlives the process (a new process is a new boot with new sequence numbers).
    """

    def __init__(self, directory: str, max_bytes: int, *, name: str, segment_bytes: int = 8 << 20) -> None:
        os.makedirs(directory, exist_ok=True)
        self._directory = directory
        self._name = name
        self._max_bytes = max_bytes
        self._segment_bytes = segment_bytes
        self._segments: Deque[_Segment] = deque()
        self._writer: Optional[BinaryIO] = None
        self._written = 0  # bytes in the segment being written
        self._reader: Optional[BinaryIO] = None
        self._next_number = 0
        self.count = 0  # unread lines
        self.bytes = 0  # unread bytes

    def has_room(self, size: int) -> bool:
        return self.bytes + size + 1 <= self._max_bytes

    def append(self, line: str) -> None:
        if self._writer is None or self._written >= self._segment_bytes:
            self._roll()
        data = line.encode("utf-8") + b"\n"
        assert self._writer is not None
        self._writer.write(data)
        self._written += len(data)
        self._segments[-1].lines += 1
        self.count += 1
        self.bytes += len(data)

    def pop(self, n: int) -> List[str]:
        """The oldest ``n`` lines (fewer when the spill holds fewer), removed."""
        out: List[str] = []
        while len(out) < n and self.count > 0:
            segment = self._segments[0]
            if self._reader is None:
                self._reader = open(segment.path, "rb")
            if self._writer is not None and len(self._segments) == 1:
                self._writer.flush()  # the reader shares the segment being written
            while len(out) < n and segment.lines > 0:
                data = self._reader.readline()
                if not data.endswith(b"\n"):
                    raise OSError(f"spill segment {segment.path} is shorter than its count")
                segment.lines -= 1
                self.count -= 1
                self.bytes -= len(data)
                out.append(data[:-1].decode("utf-8"))
            if segment.lines == 0 and (len(self._segments) > 1 or self._written >= self._segment_bytes
                                       or self.count == 0):
                self._drop_first()
        return out

    def close(self) -> None:
        """Closes and deletes every segment: what is unread is gone."""
        while self._segments:
            self._drop_first()

    def _roll(self) -> None:
        if self._writer is not None:
            self._writer.close()
        path = os.path.join(self._directory, f"spill-{self._name}-{self._next_number:06d}.ndjson")
        self._next_number += 1
        self._writer = open(path, "wb")
        self._written = 0
        self._segments.append(_Segment(path))

    def _drop_first(self) -> None:
        segment = self._segments.popleft()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if not self._segments and self._writer is not None:
            self._writer.close()
            self._writer = None
        try:
            os.remove(segment.path)
        except FileNotFoundError:
            pass
