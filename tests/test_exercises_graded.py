"""Graded mode (``nnlib.exercises.graded_assignment()``, the first cell of every nbgrader release):
a check says only "correct" or "not yet right", never a value a student could copy.

The wrong answers are the right answers of the never-lie tests' RIGHT tables (worked out there
from their definitions), each made wrong: +7 or *1.1 + 0.5 for a number, +1 in every entry or in one entry only for an array (09's
conv-matrix check used to name the wrong entry). Plus the slips the review found (a rounded
neuron output, a step count off by two) and every bad answer the never-lie tests' CALLS put in
each argument. Outside graded mode the same wrong answers still get their hint.
"""
import importlib

import numpy as np
import pytest

import nnlib.exercises as ex
import test_exercises_never_lie_00_02 as nl00
import test_exercises_never_lie_08 as nl08
import test_exercises_never_lie_09 as nl09
import test_exercises_never_lie_10 as nl10
import test_exercises_never_lie_11 as nl11
import test_exercises_never_lie_12 as nl12
import test_exercises_never_lie_13 as nl13
import test_exercises_never_lie_14 as nl14
from bad_answers import FIXED_BAD, run_check
from nnlib.exercises import activations as ex02
from nnlib.exercises import neuron as ex01

TABLES = [nl08, nl09, nl10, nl11, nl12, nl14]


def _wrong_versions(right):
    right = np.asarray(right, dtype=float)
    if right.size == 1:
        return [right.item() + 7, right.item() * 1.1 + 0.5]  # +1 may be right too (a transposed size)
    one = right.copy()
    one.reshape(-1)[0] += 1
    return [right + 1, one]


WRONG = [(check, (*args, wrong), right) for module in TABLES for check, args, right in module.RIGHT
         for wrong in _wrong_versions(right)]
WRONG += [
    (ex01.check_neuron_output, (round(nl00.NEURON_Y, 2),), nl00.NEURON_Y),
    (ex01.check_and_gate, (1.0, 1.0, -0.5), None),
    (ex02.check_sigmoid_prime_at_ln3, (0.2,), nl00.SIGMOID_PRIME_LN3),
    (ex02.check_saturation_threshold, (nl00.THRESHOLD + 1,), nl00.THRESHOLD),
    (ex02.check_saturation_steps, (nl00.STEPS[0] + 2, nl00.STEPS[1]), nl00.STEPS[0]),
    (ex.check_number, (11, 9, "the count"), 9),
    (ex.check_parameter_count, (nl00.model_2_4_2(), 23), 22),
    (ex.check_solves_xor, (nl00.model_2_4_2(), 4), None),  # untrained: misclassifies
]
RIGHT = [(check, (*args, right)) for module in TABLES for check, args, right in module.RIGHT]
RIGHT += [(ex01.check_neuron_output, (nl00.NEURON_Y,)), (ex02.check_saturation_steps, nl00.STEPS)]
CALLS = [call for calls in nl00.CALLS.values() for call in calls]
CALLS += [call for module in (*TABLES, nl13) for call in module.CALLS]


def _ids(cases):
    return [case[0].__name__ for case in cases]


@pytest.fixture
def graded(monkeypatch):
    monkeypatch.setenv(ex.GRADED_ENV, "0")  # restored (unset) after the test
    _, printed = run_check(ex.graded_assignment)
    assert "correct" in printed and "not yet right" in printed and "no hints" in printed
    assert ex.graded()


@pytest.fixture
def hints(monkeypatch):
    monkeypatch.delenv(ex.GRADED_ENV, raising=False)


def test_the_fixed_lines_give_nothing_away():
    for line in (ex.GRADED_CORRECT, ex.GRADED_WRONG):
        assert not any(ch.isdigit() for ch in line)
    assert ex.GRADED_CORRECT.startswith("correct") and ex.GRADED_WRONG.startswith("not yet right")


@pytest.mark.parametrize("check, args, right", WRONG, ids=_ids(WRONG))
def test_in_graded_mode_a_wrong_answer_gets_only_the_fixed_line(graded, check, args, right):
    result, printed = run_check(check, *args)
    assert result is False and printed == ex.GRADED_WRONG + "\n", printed


@pytest.mark.parametrize("check, args, right", WRONG, ids=_ids(WRONG))
def test_outside_graded_mode_a_wrong_answer_keeps_its_hint(hints, check, args, right):
    result, printed = run_check(check, *args)
    assert result is False and printed.startswith("not yet right: "), printed
    assert printed != ex.GRADED_WRONG + "\n"
    assert len(printed) > len("not yet right: ") + 10, printed


def test_the_leaks_the_review_found_are_there_without_graded_mode(hints):
    """The premise of graded mode: these hints do print the right answer."""
    _, printed = run_check(ex01.check_neuron_output, round(nl00.NEURON_Y, 2))
    assert f"{nl00.NEURON_Y:g}" in printed
    _, printed = run_check(ex.check_number, 11, 9, "the count")
    assert "is 9" in printed


@pytest.mark.parametrize("check, args", RIGHT, ids=_ids(RIGHT))
def test_in_graded_mode_a_right_answer_gets_the_fixed_correct_line(graded, check, args):
    result, printed = run_check(check, *args)
    assert result is True and printed == ex.GRADED_CORRECT + "\n", printed


@pytest.mark.parametrize("call", CALLS)
def test_in_graded_mode_a_bad_answer_says_not_yet_right_or_not_done_yet(graded, call):
    for bad in FIXED_BAD:
        check, *args = call(bad)
        result, printed = run_check(check, *args)
        if result is None:  # "not done yet: ..." says what to fill in, never an answer
            assert printed.startswith("not done yet: "), printed
        else:  # a student's function given as the answer (`print`) may print lines of its own
            assert result is False and printed.endswith(ex.GRADED_WRONG + "\n"), (check.__name__, bad, printed)
            if bad is not print:
                assert printed == ex.GRADED_WRONG + "\n", (check.__name__, bad, printed)


def test_graded_mode_survives_the_autograder_s_reload_and_switches_off(graded):
    """The autograder reloads nnlib.exercises before each check (an answer cell may have patched
    it): graded mode must not reset with it."""
    importlib.reload(ex)
    importlib.reload(ex01)
    _, printed = run_check(ex01.check_neuron_output, 0.0)
    assert printed == ex.GRADED_WRONG + "\n"
    ex.graded_assignment(False)
    _, printed = run_check(ex01.check_neuron_output, 0.0)
    assert printed.startswith("not yet right: ") and printed != ex.GRADED_WRONG + "\n"
