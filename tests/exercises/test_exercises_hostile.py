"""A hostile learner against check(): every trick is reported, and the calling process stays as it was.

Each case below is a learner function that tries to break the checker (swallow the time limit,
end the process, crash the interpreter, patch libraries, flood the output, leave threads or
processes behind, return something unprintable or unpicklable...). For each one the test asserts
how the first case is reported, that the report says why, and then that this process is unchanged:
signal handlers and timers, working directory, environment, threads, the patched libraries, and a
known-correct solution that still passes. Issue 6 listed 33 such functions; all are here.
"""

from __future__ import annotations

import builtins
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

from companion.exercises import Case, Exercise, _isolate, check

pytestmark = pytest.mark.skipif(not _isolate.can_isolate(), reason="isolated checking needs Linux (fork)")


def _total(xs):
    """Reference: the sum of a list as a float; an empty list is an error."""
    if not xs:
        raise ValueError("empty")
    return float(sum(xs))


EXERCISE = Exercise(
    id="97.total", title="Total", chapter="97", reference=_total,
    cases=(Case(([1, 2, 3],), note="small"), Case(([],), note="empty: raises ValueError")),
    generate=lambda rng: Case((rng.integers(0, 10, size=3).tolist(),)), n_random=3, timeout_s=0.5,
)


def correct(xs):
    if not xs:
        raise ValueError("nothing to add")
    return float(sum(xs))


# --------------------------------------------------------------------------- hostile functions

def swallows_timeout(xs):
    while True:
        try:
            time.sleep(1)
        except BaseException:  # noqa: B036 -- a bare except, as learners write it
            pass


def sleeps_past_the_limit(xs):
    time.sleep(0.8)
    return correct(xs)


def spins(xs):
    while True:
        pass


def ignores_signals(xs):
    for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass


def exits_zero(xs):
    os._exit(0)


def exits_three(xs):
    os._exit(3)


def sys_exit(xs):
    sys.exit(3)


def kills_itself(xs):
    os.kill(os.getpid(), signal.SIGKILL)


def aborts(xs):
    os.abort()


def segfaults(xs):
    ctypes.string_at(0)


def raises_keyboard_interrupt(xs):
    raise KeyboardInterrupt


def raises_generator_exit(xs):
    raise GeneratorExit


class _ReprRaises(float):
    def __repr__(self):
        raise RuntimeError("no repr for you")


class _ReprBlocks:
    def __repr__(self):
        while True:
            pass


class _EqualsAnything(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


def repr_raises(xs):
    return _ReprRaises(correct(xs))


def repr_blocks(xs):
    return _ReprBlocks()


def equals_anything(xs):
    return _EqualsAnything(-1.0)


def returns_lambda(xs):
    return lambda: correct(xs)


def returns_generator(xs):
    return (x for x in xs)


def returns_closed_duckdb_relation(xs):
    import duckdb

    con = duckdb.connect()
    relation = con.sql("select 42 as answer")
    con.close()
    return relation


def returns_custom_objects_in_an_array(xs):
    return np.array([_ReprBlocks(), 1.0], dtype=object)


def patches_pandas_and_builtins(xs):
    pd.DataFrame.sum = lambda *a, **k: 42
    pd.Series.mean = lambda *a, **k: 42
    builtins.sum = lambda *a, **k: 0
    return correct(xs)


def patches_numpy(xs):
    np.mean = lambda *a, **k: 42
    np.random.default_rng = None
    return correct(xs)


def patches_the_reference(xs):
    sys.modules[__name__]._total = lambda xs: -1.0
    return -1.0


def prints_ten_megabytes(xs):
    print("x" * 10_000_000)
    return correct(xs)


def prints_ten_megabytes_and_is_wrong(xs):
    for _ in range(100):
        print("y" * 100_000)
    return -1.0


def writes_to_the_file_descriptor(xs):
    os.write(1, b"z" * 4_000_000)
    os.write(2, b"w" * 1_000)
    return correct(xs)


def floods_stderr(xs):
    for _ in range(10_000):
        sys.stderr.write("warning! " * 100)
    return correct(xs)


def leaves_a_thread_running(xs):
    threading.Thread(target=lambda: [time.sleep(0.01) for _ in iter(int, 1)], daemon=False).start()
    return correct(xs)


def thread_prints_forever(xs):
    def chatter():
        while True:
            print("still here")
            time.sleep(0.001)

    threading.Thread(target=chatter).start()
    return correct(xs)


def allocates_a_huge_array(xs):
    return float(np.ones(10**11).sum())


def grows_memory_forever(xs):
    hoard = []
    while True:
        hoard.append(bytearray(10**7))


def leaves_a_process_behind(xs):
    child = subprocess.Popen(["sleep", "1000"])
    with open(os.environ["HOSTILE_PID_FILE"], "w") as f:
        f.write(str(child.pid))
    return correct(xs)


def reads_stdin(xs):
    return float(input("a number? "))


def changes_directory_and_environment(xs):
    os.chdir("/")
    os.environ["HOSTILE"] = "1"
    os.umask(0o777)
    return correct(xs)


def leaves_a_timer(xs):
    signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(RuntimeError("stray alarm")))
    signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)
    return correct(xs)


