"""Notebook 09's checkers: right answers (computed here from their definitions, not read from the
checkers) are accepted in any number type; the usual slips get their hint; bad answers
(``tests/bad_answers.py``) and every other wrong number are never called correct."""
import fractions

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bad_answers import assert_never_lies, checker_tests, run_check
from nnlib.exercises.convolution import (check_conv1d_backward, check_conv_matrix, check_maxpool_gradient,
                                         check_output_size, check_transposed_output_size)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The notebook's exercises and their answers, worked out by hand.
W, N_IN = [1.0, 2.0, -1.0], 5
MATRIX = [[1, 2, -1, 0, 0], [0, 1, 2, -1, 0], [0, 0, 1, 2, -1]]
SIZE_ARGS, SIZE = (28, 5, 2, 2), 14                 # (28 + 4 - 5) // 2 + 1 = 27 // 2 + 1
T_ARGS, T_SIZE = (4, 5, 2, 1), 9                    # (4 - 1) * 2 - 2 + 5
# every size the convolution (kernel 5, stride 2, padding 1) maps to 4: 9, and 10 (output_padding=1)
T_SIZES = [m for m in range(1, 30) if (m + 2 * 1 - 5) // 2 + 1 == 4]
POOL_X = [[1, 3, 2, 0], [0, 3, 1, 1], [4, 1, 5, 6], [2, 2, 6, 0]]   # ties: 3, 3 and 6, 6
POOL_DOUT = [[1.0, -2.0], [0.5, 3.0]]
POOL_DX = [[0, 1, -2, 0], [0, 0, 0, 0], [0.5, 0, 0, 3], [0, 0, 0, 0]]  # first maximum in reading order


def right_backward(x, w, dout):
    """A loop written from the definition out[n, i] = sum_k w[k] x[n, i + k]."""
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    for n in range(x.shape[0]):
        for i in range(dout.shape[1]):
            for k in range(w.size):
                dx[n, i + k] += dout[n, i] * w[k]
                dw[k] += dout[n, i] * x[n, i + k]
    return dx, dw


def unflipped_backward(x, w, dout):
    dx, dw = right_backward(x, w, dout)
    dx = np.zeros_like(x)
    for n in range(x.shape[0]):
        dx[n] = np.correlate(np.pad(dout[n], w.size - 1), w, mode="valid")
    return dx, dw


def averaged_backward(x, w, dout):
    dx, dw = right_backward(x, w, dout)
    return dx, dw / x.shape[0]


def not_done_backward(x, w, dout):
    return None, None


CALLS = [
    lambda bad: (check_conv_matrix, W, N_IN, bad),
    lambda bad: (check_output_size, *SIZE_ARGS, bad),
    lambda bad: (check_transposed_output_size, *T_ARGS, bad),
    lambda bad: (check_maxpool_gradient, POOL_X, POOL_DOUT, bad),
    lambda bad: (check_conv1d_backward, bad),
    lambda bad: (check_conv1d_backward, lambda x, w, dout: bad),
    lambda bad: (check_conv1d_backward, lambda x, w, dout: (bad, right_backward(x, w, dout)[1])),
    lambda bad: (check_conv1d_backward, lambda x, w, dout: (right_backward(x, w, dout)[0], bad)),
    # bad problem arguments (with a right answer) are explained, never called correct
    lambda bad: (check_conv_matrix, bad, N_IN, MATRIX),
    lambda bad: (check_conv_matrix, W, bad, MATRIX),
    lambda bad: (check_output_size, bad, 5, 2, 2, SIZE),
    lambda bad: (check_output_size, 28, 5, bad, 2, SIZE),
    lambda bad: (check_transposed_output_size, 4, bad, 2, 1, T_SIZE),
    lambda bad: (check_transposed_output_size, 4, 5, 2, bad, T_SIZE),
    lambda bad: (check_maxpool_gradient, bad, POOL_DOUT, POOL_DX),
    lambda bad: (check_maxpool_gradient, POOL_X, bad, POOL_DX),
]


RIGHT = [(check_conv_matrix, (W, N_IN), MATRIX), (check_output_size, SIZE_ARGS, SIZE),
         (check_transposed_output_size, T_ARGS, T_SIZE), (check_maxpool_gradient, (POOL_X, POOL_DOUT), POOL_DX)]


def test_right_backward_passes_check_gradients():
    result, printed = run_check(check_conv1d_backward, right_backward)
    assert result is True and printed.startswith("correct") and "check_gradients" in printed, printed


KINDS = [np.array, lambda v: np.array(v, dtype=np.float32),
         lambda v: np.vectorize(fractions.Fraction)(v).tolist() if np.ndim(v) else fractions.Fraction(v),
         lambda v: np.asarray(v).tolist()]
(test_bad_answers_are_never_correct, test_right_answers_of_any_number_type_are_correct,
 test_none_is_not_done_yet) = checker_tests(
    CALLS, RIGHT, [(c, a) for c, a, _ in RIGHT] + [(check_conv1d_backward, ())], SETTINGS, kinds=KINDS)


def test_a_backward_that_returns_none_none_is_not_done_yet():
    result, printed = run_check(check_conv1d_backward, not_done_backward)
    assert result is None and printed.startswith("not done yet")


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_other_size_is_wrong(value):
    for check, args, rights in ((check_output_size, SIZE_ARGS, [SIZE]),
                                (check_transposed_output_size, T_ARGS, T_SIZES)):
        if all(abs(value - right) > 1e-6 * right + 1e-9 for right in rights):
            assert_never_lies(check, *args, value)


@SETTINGS
@given(st.tuples(st.integers(0, 2), st.integers(0, 4)), st.floats(-10, 10, allow_nan=False))
def test_every_changed_matrix_entry_is_wrong(where, delta):
    if abs(delta) < 1e-3:
        return
    answer = np.array(MATRIX, dtype=float)
    answer[where] += delta
    result, printed = assert_never_lies(check_conv_matrix, W, N_IN, answer)
    assert result is False


@SETTINGS
@given(st.tuples(st.integers(0, 3), st.integers(0, 3)), st.floats(-10, 10, allow_nan=False))
def test_every_changed_pooling_gradient_is_wrong(where, delta):
    if abs(delta) < 1e-3:
        return
    answer = np.array(POOL_DX, dtype=float)
    answer[where] += delta
    result, printed = assert_never_lies(check_maxpool_gradient, POOL_X, POOL_DOUT, answer)
    assert result is False


@SETTINGS
@given(st.floats(-3, 3, allow_nan=False), st.integers(0, 2))
def test_a_backward_off_by_anything_fails(scale, which):
    # scale 1 and slot "both" would be the right answer: skipped as the property demands
    if abs(scale - 1) < 1e-3:
        return

    def off(x, w, dout):
        dx, dw = right_backward(x, w, dout)
        return (dx * scale if which != 1 else dx), (dw * scale if which != 0 else dw)

    result, printed = assert_never_lies(check_conv1d_backward, off)
    assert result is False and "relative errors" in printed


@pytest.mark.parametrize("answer, words", [
    (np.array(MATRIX).T, "transpose"),
    ([[-1, 2, 1, 0, 0], [0, -1, 2, 1, 0], [0, 0, -1, 2, 1]], "flipped"),
    ([[1, 2, -1, 0, 0], [0, 1, 2, -1, 0], [0, 0, 1, 2, 1]], "row 2")])
def test_matrix_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_conv_matrix, W, N_IN, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("row", range(3))
def test_a_wrong_row_is_named_without_giving_its_contents(row):
    answer = np.array(MATRIX, dtype=float)
    answer[row] = 0.0
    result, printed = assert_never_lies(check_conv_matrix, W, N_IN, answer)
    right_row = np.array(MATRIX[row], dtype=float)
    assert result is False and f"row {row}" in printed and f"x[{row} + k]" in printed, printed
    assert str(right_row.tolist()) not in printed and str(MATRIX[row]) not in printed, printed


@pytest.mark.parametrize("answer, words", [
    (14.5, "round the division down"), (13, "add 1"), (12, "the padding counts"),
    (28, "divide by the stride"), (16, "subtract the kernel size"), (15, "count the kernel's positions")])
def test_output_size_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_output_size, *SIZE_ARGS, answer)
    assert result is False and words in printed


