"""Notebook 14's checkers: right answers (computed here from their definitions, not read from the
checkers) are accepted in any number type; the usual slips get their hint; bad answers
(``tests/bad_answers.py``) and every other wrong number are never called correct."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bad_answers import assert_never_lies, checker_tests, run_check
from nnlib.exercises.gan import (check_collapsed_distance, check_generator_gradient,
                                 check_optimal_discriminator)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The notebook's exercises and their answers, worked out by hand.
P_DATA, P_GEN = 0.3, 0.1
D_STAR = 0.75                                  # 0.3 / 0.4
S = -4.0
DL_DS = 1.0 / (1.0 + np.exp(-S)) - 1.0         # d/ds of -ln sigmoid(s)
N_ON = 2
DISTANCE = 0.75                                # 1/2 (2 |1/2 - 1/8| + 6/8)

CALLS = [
    lambda bad: (check_optimal_discriminator, P_DATA, P_GEN, bad),
    lambda bad: (check_generator_gradient, S, bad),
    lambda bad: (check_collapsed_distance, N_ON, bad),
    # bad problem arguments (with a right answer) are explained, never called correct
    lambda bad: (check_optimal_discriminator, bad, P_GEN, D_STAR),
    lambda bad: (check_optimal_discriminator, P_DATA, bad, D_STAR),
    lambda bad: (check_generator_gradient, bad, DL_DS),
    lambda bad: (check_collapsed_distance, bad, DISTANCE),
]
RIGHT = [(check_optimal_discriminator, (P_DATA, P_GEN), D_STAR), (check_generator_gradient, (S,), DL_DS),
         (check_collapsed_distance, (N_ON,), DISTANCE)]
# How far from the exact value an answer may be: exercise 2's is an exponential worked out by hand,
# right to 3 significant figures (-0.982) within 5e-4 relative; the others are exact fractions.
RTOL = {check_optimal_discriminator: 1e-6, check_generator_gradient: 5e-4, check_collapsed_distance: 1e-6}


(test_bad_answers_are_never_correct, test_right_answers_of_any_number_type_are_correct,
 test_none_is_not_done_yet) = checker_tests(
    CALLS, RIGHT, [(c, a) for c, a, _ in RIGHT], SETTINGS)


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_other_number_is_wrong(value):
    for check, args, right in RIGHT:
        if abs(value - right) > RTOL[check] * abs(right) + 1e-9:
            assert_never_lies(check, *args, value)


@SETTINGS
@given(st.floats(min_value=5e-4 * (1 + 1e-6), max_value=0.1))
def test_gradient_answers_just_outside_the_tolerance_are_wrong(rel):
    for value in (DL_DS * (1 + rel), DL_DS * (1 - rel)):
        result, printed = assert_never_lies(check_generator_gradient, S, value)
        assert result is False, printed


@pytest.mark.parametrize("answer", [-0.982, round(DL_DS, 3), round(DL_DS, 4), DL_DS * (1 + 4.9e-4),
                                    DL_DS * (1 - 4.9e-4), 1 / (1 + np.exp(4.0)) - 1])
def test_gradient_to_three_significant_figures_is_correct(answer):
    result, printed = run_check(check_generator_gradient, S, answer)
    assert result is True and printed.startswith("correct"), printed


@pytest.mark.parametrize("answer", [-0.98, -0.983, -0.981, -1.0])
def test_gradient_with_too_few_or_wrong_digits_is_wrong(answer):
    result, printed = assert_never_lies(check_generator_gradient, S, answer)
    assert result is False, printed


@pytest.mark.parametrize("answer", [0.982, -DL_DS])
def test_gradient_with_the_wrong_sign_is_told_to_check_the_sign(answer):
    result, printed = assert_never_lies(check_generator_gradient, S, answer)
    assert result is False and "check the sign" in printed, printed


@pytest.mark.parametrize("answer, words", [(0.25, "probability 'fake'"), (3.0, "ratio"), (0.3, "p_data alone")])
def test_discriminator_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_optimal_discriminator, P_DATA, P_GEN, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [(-1.0 / (1.0 + np.exp(4.0)), "SATURATING"), (-DL_DS, "sign"),
                                           (1.0 / (1.0 + np.exp(4.0)), "that is sigmoid(s)")])
def test_generator_gradient_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_generator_gradient, S, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [(1.5, "half of it"), (0.25, "share of modes covered"),
                                           (0.375, "covered modes differ")])
def test_distance_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_collapsed_distance, N_ON, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("n_on", [1, 3, 8])
def test_distance_is_one_minus_the_share_of_modes_for_any_count(n_on):
    result, printed = run_check(check_collapsed_distance, n_on, 1.0 - n_on / 8)
    assert result is True, printed