class _BadMessage(ValueError):
    def __str__(self):
        raise RuntimeError("no message")


def raises_unprintable_exception(xs):
    raise _BadMessage()


def closes_every_file_descriptor(xs):
    os.closerange(0, 4096)
    return correct(xs)


def recurses_forever(xs):
    return recurses_forever(xs)


def returns_a_huge_result(xs):
    return np.zeros(2_000_000)


def calls_check_itself(xs):
    inner = check(EXERCISE, spins, n_random=0, timeout_s=0.2, verbose=False)
    return float(inner.n_cases) if xs else correct(xs)


# (function, status of the first case, text the report must contain, extra keyword arguments of check)
HOSTILE = [
    (swallows_timeout, "timeout", "did not finish within the time limit", {}),
    (sleeps_past_the_limit, "timeout", "time.sleep(0.8)", {}),
    (spins, "timeout", "in spins", {}),
    (ignores_signals, "timeout", "did not finish within the time limit", {}),
    (exits_zero, "error", "exited with status 0", {}),
    (exits_three, "error", "exited with status 3", {}),
    (sys_exit, "error", "SystemExit: 3", {}),
    (kills_itself, "error", "SIGKILL", {}),
    (aborts, "error", "SIGABRT", {}),
    (segfaults, "error", "SIGSEGV (a segmentation fault)", {}),
    (raises_keyboard_interrupt, "error", "KeyboardInterrupt", {}),
    (raises_generator_exit, "error", "GeneratorExit", {}),
    (repr_raises, "failed", "_ReprRaises, which the checker does not accept", {}),
    (repr_blocks, "failed", "_ReprBlocks, which the checker does not accept", {}),
    (equals_anything, "failed", "_EqualsAnything, which the checker does not accept", {}),
    (returns_lambda, "failed", "cannot be sent back", {}),
    (returns_generator, "failed", "(a generator) cannot be sent back", {}),
    (returns_closed_duckdb_relation, "failed", "cannot be sent back", {}),
    (returns_custom_objects_in_an_array, "failed", "which the checker does not accept", {}),
    (patches_pandas_and_builtins, "failed", "expected: 6.0", {}),  # its own sum is broken, not ours
    (patches_numpy, "passed", "", {}),
    (patches_the_reference, "failed", "expected: 6.0", {}),
    (prints_ten_megabytes, "passed", "", {}),
    (prints_ten_megabytes_and_is_wrong, "failed", "more characters not shown", {}),
    (writes_to_the_file_descriptor, "passed", "", {}),
    (floods_stderr, "passed", "", {}),
    (leaves_a_thread_running, "passed", "", {}),
    (thread_prints_forever, "passed", "", {}),
    (allocates_a_huge_array, "error", "MemoryError", {}),
    (grows_memory_forever, "error", "MemoryError", {"memory_mb": 256}),
    (leaves_a_process_behind, "passed", "", {}),
    (reads_stdin, "error", "EOFError", {}),
    (changes_directory_and_environment, "passed", "", {}),
    (leaves_a_timer, "passed", "", {}),
    (raises_unprintable_exception, "error", "its message could not be turned into text", {}),
    (closes_every_file_descriptor, "error", "exited with status 70", {}),
    (recurses_forever, "error", "RecursionError", {}),
    (returns_a_huge_result, "failed", "over the checker's 1 MiB limit", {}),
    (calls_check_itself, "failed", "got:      2.0", {}),
]


