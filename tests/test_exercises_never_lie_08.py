"""Notebook 08's checkers: right answers (computed here from their definitions, not read from the
checkers) are accepted in any number type; the usual slips get their hint; bad answers
(``tests/bad_answers.py``) and every other wrong number are never called correct."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bad_answers import assert_never_lies, checker_tests, run_check
from nnlib.exercises.regularization import (LIPSCHITZ_RTOL, check_adam_first_step, check_dropout_scale,
                                            check_lipschitz_bound, check_running_var)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The notebook's exercises and their answers, worked out by hand.
X_BATCH, MOMENTUM = [1.0, 2.0, 6.0], 0.1
RUNNING_VAR = 0.9 * 1.0 + 0.1 * 14.0 / 2        # unbiased variance 14 / (3 - 1) = 7
ADAM = (1.0, 0.001, 0.1)
ADAM_THETA = 1.0 - 0.1 * 0.001 / (0.001 + 1e-8)  # m_hat = g, v_hat = g^2
W1, W2 = np.array([[3.0, 0.0], [4.0, 5.0]]), np.array([[1.0, 2.0]])
LIPSCHITZ = 15.0                                 # sqrt(45) * sqrt(5)

CALLS = [
    lambda bad: (check_dropout_scale, 0.2, bad),
    lambda bad: (check_running_var, X_BATCH, MOMENTUM, bad),
    lambda bad: (check_adam_first_step, *ADAM, bad),
    lambda bad: (check_lipschitz_bound, [W1, W2], bad),
    # bad problem arguments (with a right answer) are explained, never called correct
    lambda bad: (check_dropout_scale, bad, 1.25),
    lambda bad: (check_running_var, bad, MOMENTUM, RUNNING_VAR),
    lambda bad: (check_running_var, X_BATCH, bad, RUNNING_VAR),
    lambda bad: (check_adam_first_step, bad, 0.001, 0.1, ADAM_THETA),
    lambda bad: (check_adam_first_step, 1.0, 0.001, bad, ADAM_THETA),
    lambda bad: (check_lipschitz_bound, bad, LIPSCHITZ),
]


RIGHT = [(check_dropout_scale, (0.2,), 1.25), (check_running_var, (X_BATCH, MOMENTUM), RUNNING_VAR),
         (check_adam_first_step, ADAM, ADAM_THETA), (check_lipschitz_bound, ([W1, W2],), LIPSCHITZ)]
(test_bad_answers_are_never_correct, test_right_answers_of_any_number_type_are_correct,
 test_none_is_not_done_yet) = checker_tests(
    CALLS, RIGHT, [(c, a) for c, a, _ in RIGHT], SETTINGS)


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_other_number_is_wrong(value):
    # the Lipschitz exercise accepts hand-rounded sigmas, within the 0.1 % its question states
    for check, args, right, rtol in ((check_dropout_scale, (0.2,), 1.25, 1e-6),
                                     (check_running_var, (X_BATCH, MOMENTUM), RUNNING_VAR, 1e-6),
                                     (check_adam_first_step, ADAM, ADAM_THETA, 1e-6),
                                     (check_lipschitz_bound, ([W1, W2],), LIPSCHITZ, 1e-3)):
        if abs(value - right) > rtol * abs(right) + 1e-9:
            assert_never_lies(check, *args, value)


@pytest.mark.parametrize("answer, words", [(0.8, "probability of KEEPING"), (5.0, "1/p"),
                                           (0.2, "probability of dropping")])
def test_dropout_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_dropout_scale, 0.2, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [
    (0.9 + 0.1 * np.var(X_BATCH), "biased variance"), (0.1 + 0.9 * 7.0, "weight of the NEW batch"),
    (7.0, "the batch's variance itself"), (np.var(X_BATCH), "biased variance itself"),
    (0.7, "starts at 1, not 0")])
def test_running_var_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_running_var, X_BATCH, MOMENTUM, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [
    (1.0 - 0.1 * 1e-4 / (np.sqrt(1e-9) + 1e-8), "without the bias correction"),
    (1.0 - 0.1 * 0.001, "SGD step"), (1.0 + 0.1 * 0.001 / (0.001 + 1e-8), "AGAINST the gradient"),
    (0.9, "you left out epsilon")])
def test_adam_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_adam_first_step, *ADAM, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [
    (np.sqrt(45) + np.sqrt(5), "added the sigmas"),
    (np.linalg.norm(W1) * np.linalg.norm(W2), "Frobenius"), (10.0, "largest entry"),
    (5 * np.sqrt(5), "largest |eigenvalue|"),                 # eigenvalue 5 of W1, times sigma(W2)
    (np.linalg.norm(W2 @ W1, 2), "real largest stretch"),     # sqrt(221) = 14.866: tight, not the bound
    (14.87, "real largest stretch")])
def test_lipschitz_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_lipschitz_bound, [W1, W2], answer)
    assert result is False and words in printed


def test_eigenvalue_slip_on_square_weights():
    shear = np.array([[1.0, 2.0], [0.0, 1.0]])  # eigenvalues 1, largest singular value 1 + sqrt 2
    result, printed = assert_never_lies(check_lipschitz_bound, [shear], 1.0)
    assert result is False and "eigenvalue" in printed


@pytest.mark.parametrize("answer", [6.7082 * 2.2361, 6.708 * 2.236, 15.01, 14.99])
def test_lipschitz_accepts_hand_rounded_sigmas(answer):
    # the digits the checker itself prints, multiplied by hand, must pass (0.1 %, stated in 08)
    result, printed = run_check(check_lipschitz_bound, [W1, W2], answer)
    assert result is True and printed.startswith("correct"), printed
    assert LIPSCHITZ_RTOL == 1e-3


@pytest.mark.parametrize("answer", [15.02, 14.98])
def test_lipschitz_rejects_beyond_the_tolerance(answer):
    result, printed = assert_never_lies(check_lipschitz_bound, [W1, W2], answer)
    assert result is False


def test_lipschitz_tight_value_is_not_called_the_real_stretch_when_it_is_not():
    # W2 D W1 with D = diag(1, 0) stretches by 1 while ||W2 W1|| = 0: near 0 is not the worst place
    w1, w2 = np.array([[1.0], [1.0]]), np.array([[1.0, -1.0]])
    result, printed = assert_never_lies(check_lipschitz_bound, [w1, w2], 0.0)
    assert result is False and "real largest" not in printed


def test_lipschitz_mismatched_shapes_are_named():
    result, printed = assert_never_lies(check_lipschitz_bound, [W1, np.ones((1, 3))], 15.0)
    assert result is False and "shapes" in printed


def test_an_off_answer_is_shown_with_the_digits_the_exercise_asks_for(capsys):
    """Exercise 3 asks for at least 9 digits: a near miss is printed with 10, not rounded to 6
    (0.9000001 used to show as "you have 0.9")."""
    assert check_adam_first_step(*ADAM, ADAM_THETA + 1e-7) is False
    out = capsys.readouterr().out
    assert f"{ADAM_THETA + 1e-7:.10g}" in out and f"{ADAM_THETA:.10g}" in out
