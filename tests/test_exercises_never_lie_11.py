"""Notebook 11's checkers: right answers (worked out here from the formulas, not read from the
checkers) are accepted in any number type; the usual slips get their hint; bad answers
(``tests/bad_answers.py``) and every other wrong number are never called correct."""
import fractions
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bad_answers import assert_never_lies, checker_tests, run_check
from nnlib.exercises import as_number
from nnlib.exercises.recurrent import (CLIP_RTOL, NEAR_RTOL, SCALAR_RTOL, check_clipped_gradient,
                                       check_lstm_parameter_count, check_scalar_rnn_gradient, check_steps_below)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The notebook's exercises, their answers worked out by hand.
W, U, XS, H0 = 0.9, 0.5, [1.0, -2.0, 0.5], 0.2


def hand_scalar_rnn(w, u, xs, h0):
    h, product = h0, 1.0
    for x in xs:
        h = math.tanh(w * h + u * x)
        product *= w * (1 - h * h)
    return product


SCALAR = hand_scalar_rnn(W, U, XS, H0)
FACTOR, THRESHOLD, STEPS = 0.8, 1e-3, 31          # 0.8^30 = 1.24e-3, 0.8^31 = 9.9e-4
GRAD, MAX_NORM, CLIPPED = [3.0, 4.0], 1.0, [0.6, 0.8]
D, H, LSTM_COUNT = 5, 8, 4 * 8 * (5 + 8 + 1)       # 448

RIGHT = [(check_scalar_rnn_gradient, (W, U, XS, H0), SCALAR),
         (check_steps_below, (FACTOR, THRESHOLD), STEPS),
         (check_lstm_parameter_count, (D, H), LSTM_COUNT)]

CALLS = [
    lambda bad: (check_scalar_rnn_gradient, W, U, XS, H0, bad),
    lambda bad: (check_steps_below, FACTOR, THRESHOLD, bad),
    lambda bad: (check_clipped_gradient, GRAD, MAX_NORM, bad),
    lambda bad: (check_lstm_parameter_count, D, H, bad),
    # bad problem arguments (with a right answer) are explained, never called correct
    lambda bad: (check_scalar_rnn_gradient, bad, U, XS, H0, SCALAR),
    lambda bad: (check_scalar_rnn_gradient, W, U, bad, H0, SCALAR),
    lambda bad: (check_steps_below, bad, THRESHOLD, STEPS),
    lambda bad: (check_steps_below, FACTOR, bad, STEPS),
    lambda bad: (check_clipped_gradient, bad, MAX_NORM, CLIPPED),
    lambda bad: (check_clipped_gradient, GRAD, bad, CLIPPED),
    lambda bad: (check_lstm_parameter_count, bad, H, LSTM_COUNT),
    lambda bad: (check_lstm_parameter_count, D, bad, LSTM_COUNT),
]


@pytest.mark.parametrize("kind", [list, np.array, tuple, lambda v: [fractions.Fraction(x).limit_denominator() for x in v]])
def test_the_clipped_gradient_of_any_sequence_type_is_correct(kind):
    result, printed = run_check(check_clipped_gradient, GRAD, MAX_NORM, kind(CLIPPED))
    assert result is True and printed.startswith("correct"), printed


def test_a_short_gradient_is_left_alone():
    result, printed = run_check(check_clipped_gradient, [0.3, 0.4], 1.0, [0.3, 0.4])
    assert result is True and "leaves it" in printed
    result, printed = assert_never_lies(check_clipped_gradient, [0.3, 0.4], 1.0, [0.6, 0.8])
    assert "only shrinks" in printed


(test_bad_answers_are_never_correct, test_right_answers_of_any_number_type_are_correct,
 test_none_is_not_done_yet) = checker_tests(
    CALLS, RIGHT, [(c, a) for c, a, _ in RIGHT] + [(check_clipped_gradient, (GRAD, MAX_NORM))], SETTINGS)


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_other_number_is_wrong(value):
    for (check, args, right), rtol in zip(RIGHT, (SCALAR_RTOL, 1e-6, 1e-6)):
        if abs(value - right) > rtol * abs(right) + 1e-12:
            assert_never_lies(check, *args, value)


@SETTINGS
@given(st.floats(SCALAR_RTOL, 10 * NEAR_RTOL), st.sampled_from([-1, 1]))
def test_the_scalar_rnn_answer_just_outside_three_figures_is_wrong(rel, sign):
    result, printed = assert_never_lies(check_scalar_rnn_gradient, W, U, XS, H0, SCALAR * (1 + sign * rel * 1.0001))
    assert result is False
    if rel < NEAR_RTOL * 0.999:
        assert "give more digits" in printed, printed


@pytest.mark.parametrize("answer", [0.376, 0.37601, round(SCALAR, 4), SCALAR * (1 + 0.9 * SCALAR_RTOL)])
def test_the_scalar_rnn_answer_to_three_figures_is_correct(answer):
    assert abs(answer - SCALAR) <= SCALAR_RTOL * SCALAR       # the notebook's numbers, to 3 figures
    result, printed = run_check(check_scalar_rnn_gradient, W, U, XS, H0, answer)
    assert result is True, printed


