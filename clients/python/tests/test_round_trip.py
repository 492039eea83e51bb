"""Events sent with acks arrive in the files once, in order, over both transports."""
from __future__ import annotations

import pytest

from infrastructure.service import eventually
from pipeline_client import PipelineClient, ProtocolError


@pytest.mark.parametrize("transport", ["websocket", "tcp"])
async def test_acked_events_are_in_the_files_in_order(shared_service, robot_id, transport):
    url = shared_service.ws_url if transport == "websocket" else shared_service.tcp_url
    client = PipelineClient(url, robot_id, batch_size=7)
    await client.start()
    for i in range(1, 101):
        client.send({"msg": f"event {i}", "level": "INFO", "n": i})

    assert await client.flush(30), client.last_error
    c = client.counters
    assert (c.acked, c.acked_seq, c.pending, c.dropped) == (100, 100, 0, 0)
    await client.close(5)

    stored = shared_service.events(client.boot_id)
    assert [e["attrs"]["seq"] for e in stored] == list(range(1, 101))
    assert [e["attrs"]["n"] for e in stored] == list(range(1, 101))
    assert {e["robot_id"] for e in stored} == {robot_id}
    assert {e["protocol"] for e in stored} == {transport}
    assert stored[41]["msg"] == "event 42"


async def test_seq_is_the_first_key_and_a_callers_seq_is_replaced(shared_service, robot_id):
    client = PipelineClient(shared_service.ws_url, robot_id)
    await client.start()
    assert client.send({"seq": 999, "msg": "mine"}) == 1
    assert client.send({}) == 2
    assert await client.flush(30), client.last_error
    await client.close(5)
    assert shared_service.seqs(client.boot_id) == [1, 2]


async def test_flush_with_nothing_sent_returns_at_once(shared_service, robot_id):
    client = PipelineClient(shared_service.tcp_url, robot_id)
    await client.start()
    assert await client.flush(0)
    assert await client.close(1)


@pytest.mark.parametrize("transport", ["websocket", "tcp"])
async def test_a_service_that_cannot_promise_durability_refuses_the_session_and_nothing_counts_as_sent(
        service, robot_id, transport):
    if service.stub:
        pytest.skip("the stub always acknowledges")
    service.extra_args.append("--Pipeline:Sinks:Files:Enabled=false")
    service.start()
    url = service.ws_url if transport == "websocket" else service.tcp_url
    client = PipelineClient(url, robot_id, backoff_min=0.05, backoff_max=0.1)
    await client.start()
    client.send({"msg": "kept until a service can take it"})
    await eventually(lambda: isinstance(client.last_error, ProtocolError), 30, "the refusal", client)
    assert client.last_error.code == "acks_unavailable"
    assert not client.connected
    assert not await client.flush(0.2)
    c = client.counters
    assert (c.sent, c.acked, c.pending) == (0, 0, 1)
    await client.close(0)
