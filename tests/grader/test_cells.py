"""Each failure policy of ``kernel.CellRunner`` on its own, with a stand-in student process (milliseconds each):
what a cell that loops, dies, runs out of memory, or outlives the notebook's limit costs, and what runs after it."""

import pytest

from autograder.bulk import channel, kernel
from autograder.bulk.jobs import CellEvent


class FakeProcess:
    """A student process whose cells behave as their source says: "ok", "loop", "die", "memory", "slow", and
    "kill-sandbox" (answers, but its sandbox is gone after it)."""

    started = []

    def __init__(self, files, memory_mb, cpu_seconds, sandboxed, assignment, passed, fail=False):
        if fail:
            raise OSError("no process")
        self.ran, self.closed, self.problem, self.sandboxed = [], False, None, False
        FakeProcess.started.append(self)

    def run(self, source, deadline):
        self.ran.append(source)
        if source == "loop":
            raise channel.TimedOut()
        if source == "die":
            raise channel.Closed()
        if source == "memory":
            return {"outputs": [{"output_type": "error", "ename": "MemoryError", "evalue": "", "traceback": []}]}
        return {"outputs": [{"output_type": "stream", "name": "stdout", "text": source}],
                "execution_count": len(self.ran)}

    def intact(self):
        return not self.ran or self.ran[-1] != "kill-sandbox"

    def close(self):
        self.closed = True


@pytest.fixture(autouse=True)
def fresh():
    FakeProcess.started = []


def run(sources, timeout=600, start=FakeProcess):
    return kernel.CellRunner(sources, {}, cell_timeout=5, timeout=timeout, start=start)()


def test_cells_run_in_one_process_in_order():
    runs, events = run(["a", "b"])
    assert [r.outputs[0]["text"] for r in runs] == ["a", "b"] and [r.event for r in runs] == [None, None]
    assert len(FakeProcess.started) == 1 and FakeProcess.started[0].closed


def test_a_cell_past_its_time_limit_is_stopped_and_the_next_runs_in_a_new_process_after_a_replay():
    runs, events = run(["a", "loop", "b"])
    assert runs[1].event == CellEvent.TIMEOUT and runs[1].outputs[0]["ename"] == "CellTimeoutError"
    assert events.timeouts == 1 and events.deaths == 0
    first, second = FakeProcess.started
    assert first.closed and second.ran == ["a", "b"]  # "a" replayed, "loop" not


def test_a_death_costs_that_cell_and_the_rest_run_without_it():
    runs, events = run(["a", "die", "b"])
    assert runs[1].event == CellEvent.DIED and runs[1].outputs[0]["ename"] == "KernelDied"
    assert runs[2].event is None and events.deaths == 1 and FakeProcess.started[1].ran == ["a", "b"]


def test_a_memory_error_keeps_its_output_and_is_not_replayed():
    runs, events = run(["a", "memory", "b"])
    assert runs[1].event == CellEvent.MEMORY and runs[1].outputs[0]["ename"] == "MemoryError"
    assert events.deaths == 1 and FakeProcess.started[1].ran == ["a", "b"]


def test_past_the_notebooks_limit_no_cell_runs():
    runs, events = run(["a", "b"], timeout=1e-9)
    assert [r.event for r in runs] == [CellEvent.SUBMISSION_TIMEOUT] * 2 and events.submission_timeout
    assert FakeProcess.started == []


def test_a_process_that_keeps_dying_stops_being_restarted():
    runs, events = run(["die"] * (kernel.MAX_RESTARTS + 3))
    assert [r.event for r in runs[:kernel.MAX_RESTARTS + 1]] == [CellEvent.DIED] * (kernel.MAX_RESTARTS + 1)
    assert {r.event for r in runs[kernel.MAX_RESTARTS + 1:]} == {CellEvent.NOT_RUN}
    assert len(FakeProcess.started) == kernel.MAX_RESTARTS + 1


def test_a_process_that_cannot_start_leaves_each_cell_not_run():
    runs, events = run(["a", "b"], start=lambda *args: FakeProcess(*args, fail=True))
    assert [r.event for r in runs] == [CellEvent.NOT_RUN] * 2
    assert "could not be restarted" in runs[0].outputs[0]["evalue"]


def test_a_nonstandard_test_cell_scores_0_without_touching_the_process():
    runner = kernel.CellRunner(["a", "grade(x)"], {}, tests={1: None}, start=FakeProcess)
    runs, events = runner()
    assert runs[1].event == CellEvent.NONSTANDARD_TEST and FakeProcess.started[0].ran == ["a"]


def test_a_cell_that_kills_its_sandbox_is_a_death_and_is_not_replayed():
    runs, events = run(["a", "kill-sandbox", "b"])
    assert runs[1].event == CellEvent.DIED and events.deaths == 1
    assert runs[1].outputs[0]["text"] == "kill-sandbox" and runs[1].outputs[-1]["ename"] == "KernelDied"
    first, second = FakeProcess.started
    assert first.closed and second.ran == ["a", "b"] and runs[2].event is None