def test_padding_on_one_side_only_gets_its_hint():
    # (10 + 3 - 3) // 1 + 1 = 11 against the right (10 + 6 - 3) + 1 = 14
    result, printed = assert_never_lies(check_output_size, 10, 3, 1, 3, 11)
    assert result is False and "BOTH sides" in printed


@pytest.mark.parametrize("answer, words", [
    (1, "size formula of the convolution itself"), (11, "subtract 2 padding"), (8, "n * stride"),
    (12, "(n - 1) stride - 2 padding + kernel_size")])
def test_transposed_size_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_transposed_output_size, *T_ARGS, answer)
    assert result is False and words in printed


def test_padding_on_one_side_of_a_transposed_convolution_gets_its_hint():
    # padding 2: right are (4 - 1) * 2 - 4 + 5 = 7 and 8; one side only gives 6 - 2 + 5 = 9
    result, printed = assert_never_lies(check_transposed_output_size, 4, 5, 2, 2, 9)
    assert result is False and "from both sides" in printed and "7" in printed, printed


def test_every_size_the_convolution_maps_back_is_right():
    # the notebook's exercise: 9 and 10 both go to 4 through the convolution; 10 needs output_padding=1
    assert T_SIZES == [9, 10]
    for size in T_SIZES:
        result, printed = run_check(check_transposed_output_size, *T_ARGS, size)
        assert result is True and printed.startswith("correct"), printed
        assert "output_padding" in printed, printed
    result, printed = run_check(check_transposed_output_size, *T_ARGS, 10)
    assert "output_padding=1" in printed and "smallest, 9" in printed, printed