def _state():
    return {
        "alarm_handler": signal.getsignal(signal.SIGALRM),
        "usr1_handler": signal.getsignal(signal.SIGUSR1),
        "timer": signal.getitimer(signal.ITIMER_REAL),
        "cwd": os.getcwd(),
        "env": {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"},
        "threads": threading.active_count(),
        "pandas": (pd.DataFrame.sum, pd.Series.mean),
        "numpy": (np.mean, np.random.default_rng),
        "sum": builtins.sum,
        "reference": _total,
    }


@pytest.fixture
def unchanged(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("HOSTILE_PID_FILE", str(tmp_path / "pid"))
    monkeypatch.setattr(_isolate, "_MAX_RESULT_BYTES", 2**20)
    check(EXERCISE, correct, verbose=False)  # the checker's own first-use effects happen before `before`
    before = _state()
    umask = os.umask(0o022)
    os.umask(umask)
    yield tmp_path
    time.sleep(0.05)  # a stray timer or thread would act now
    after = _state()
    changed_env = {k for k in before["env"].keys() | after["env"].keys() if before["env"].get(k) != after["env"].get(k)}
    assert not changed_env, changed_env
    assert after == before
    assert os.umask(umask) == umask
    out, err = capfd.readouterr()
    assert len(out) + len(err) < 10_000, "learner output leaked into this process's streams"
    assert check(EXERCISE, correct, verbose=False).passed, "a correct solution no longer passes"


@pytest.mark.parametrize(("fn", "status", "says", "kwargs"), HOSTILE, ids=[h[0].__name__ for h in HOSTILE])
def test_hostile_learner_is_reported_and_the_process_is_unchanged(fn, status, says, kwargs, unchanged):
    start = time.perf_counter()
    report = check(EXERCISE, fn, verbose=False, **kwargs)
    elapsed = time.perf_counter() - start
    first = report.results[0]
    text = str(report)
    assert first.status == status, text
    assert says in text, text
    assert report.passed == (status == "passed")
    assert len(text) < 20_000, "the report must stay readable"
    assert elapsed < 15.0
    if status == "timeout":
        assert report.n_skipped == report.n_cases - 1
        assert elapsed < 3.0, f"a 0.5 s limit took {elapsed:.1f} s"
    pid_file = unchanged / "pid"
    if pid_file.exists():  # the process it left behind was killed with the worker's process group
        pid = int(pid_file.read_text())
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.02)
        assert not _alive(pid), f"process {pid} started by the learner is still running"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] not in "ZX"
    except (FileNotFoundError, IndexError):
        return False


def test_there_are_at_least_33_hostile_learners():
    assert len(HOSTILE) >= 33


def test_a_swallowing_learner_in_a_loop_still_returns_each_time():
    start = time.perf_counter()
    reports = [check(EXERCISE, swallows_timeout, n_random=0, timeout_s=0.2, verbose=False) for _ in range(3)]
    assert [r.results[0].status for r in reports] == ["timeout"] * 3
    assert time.perf_counter() - start < 4.0


@pytest.mark.parametrize("isolate", [True, False])
def test_a_tiny_time_limit_leaves_no_timer_behind(isolate):
    before = signal.getsignal(signal.SIGALRM)
    report = check(EXERCISE, correct, timeout_s=1e-6, isolate=isolate, verbose=False)
    assert report.results[0].status == "timeout"
    time.sleep(0.15)  # an armed timer would fire here and raise CaseTimeout in this test
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


@pytest.mark.parametrize("bad", [1e10, 601, float("inf")])
def test_an_absurd_time_limit_is_refused_naming_the_parameter(bad):
    with pytest.raises((ValueError, TypeError), match="timeout_s"):
        check(EXERCISE, correct, timeout_s=bad)


def test_printed_output_is_shown_in_the_report_cut_short():
    report = check(EXERCISE, prints_ten_megabytes_and_is_wrong, n_random=0, verbose=False)
    first = report.results[0]
    assert first.output.startswith("y" * 100) and len(first.output) == 2000
    assert first.output_omitted == 100 * 100_001 - 2000
    assert "printed:" in str(report)


def test_correct_solutions_pass_in_both_modes_and_agree():
    isolated = check(EXERCISE, correct, isolate=True, verbose=False)
    in_process = check(EXERCISE, correct, isolate=False, verbose=False)
    assert isolated.passed and in_process.passed
    assert [r.got for r in isolated.results] == [r.got for r in in_process.results]

