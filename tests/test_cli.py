"""The command line: worlds, the exercise list, and checking a solution file (exit statuses and messages)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from companion.cli import main
from companion.datasets import load_world

GOOD = """
def double(x):
    if x < 0:
        raise ValueError("negative")
    return 2 * x
"""
BAD = """
def ctr(impressions):
    return float(impressions["click"].mean())   # NaN on an empty table instead of raising
"""


@pytest.fixture(autouse=True)
def double_exercise():
    """A tiny exercise of our own, so these tests do not depend on any chapter's exercise details."""
    from companion.exercises import Case, Exercise, register
    from companion.exercises._registry import _unregister

    def reference(x):
        if x < 0:
            raise ValueError("negative")
        return 2 * x

    register(Exercise(id="98.double", title="Double a non-negative number", chapter="98", reference=reference,
                      cases=(Case((1,)), Case((0,)), Case((-1,)))))
    yield
    _unregister("98.double")


def _file(tmp_path, body, name="solution.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return str(path)


def test_check_passing_solution_exits_0(tmp_path, capsys):
    assert main(["check", "98.double", _file(tmp_path, GOOD)]) == 0
    assert "passed" in capsys.readouterr().out.lower()


def test_check_failing_solution_exits_1_and_says_why(tmp_path, capsys):
    bad = GOOD.replace("    if x < 0:\n        raise ValueError(\"negative\")\n", "")
    assert main(["check", "98.double", _file(tmp_path, bad)]) == 1
    out = capsys.readouterr().out
    assert "ValueError" in out  # the report names the exception the reference expects on x = -1


def test_check_function_option(tmp_path):
    path = _file(tmp_path, GOOD.replace("def double", "def my_double"))
    assert main(["check", "98.double", path]) == 2
    assert main(["check", "98.double", path, "--function", "my_double"]) == 0


@pytest.mark.parametrize(("argv", "message"), [
    (["check", "99.nothing", "x.py"], "99.nothing"),
    (["check", "ctr", "x.py"], "exercise_id"),
    (["check", "00.ctr", "missing.py"], "no such file"),
])
def test_bad_calls_exit_2_with_a_clear_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_solution_that_fails_to_import_exits_2(tmp_path, capsys):
    assert main(["check", "00.ctr", _file(tmp_path, "import nonexistent_module_xyz\n")]) == 2
    assert "ModuleNotFoundError" in capsys.readouterr().err


def test_exercises_lists_ids_and_titles(capsys):
    assert main(["exercises", "--chapter", "00"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["00.ctr", "00.ctr_by_position"]
    assert main(["exercises", "--chapter", "zero"]) == 2


def test_world_writes_a_loadable_dataset(tmp_path, capsys):
    out = tmp_path / "w"
    assert main(["world", "--size", "tiny", "--seed", "3", "--out", str(out)]) == 0
    assert load_world(out).seed == 3
    assert main(["world", "--size", "tiny", "--seed", "3", "--out", str(out)]) == 2  # exists: no --overwrite
    assert "overwrite" in capsys.readouterr().err


def test_world_bad_size_and_seed(tmp_path, capsys):
    assert main(["world", "--size", "huge", "--out", str(tmp_path / "w")]) == 2
    assert "huge" in capsys.readouterr().err
    assert main(["world", "--size", "tiny", "--seed", "-1", "--out", str(tmp_path / "w")]) == 2
    assert "seed" in capsys.readouterr().err


def test_console_script_and_module_entry_points(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "companion", "check", "00.ctr", _file(tmp_path, BAD)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    proc = subprocess.run([sys.executable, "-m", "companion", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "check" in proc.stdout