@pytest.mark.parametrize("answer, words", [
    ([[0, 0.5, -2, 0], [0, 0.5, 0, 0], [0.5, 0, 0, 1.5], [0, 0, 1.5, 0]], "splitting a tie"),
    ([[0, 1, -2, 0], [0, 1, 0, 0], [0.5, 0, 0, 3], [0, 0, 3, 0]], "whole gradient"),
    ([[0, 0, -2, 0], [0, 1, 0, 0], [0.5, 0, 0, 0], [0, 0, 3, 0]], "FIRST maximum"),
    ([[0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 1], [0, 0, 0, 0]], "multiply by dout"),
    ([[1, 0, -2, 0], [0, 0, 0, 0], [0.5, 0, 0, 3], [0, 0, 0, 0]], "entry [0, 0] should be 0")])
def test_pooling_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_maxpool_gradient, POOL_X, POOL_DOUT, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("moved", [((0, 1), (1, 1)), ((2, 3), (3, 2))])
def test_choosing_the_other_tied_maximum_of_one_window_names_the_tie_rule(moved):
    # the gradient on the other maximum of ONE tied window: that entry is a maximum, and the
    # message must say the tie rule, not that only the maximum gets the gradient
    first, other = moved
    answer = np.array(POOL_DX, dtype=float)
    answer[other], answer[first] = answer[first], 0.0
    result, printed = assert_never_lies(check_maxpool_gradient, POOL_X, POOL_DOUT, answer)
    assert result is False and "tied maxima" in printed and "FIRST maximum" in printed, printed
    assert "only each window's maximum" not in printed, printed


@pytest.mark.parametrize("backward, words", [
    (unflipped_backward, "flip the kernel"), (averaged_backward, "do not average"),
    (lambda x, w, dout: (right_backward(x, w, dout)[0], right_backward(x, w, dout)[1][::-1]), "reversed"),
    (lambda x, w, dout: (np.zeros_like(x), right_backward(x, w, dout)[1]), "dx is all zeros"),
    (lambda x, w, dout: right_backward(x, w, dout)[0], "return two arrays"),
    (lambda x, w, dout: (x, w[:2]), "dw should be an array of finite numbers of shape"),
    (lambda x, w, dout: 1 / 0, "ZeroDivisionError"),
    (right_backward(np.ones((1, 3)), np.ones(2), np.ones((1, 2))), "pass your backward FUNCTION")])
def test_backward_slips_get_their_hint(backward, words):
    result, printed = assert_never_lies(check_conv1d_backward, backward)
    assert result is False and words in printed, printed


def test_a_backward_that_fits_only_the_first_shapes_fails():
    def hard_coded(x, w, dout):
        if x.shape != (2, 7):
            return np.zeros((2, 7)), np.zeros(3)
        return right_backward(x, w, dout)

    result, printed = assert_never_lies(check_conv1d_backward, hard_coded)
    assert result is False and "(3, 9)" in printed


def test_a_backward_that_changes_its_inputs_does_not_fool_the_check():
    def in_place(x, w, dout):
        dx, dw = right_backward(x, w, dout)
        x[...] = 0.0  # the layer's cached input must not change through the student's function
        w[...] = 0.0
        return dx, dw

    result, printed = run_check(check_conv1d_backward, in_place)
    assert result is True, printed
