"""PipelineHandler: records from synchronous code end up in the files with their level, extras, exception
and trace context."""
from __future__ import annotations

import logging
import threading

import pytest

from pipeline_client import PipelineHandler, current_trace, trace


@pytest.fixture
def handler_and_logger(shared_service, robot_id):
    handler = PipelineHandler(shared_service.ws_url, robot_id)
    logger = logging.getLogger(f"robot.{robot_id}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    yield handler, logger
    logger.removeHandler(handler)
    handler.close(5)


def test_levels_map_to_the_services_five(shared_service, handler_and_logger):
    handler, log = handler_and_logger
    log.debug("d")
    log.log(15, "between debug and info")
    log.info("i")
    log.log(25, "between info and warning")
    log.warning("w")
    log.error("e")
    log.critical("c")
    assert handler.flush(30)

    stored = shared_service.events(handler.client.boot_id)
    assert [(e["msg"], e["level"]) for e in stored] == [
        ("d", "DEBUG"), ("between debug and info", "DEBUG"), ("i", "INFO"), ("between info and warning", "INFO"),
        ("w", "WARNING"), ("e", "ERROR"), ("c", "CRITICAL")]
    assert {e["attrs"]["logger"] for e in stored} == {log.name}


def test_message_arguments_and_extra_fields_become_attributes(shared_service, handler_and_logger):
    handler, log = handler_and_logger
    log.info("battery at %d%%", 81, extra={"battery": 81, "pose": {"x": 1.5, "y": -2}, "type": "status_update",
                                           "ts": "not the timestamp"})
    assert handler.flush(30)

    [event] = shared_service.events(handler.client.boot_id)
    assert event["msg"] == "battery at 81%"
    assert event["type"] == "status_update"
    assert event["attrs"]["battery"] == 81
    assert event["attrs"]["pose"] == {"x": 1.5, "y": -2}
    assert event["attrs"]["extra_ts"] == "not the timestamp"  # an extra never replaces the record's own fields
    assert event["attrs"]["source"]["function"] == "test_message_arguments_and_extra_fields_become_attributes"


def test_an_exception_carries_type_message_and_stack(shared_service, handler_and_logger):
    handler, log = handler_and_logger

    def motor_check():
        raise TimeoutError("motor 3 did not answer")

    try:
        motor_check()
    except TimeoutError:
        log.exception("self test failed")
    assert handler.flush(30)

    [event] = shared_service.events(handler.client.boot_id)
    assert event["level"] == "ERROR"
    exception = event["attrs"]["exception"]
    assert exception["type"] == "TimeoutError"
    assert exception["message"] == "motor 3 did not answer"
    assert "Traceback (most recent call last)" in exception["stack"]
    assert "in motor_check" in exception["stack"]
    assert exception["stack"].rstrip().endswith("TimeoutError: motor 3 did not answer")


def test_trace_and_span_ids_come_from_the_context_manager(shared_service, handler_and_logger):
    handler, log = handler_and_logger
    seen_in_thread = []

    log.info("before")
    with trace(trace_id="4bf92f3577b34da6a3ce929d0e0e4736", span_id="00f067aa0ba902b7"):
        log.info("outer")
        with trace(span_id="b7ad6b7169203331"):
            log.info("inner")
        # another thread has a context of its own: no trace there
        t = threading.Thread(target=lambda: (seen_in_thread.append(current_trace()), log.info("other thread")))
        t.start()
        t.join()
        log.info("outer again")
    log.info("after")
    assert handler.flush(30)

    by_msg = {e["msg"]: e for e in shared_service.events(handler.client.boot_id)}
    assert seen_in_thread == [None]
    assert "trace_id" not in by_msg["before"] and "trace_id" not in by_msg["after"]
    assert "trace_id" not in by_msg["other thread"]
    assert (by_msg["outer"]["trace_id"], by_msg["outer"]["span_id"]) == (
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
    assert (by_msg["inner"]["trace_id"], by_msg["inner"]["span_id"]) == (
        "4bf92f3577b34da6a3ce929d0e0e4736", "b7ad6b7169203331")
    assert by_msg["outer again"]["span_id"] == "00f067aa0ba902b7"


def test_records_from_many_threads_each_arrive_once(shared_service, handler_and_logger):
    handler, log = handler_and_logger

    def work(t):
        for i in range(500):
            log.info("t%d-%d", t, i, extra={"t": t, "i": i})

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert handler.flush(30)

    stored = shared_service.events(handler.client.boot_id)
    assert [e["attrs"]["seq"] for e in stored] == list(range(1, 2001))
    assert sorted((e["attrs"]["t"], e["attrs"]["i"]) for e in stored) == [(t, i) for t in range(4) for i in range(500)]


def test_a_handler_on_the_root_logger_does_not_send_the_clients_own_logging(shared_service, robot_id):
    root = logging.getLogger()
    old_level = root.level
    handler = PipelineHandler(shared_service.ws_url, robot_id)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)  # websockets and asyncio log at DEBUG on the handler's own thread
    try:
        logging.getLogger("app").info("only me")
        assert handler.flush(30)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        assert handler.close(5)
    assert [e["msg"] for e in shared_service.events(handler.client.boot_id)] == ["only me"]


def test_close_waits_for_the_acks(shared_service, robot_id):
    handler = PipelineHandler(shared_service.ws_url, robot_id)
    record = logging.LogRecord("robot", logging.INFO, __file__, 1, "last words", None, None)
    handler.handle(record)
    assert handler.close(30)
    assert handler.counters.acked == 1
    assert [e["msg"] for e in shared_service.events(handler.client.boot_id)] == ["last words"]