@SETTINGS
@given(st.lists(st.floats(-10, 10), min_size=2, max_size=2))
def test_every_other_vector_is_wrong(vector):
    if not np.allclose(vector, CLIPPED, rtol=CLIP_RTOL, atol=1e-9):
        assert_never_lies(check_clipped_gradient, GRAD, MAX_NORM, vector)


def hand_states(w, u, xs, h0):
    hs, h = [], h0
    for x in xs:
        h = math.tanh(w * h + u * x)
        hs.append(h)
    return np.array(hs)


HS = hand_states(W, U, XS, H0)
PRE = W * np.r_[H0, HS[:-1]] + U * np.array(XS)   # the pre-activations a_t


@pytest.mark.parametrize("answer, words", [
    (W ** 3, "w^T"), (np.prod(1 - HS ** 2), "tanh' factors alone"),
    (np.prod(W * (1 - PRE ** 2)), "not 1 - a_t^2"), (np.sum(W * (1 - HS ** 2)), "you added them"),
    (np.prod(W * (1 - np.r_[H0, HS[:-1]] ** 2)), "not 1 - h_{t-1}^2"),
    (np.prod(W * (1 - HS[1:] ** 2)), "one factor is missing"), (np.prod(U * (1 - HS ** 2)), "not u"),
    (-SCALAR, "sign is wrong"), (round(-SCALAR, 3), "sign is wrong"), (HS[-1], "h_3 itself"),
    (round(HS[-1], 4), "h_3 itself"), (0.38, "give more digits"), (2.0, "multiply w (1 - h_t^2)")])
def test_scalar_rnn_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_scalar_rnn_gradient, W, U, XS, H0, answer)
    assert result is False and words in printed, printed


def test_the_scalar_rnn_answer_is_the_product_of_w_times_tanh_prime():
    _, printed = run_check(check_scalar_rnn_gradient, W, U, XS, H0, SCALAR)
    assert f"{SCALAR:.6g}" in printed and printed.count("0.9 *") == 3


@pytest.mark.parametrize("answer, words", [
    (30, "not yet below"), (math.log(THRESHOLD) / math.log(FACTOR), "round it up"), (5, "time scale"),
    (10, "larger"), (40, "smaller"), (30.5, "whole number")])
def test_steps_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_steps_below, FACTOR, THRESHOLD, answer)
    assert result is False and words in printed, printed


@given(st.floats(0.01, 0.99), st.floats(1e-9, 0.99))
@SETTINGS
def test_steps_below_is_the_first_power_under_the_threshold(factor, threshold):
    k = next(k for k in range(10**6) if factor ** k < threshold)
    result, _ = run_check(check_steps_below, factor, threshold, k)
    assert result is True
    assert_never_lies(check_steps_below, factor, threshold, k + 1)
    if k:
        assert_never_lies(check_steps_below, factor, threshold, k - 1)


@pytest.mark.parametrize("answer, words", [
    ([1.0, 1.0], "each entry"), (GRAD, "unchanged"), ([0.3, 0.4], "of length 1"), ([0.8, 0.6], "right length, wrong direction"),
    ([-0.6, -0.8], "right length, wrong direction"), ([0.5, 0.5], "pointing where g points")])
def test_clipping_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_clipped_gradient, GRAD, MAX_NORM, answer)
    assert result is False and words in printed, printed


def test_clipping_to_another_max_norm_names_the_unit_vector_slip():
    result, printed = assert_never_lies(check_clipped_gradient, GRAD, 2.0, CLIPPED)
    assert "length 1" in printed
    assert run_check(check_clipped_gradient, GRAD, 2.0, [1.2, 1.6])[0] is True


def test_a_wrongly_shaped_clipped_gradient_is_named():
    result, printed = assert_never_lies(check_clipped_gradient, GRAD, MAX_NORM, [0.6, 0.8, 0.0])
    assert "shape (2,)" in printed


@pytest.mark.parametrize("answer, words", [
    (H * (D + H + 1), "RNN's count"), (4 * H * (D + H), "left out the bias"),
    (4 * H * (D + H + 2), "PyTorch"), (4 * H * (D + 1) + H * H, "4H rows too"), (LSTM_COUNT + 1, "count Wx")])
def test_lstm_count_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_lstm_parameter_count, D, H, answer)
    assert result is False and words in printed, printed


# Every checker takes its answer through the shared parser: a form is right exactly when
# ``as_number`` (``as_array`` for the vector) reads it as the right value.
FORMS = [lambda v: v, float, lambda v: [v], lambda v: (v,), np.array, lambda v: np.array([v]),
         lambda v: np.array([[v]]), np.float32, str, lambda v: [v, 0], lambda v: True, lambda v: [str(v)]]


@pytest.mark.parametrize("check, args, right", RIGHT)
@pytest.mark.parametrize("form", FORMS)
def test_each_checker_accepts_exactly_what_the_shared_parser_reads(check, args, right, form):
    answer = form(right)
    parsed = as_number(answer)
    result, printed = run_check(check, *args, answer)
    if parsed is None:
        assert result is False and printed.startswith("not yet right"), printed
    else:
        close = abs(parsed - right) <= (SCALAR_RTOL if check is check_scalar_rnn_gradient else 0) * abs(right)
        assert result is close, printed
