"""Notebook 07's checkers never raise and never say "correct" to a wrong answer: wrong types,
NaN, inf, zero and negative numbers, several numbers, wrong shapes (``tests/bad_answers.py``),
and the near misses a student makes (one step too few, a learning rate just out of the window).
"""
import fractions
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bad_answers import assert_never_lies, bad_answers, run_check
from nnlib.exercises import training
from nnlib.exercises.training import check_learning_rate, check_updates_per_epoch

# A learning rate is judged by training for 110 epochs (about 0.1 s): fewer examples than usual.
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(bad_answers())
def test_learning_rate_never_lies_to_a_bad_answer(answer):
    assert_never_lies(check_learning_rate, answer)


@SETTINGS
@given(bad_answers())
def test_updates_per_epoch_never_lies_to_a_bad_answer(answer):
    assert_never_lies(check_updates_per_epoch, 200, 16, answer)


@SETTINGS
@given(st.floats(max_value=0.0, allow_nan=False, allow_infinity=False) | st.integers(max_value=0))
def test_zero_and_negative_learning_rates_are_refused_without_training(lr):
    with mock.patch.object(training, "sine_run", side_effect=AssertionError("trained")):
        result, printed = assert_never_lies(check_learning_rate, lr)
    assert result is False and "positive" in printed


@SETTINGS
@given(st.integers(-1000, 1000).filter(lambda n: n != 13)
       | st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v != 13))
def test_every_wrong_step_count_is_wrong(answer):
    assert_never_lies(check_updates_per_epoch, 200, 16, answer)


@pytest.mark.parametrize("lr", [1e-6, 0.001, 0.002, 0.0025, 0.23, 0.3, 0.5, 10.0, 1e308])
def test_learning_rates_outside_the_window_are_not_correct(lr):
    result, printed = assert_never_lies(check_learning_rate, lr)
    assert result is False and ("too small" in printed or "too large" in printed)


def test_nan_learning_rate_is_answered_not_raised():
    """Bug: check_learning_rate(float('nan')) raised inside fit instead of answering."""
    result, printed = run_check(check_learning_rate, float("nan"))
    assert result is False and "finite number" in printed


@pytest.mark.parametrize("lr", [np.array(0.1), np.float32(0.1), fractions.Fraction(1, 10), 0.1])
def test_a_right_learning_rate_of_any_number_type_is_correct(lr):
    """Bug: a 0-d array was refused here while 04's checkers accepted it."""
    result, printed = run_check(check_learning_rate, lr)
    assert result is True and printed.startswith("correct"), printed


@pytest.mark.parametrize("answer", [12, 12.0, np.int64(12), np.array(12)])
def test_one_step_short_gets_the_hint_in_any_number_type(answer):
    result, printed = run_check(check_updates_per_epoch, 200, 16, answer)
    assert result is False and "the last, smaller batch" in printed


@pytest.mark.parametrize("answer", [13, 13.0, np.int64(13), np.array(13), fractions.Fraction(13)])
def test_thirteen_steps_of_any_number_type_is_correct(answer):
    result, _ = run_check(check_updates_per_epoch, 200, 16, answer)
    assert result is True


def test_an_array_of_answers_is_explained_not_compared():
    """Bug: an array answer reached ``answer == n // b and ...`` and raised numpy's
    'truth value of an array is ambiguous'."""
    result, printed = run_check(check_updates_per_epoch, 200, 16, np.array([12, 13]))
    assert result is False and "one number" in printed
