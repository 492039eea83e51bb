"""EventBuffer on its own: bounds, the two overflow policies, the spill's order, acks freeing room."""
from __future__ import annotations

import threading

import pytest

from pipeline_client.buffer import BLOCK, DROP_OLDEST, BufferFull, ClientClosed, EventBuffer
from pipeline_client.protocol import encode_body
from pipeline_client.spill import DiskSpill


def body(i):
    return encode_body({"i": i})


def seqs_of(lines):
    return [int(line.split(",", 1)[0][len('{"seq":'):]) for line in lines]


def test_with_capacity_n_the_first_n_puts_complete_and_the_next_waits_for_an_ack():
    buffer = EventBuffer(max_events=3, max_bytes=1 << 20, policy=BLOCK, spill=None)
    assert [buffer.put(body(i), block=True) for i in range(3)] == [1, 2, 3]

    done = threading.Event()
    result = []
    t = threading.Thread(target=lambda: (result.append(buffer.put(body(3), block=True)), done.set()))
    t.start()
    assert not done.wait(0.2)  # nothing acknowledged: it must still be waiting
    assert buffer.ack(1) == 1
    assert done.wait(10)
    t.join()
    assert result == [4]
    assert buffer.pending == 3


def test_a_full_buffer_refuses_a_caller_that_will_not_wait():
    buffer = EventBuffer(max_events=2, max_bytes=1 << 20, policy=BLOCK, spill=None)
    buffer.put(body(1), block=False)
    buffer.put(body(2), block=False)
    with pytest.raises(BufferFull):
        buffer.put(body(3), block=False)
    with pytest.raises(BufferFull):
        buffer.put(body(3), block=True, timeout=0.05)
    assert buffer.dropped == 0 and buffer.last_seq == 2


def test_close_wakes_a_waiting_caller():
    buffer = EventBuffer(max_events=1, max_bytes=1 << 20, policy=BLOCK, spill=None)
    buffer.put(body(1), block=True)
    errors = []
    t = threading.Thread(target=lambda: _catch(errors, lambda: buffer.put(body(2), block=True)))
    t.start()
    buffer.close()
    t.join(10)
    assert not t.is_alive() and [type(e) for e in errors] == [ClientClosed]


def _catch(errors, f):
    try:
        f()
    except Exception as e:
        errors.append(e)


def test_drop_oldest_forgets_the_oldest_and_counts_it():
    buffer = EventBuffer(max_events=3, max_bytes=1 << 20, policy=DROP_OLDEST, spill=None)
    for i in range(10):
        buffer.put(body(i), block=True)
    assert buffer.dropped == 7
    assert buffer.first_seq == 8
    start, lines = buffer.take(100)
    assert (start, seqs_of(lines)) == (8, [8, 9, 10])


def test_the_byte_bound_holds_as_well_as_the_count():
    buffer = EventBuffer(max_events=1000, max_bytes=100, policy=DROP_OLDEST, spill=None)
    for i in range(20):
        buffer.put(encode_body({"pad": "x" * 20}), block=True)
    assert buffer.pending < 5 and buffer.dropped == 20 - buffer.pending


def test_acks_free_memory_and_a_rewind_sends_the_unacknowledged_again():
    buffer = EventBuffer(max_events=100, max_bytes=1 << 20, policy=BLOCK, spill=None)
    for i in range(10):
        buffer.put(body(i), block=True)
    assert seqs_of(buffer.take(4)[1]) == [1, 2, 3, 4]
    assert seqs_of(buffer.take(4)[1]) == [5, 6, 7, 8]
    buffer.ack(3)
    buffer.rewind()  # a new connection: the server holds 1..3
    assert seqs_of(buffer.take(100)[1]) == [4, 5, 6, 7, 8, 9, 10]
    assert (buffer.sent, buffer.resent) == (15, 5)
    buffer.ack(10)
    assert buffer.pending == 0 and buffer.take(10)[1] == []


def test_the_spill_takes_what_memory_cannot_and_gives_it_back_in_order(tmp_path):
    spill = DiskSpill(str(tmp_path), 1 << 20, name="boot", segment_bytes=200)  # many small segments
    buffer = EventBuffer(max_events=5, max_bytes=1 << 20, policy=BLOCK, spill=spill)
    for i in range(50):
        buffer.put(body(i), block=False)
    assert buffer.spilled == 45 and buffer.pending == 50
    assert len(list(tmp_path.iterdir())) > 2

    sent = []
    while buffer.pending:
        start, lines = buffer.take(3)
        assert lines
        sent += seqs_of(lines)
        buffer.ack(sent[-1])
    assert sent == list(range(1, 51))
    assert list(tmp_path.iterdir()) == []  # every segment deleted once read


def test_with_the_spill_full_too_the_policy_applies(tmp_path):
    spill = DiskSpill(str(tmp_path), 300, name="boot")
    buffer = EventBuffer(max_events=2, max_bytes=1 << 20, policy=DROP_OLDEST, spill=spill)
    for i in range(40):
        buffer.put(body(i), block=False)
    assert buffer.dropped > 0
    assert buffer.pending + buffer.dropped == 40
    seqs = []
    while buffer.pending:
        _, lines = buffer.take(100)
        seqs += seqs_of(lines)
        buffer.ack(seqs[-1])
    assert seqs == list(range(buffer.dropped + 1, 41))  # the newest kept, in order


def test_close_deletes_the_spill(tmp_path):
    spill = DiskSpill(str(tmp_path), 1 << 20, name="boot")
    buffer = EventBuffer(max_events=1, max_bytes=1 << 20, policy=BLOCK, spill=spill)
    for i in range(5):
        buffer.put(body(i), block=False)
    buffer.close()
    assert list(tmp_path.iterdir()) == []
