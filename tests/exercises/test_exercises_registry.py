"""The registry: registration, lazy loading of chapter modules, listing and lookup errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from companion.exercises import Case, Exercise, get_exercise, list_exercises, register
from companion.exercises._registry import _unregister


@pytest.fixture
def temp_exercise():
    ex = Exercise(id="98.temp", title="Temporary", chapter="98", reference=abs, cases=(Case((-1,)),))
    yield ex
    _unregister(ex.id)


def test_register_returns_exercise_and_get_finds_it(temp_exercise):
    assert register(temp_exercise) is temp_exercise
    assert get_exercise("98.temp") is temp_exercise
    assert list_exercises("98") == ["98.temp"]


def test_duplicate_id_is_refused(temp_exercise):
    register(temp_exercise)
    with pytest.raises(ValueError, match=r"`exercise` has id '98.temp', which is already registered"):
        register(temp_exercise)


def test_register_refuses_non_exercise():
    with pytest.raises(TypeError, match=r"`exercise` must be Exercise; got dict"):
        register({"id": "98.x"})


def test_chapter_modules_load_lazily():
    code = (
        "import sys\n"
        "import companion.exercises as ex\n"
        "assert 'pandas' not in sys.modules, 'importing companion.exercises loaded pandas'\n"
        "assert 'companion.exercises.ch00' not in sys.modules\n"
        "assert ex.get_exercise('00.ctr').chapter == '00'\n"
        "assert 'companion.exercises.ch00' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_list_exercises_by_chapter_and_all():
    assert list_exercises("00") == ["00.ctr", "00.ctr_by_position"]
    everything = list_exercises()
    assert {"00.ctr", "00.ctr_by_position"} <= set(everything)
    assert everything == sorted(everything)
    assert list_exercises("97") == []


def test_unknown_id_lists_known_ids_closest_first():
    match = r"`exercise_id` must be a registered exercise; got '00.crt'"
    with pytest.raises(ValueError, match=match) as info:
        get_exercise("00.crt")
    message = str(info.value)
    assert "Did you mean '00.ctr'?" in message
    known = message.split("Known ids: ")[1]
    assert known.startswith("'00.ctr'")


@pytest.mark.parametrize("bad", ["0.ctr", "00ctr", "00.CTR", "00.", "ch00.ctr", "000.ctr"])
def test_malformed_id(bad):
    with pytest.raises(ValueError, match=r'`exercise_id` must have the form "NN.name".*e.g. "01.peak_qps"'):
        get_exercise(bad)


def test_non_string_id():
    with pytest.raises(TypeError, match=r"`exercise_id` must be str; got int"):
        get_exercise(1)


@pytest.mark.parametrize(("chapter", "error", "match"), [
    ("0", ValueError, r'`chapter` must be two digits such as "01"; got \'0\''),
    ("ch00", ValueError, r"`chapter` must be two digits"),
    (0, TypeError, r"`chapter` must be str; got int.*chapter=\"01\""),
])
def test_list_exercises_validation(chapter, error, match):
    with pytest.raises(error, match=match):
        list_exercises(chapter)
