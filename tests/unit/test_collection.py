"""The cyclic collector paused for a report, nested across threads, restored after."""

from __future__ import annotations

import gc
import threading

import pytest

from trellis.services.collection import collector_paused


def test_paused_inside_and_restored_after_even_on_an_error():
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        raise ValueError("a report failed")
    assert gc.isenabled()


def test_the_last_report_running_turns_it_back_on():
    inner_started, outer_may_end = threading.Event(), threading.Event()
    seen = []

    def other_report() -> None:
        with collector_paused():
            inner_started.set()
            outer_may_end.wait(5)
        seen.append(gc.isenabled())

    with collector_paused():
        worker = threading.Thread(target=other_report)
        worker.start()
        assert inner_started.wait(5)
    assert not gc.isenabled()  # the other thread's report is still running
    outer_may_end.set()
    worker.join(5)
    assert seen == [True] and gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
