"""The bounded buffer of events not yet acknowledged, with its overflow policy."""
from __future__ import annotations

import threading
import time
from typing import List, Optional, Tuple

from .protocol import event_line
from .spill import DiskSpill

BLOCK = "block"
DROP_OLDEST = "drop_oldest"


class BufferFull(Exception):
    """The buffer (and its spill) is full and the caller chose not to wait, or waited past its timeout."""


class ClientClosed(Exception):
    """The client was closed: it takes no more events."""


class EventBuffer:
    """Every event given and not yet acknowledged, numbered 1, 2, 3, … in the order given.

    The oldest events are in memory (``seq`` ``first_seq`` … contiguous), newer ones in the disk spill
    when memory is full and a spill is configured; acks free memory and the spill refills it in order.
    Thread-safe: events come from any thread, the client's event loop sends and acknowledges.

    Full means ``max_events`` or ``max_bytes`` in memory and, with a spill, its ``max_spill_bytes`` on
    disk. Then ``block`` makes the caller wait for an ack to free room, ``drop_oldest`` forgets the
    oldest unacknowledged event and counts it in ``dropped`` (the server sees a gap there, reports it
    as a ``seq_gap`` event and goes on).
    """

    def __init__(self, *, max_events: int, max_bytes: int, policy: str, spill: Optional[DiskSpill]) -> None:
        self._max_events = max_events
        self._max_bytes = max_bytes
        self._policy = policy
        self._spill = spill
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._lines: List[str] = []
        self._head = 0  # index in _lines of first_seq; compacted when half the list is dead
        self._mem_bytes = 0
        self.first_seq = 1  # seq of the oldest event in memory (next_seq when memory is empty)
        self.next_seq = 1  # seq the next event gets
        self.acked_seq = 0
        self._cursor = 1  # next seq to send on the current connection
        self._max_sent = 0
        self._closed = False
        self.dropped = 0
        self.spilled = 0
        self.sent = 0
        self.resent = 0
        self.acked = 0

    # ---- callers' side ----------------------------------------------------------------------

    def put(self, body: str, *, block: bool, timeout: Optional[float] = None) -> int:
        """Appends one event (its JSON without the opening brace) and returns its seq."""
        with self._lock:
            if self._closed:
                raise ClientClosed("the client is closed")
            size = len(body) + 24
            if self._full(size):
                if self._policy == DROP_OLDEST:
                    self._drop_oldest()
                elif not block:
                    raise BufferFull(self._describe_full())
                else:
                    deadline = None if timeout is None else time.monotonic() + timeout
                    while self._full(size):
                        remaining = None if deadline is None else deadline - time.monotonic()
                        if remaining is not None and remaining <= 0:
                            raise BufferFull(self._describe_full())
                        self._room.wait(remaining)
                        if self._closed:
                            raise ClientClosed("the client was closed while waiting for room")
            seq = self.next_seq
            self.next_seq = seq + 1
            line = event_line(seq, body)
            if self._spill is not None and (self._spill.count > 0 or not self._memory_has_room(len(line))):
                self._spill.append(line)
                self.spilled += 1
            else:
                self._lines.append(line)
                self._mem_bytes += len(line)
            return seq

    @property
    def last_seq(self) -> int:
        return self.next_seq - 1

    @property
    def pending(self) -> int:
        """Events given and not yet acknowledged nor dropped."""
        with self._lock:
            return len(self._lines) - self._head + (self._spill.count if self._spill else 0)

    # ---- the event loop's side --------------------------------------------------------------

    def rewind(self) -> None:
        """A new connection: send again from the oldest unacknowledged event."""
        with self._lock:
            self._cursor = self.acked_seq + 1

    def take(self, max_lines: int) -> Tuple[int, List[str]]:
        """The next lines to send on this connection (from memory, in order), and the first one's seq."""
        with self._lock:
            start = max(self._cursor, self.first_seq)
            i = self._head + (start - self.first_seq)
            lines = self._lines[i:i + max_lines]
            if not lines:
                return start, lines
            end = start + len(lines) - 1
            self._cursor = end + 1
            self.sent += len(lines)
            if start <= self._max_sent:
                self.resent += min(end, self._max_sent) - start + 1
            if end > self._max_sent:
                self._max_sent = end
            return start, lines

    def has_unsent(self) -> bool:
        with self._lock:
            return max(self._cursor, self.first_seq) < self.first_seq + len(self._lines) - self._head

    def ack(self, seq: int) -> int:
        """Forgets every event at or below ``seq``; returns how many that freed."""
        with self._lock:
            if seq <= self.acked_seq:
                return 0
            freed = 0
            in_memory = len(self._lines) - self._head
            if seq >= self.first_seq and in_memory:
                n = min(seq - self.first_seq + 1, in_memory)
                for line in self._lines[self._head:self._head + n]:
                    self._mem_bytes -= len(line)
                self._head += n
                self.first_seq += n
                freed += n
                self._compact()
            if seq >= self.first_seq and self._spill is not None and self._spill.count:
                # Covers events never sent from here (another process's? a server's mistake?): drop them too.
                n = min(seq - self.first_seq + 1, self._spill.count)
                self._spill.pop(n)
                self.first_seq += n
                freed += n
            if self.first_seq <= seq:
                self.first_seq = min(seq + 1, self.next_seq)
            self.acked_seq = seq
            self._cursor = max(self._cursor, seq + 1)
            self.acked += freed
            self._refill()
            self._room.notify_all()
            return freed

    def close(self) -> None:
        """Takes no more events; wakes every caller waiting for room. Deletes the spill."""
        with self._lock:
            self._closed = True
            self._room.notify_all()
            if self._spill is not None:
                self._spill.close()

    # ---- inside the lock --------------------------------------------------------------------

    def _memory_has_room(self, size: int) -> bool:
        count = len(self._lines) - self._head
        return count == 0 or (count < self._max_events and self._mem_bytes + size <= self._max_bytes)

    def _full(self, size: int) -> bool:
        if self._memory_has_room(size) and (self._spill is None or self._spill.count == 0):
            return False
        return self._spill is None or not self._spill.has_room(size)

    def _drop_oldest(self) -> None:
        if len(self._lines) == self._head:
            return
        self._mem_bytes -= len(self._lines[self._head])
        self._lines[self._head] = ""
        self._head += 1
        self.first_seq += 1
        self.dropped += 1
        self._compact()
        self._refill()

    def _refill(self) -> None:
        spill = self._spill
        if spill is None or spill.count == 0:
            return
        while spill.count:
            room = self._max_events - (len(self._lines) - self._head)
            if room <= 0 or self._mem_bytes >= self._max_bytes:
                return
            for line in spill.pop(min(room, 1024)):
                self._lines.append(line)
                self._mem_bytes += len(line)

    def _compact(self) -> None:
        if self._head > 4096 and self._head * 2 > len(self._lines):
            del self._lines[:self._head]
            self._head = 0

    def _describe_full(self) -> str:
        where = f"{len(self._lines) - self._head} events, {self._mem_bytes} bytes in memory"
        if self._spill is not None:
            where += f", {self._spill.bytes} bytes spilled"
        return f"the buffer is full ({where}); nothing was acknowledged in time"
