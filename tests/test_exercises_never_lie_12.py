"""Notebook 12's checkers: right answers (computed here from their definitions, not read from the
checkers) are accepted in any number type; the usual slips get their hint; bad answers
(``tests/bad_answers.py``) and every other wrong number are never called correct."""
import fractions
import re

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bad_answers import assert_never_lies, checker_tests, run_check
from nnlib.exercises.embeddings import (check_char_model_parameters, check_embedding_grad, check_perplexity,
                                        check_temperature_probability)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The notebook's exercises and their answers, worked out by hand.
INDICES, DOUT, V_EX = [2, 0, 2], [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], 4
DW = np.array([[3.0, 4.0], [0.0, 0.0], [6.0, 8.0], [0.0, 0.0]])     # row 2 = (1, 2) + (5, 6)
PROBS = [0.5, 0.25, 0.125, 0.5]
PERPLEXITY = 2 ** 1.75                                                # -ln p = (1, 2, 3, 1) ln 2
SIZES = (33, 16, 64)
COUNT = 33 * 16 + 4 * 64 * (16 + 64 + 1) + 64 * 33 + 33              # 23409
SCORES, TEMPERATURE, INDEX = [2.0, 1.0, 0.0], 0.5, 0
PROBABILITY = np.exp(4) / (np.exp(4) + np.exp(2) + 1)

CALLS = [
    lambda bad: (check_embedding_grad, INDICES, DOUT, V_EX, bad),
    lambda bad: (check_perplexity, PROBS, bad),
    lambda bad: (check_char_model_parameters, *SIZES, bad),
    lambda bad: (check_temperature_probability, SCORES, TEMPERATURE, INDEX, bad),
    # bad problem arguments (with a right answer) are explained, never called correct
    lambda bad: (check_embedding_grad, bad, DOUT, V_EX, DW),
    lambda bad: (check_embedding_grad, INDICES, bad, V_EX, DW),
    lambda bad: (check_embedding_grad, INDICES, DOUT, bad, DW),
    lambda bad: (check_perplexity, bad, PERPLEXITY),
    lambda bad: (check_char_model_parameters, bad, 16, 64, COUNT),
    lambda bad: (check_char_model_parameters, 33, 16, bad, COUNT),
    lambda bad: (check_temperature_probability, bad, TEMPERATURE, INDEX, PROBABILITY),
    lambda bad: (check_temperature_probability, SCORES, bad, INDEX, PROBABILITY),
    lambda bad: (check_temperature_probability, SCORES, TEMPERATURE, bad, PROBABILITY),
]
RIGHT = [(check_perplexity, (PROBS,), PERPLEXITY), (check_char_model_parameters, SIZES, COUNT),
         (check_temperature_probability, (SCORES, TEMPERATURE, INDEX), PROBABILITY)]


@pytest.mark.parametrize("kind", [np.array, lambda a: a.tolist(), lambda a: a.astype(np.float32),
                                  lambda a: [[fractions.Fraction(int(v)) for v in row] for row in a]])
def test_the_right_embedding_gradient_of_any_kind_is_correct(kind):
    result, printed = run_check(check_embedding_grad, INDICES, DOUT, V_EX, kind(DW))
    assert result is True and printed.startswith("correct"), printed


(test_bad_answers_are_never_correct, test_right_answers_of_any_number_type_are_correct,
 test_none_is_not_done_yet) = checker_tests(
    CALLS, RIGHT, [(check_embedding_grad, (INDICES, DOUT, V_EX)), *[(c, a) for c, a, _ in RIGHT]], SETTINGS)


# A number typed by hand is accepted to three significant figures: within this relative tolerance.
RTOL = 1.5e-3


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_other_number_is_wrong(value):
    for check, args, right in RIGHT:
        if abs(value - right) > RTOL * abs(right) + 1e-9:
            result, printed = assert_never_lies(check, *args, value)
            shown = re.search(r"you have (\S+), it is (\S+?):", printed)
            assert shown is None or shown.group(1) != shown.group(2), printed


@SETTINGS
@given(st.sampled_from([0, 2]), st.floats(RTOL * 1.001, 0.1))
def test_a_number_just_outside_the_tolerance_is_wrong_and_reads_differently(which, offset):
    check, args, right = RIGHT[which]
    for value in (right * (1 + offset), right * (1 - offset)):
        result, printed = assert_never_lies(check, *args, value)
        shown = re.search(r"you have (\S+), it is (\S+?):", printed)
        assert result is False and shown and shown.group(1) != shown.group(2), printed


@pytest.mark.parametrize("which", [0, 2])
@pytest.mark.parametrize("digits", [3, 4, 5, 6])
@pytest.mark.parametrize("kind", [float, lambda v: fractions.Fraction(str(v)), lambda v: sp.Float(v), lambda v: [v]])
def test_rounded_right_answers_are_correct(which, digits, kind):
    check, args, right = RIGHT[which]
    rounded = float(f"{right:.{digits}g}")                          # 3.36, 0.867; 3.3636, 0.86681
    result, printed = run_check(check, *args, kind(rounded))
    assert result is True and printed.startswith("correct"), printed


@pytest.mark.parametrize("which", [0, 2])
@pytest.mark.parametrize("offset", [2e-3, -5e-3, 1.5e-2])
def test_a_near_answer_is_told_to_give_more_digits(which, offset):
    check, args, right = RIGHT[which]
    result, printed = assert_never_lies(check, *args, right * (1 + offset))
    assert result is False and "right method, give more digits" in printed, printed


@pytest.mark.parametrize("which", range(len(RIGHT)))
def test_every_number_checker_treats_one_element_lists_alike(which):
    check, args, right = RIGHT[which]
    result, printed = run_check(check, *args, [right])                # as_number takes [x] as x
    assert result is True, printed
    result, printed = assert_never_lies(check, *args, [right, right])
    assert result is False and "one number" in printed, printed


@pytest.mark.parametrize("answer, words, not_words", [
    ([[3.0, 4.0, 0.0, 0.0], [0.0, 0.0, 6.0, 8.0]], "shape", "transpose"),   # (2, 4) but not dW.T
    (DOUT, "one row per symbol of the table, not per lookup", "transpose"),
    (-DW, "sign", "[3. 4.]"),
    ([[-3.0, -4.0], [0.0, 0.0], [6.0, 8.0], [0.0, 0.0]], "row 0 has the wrong sign", "[3. 4.]"),
    ([[3.0, 4.0], [0.0, 0.0], [6.0, 9.0], [0.0, 0.0]], "row 2", "[6. 8.]"),
])
def test_embedding_gradient_messages_fit_the_answer_and_do_not_give_it_away(answer, words, not_words):
    result, printed = assert_never_lies(check_embedding_grad, INDICES, DOUT, V_EX, answer)
    assert result is False and words in printed and not_words not in printed, printed


@SETTINGS
@given(st.integers(0, 3), st.integers(0, 1), st.floats(-100, 100, allow_nan=False))
def test_every_other_embedding_gradient_is_wrong(row, col, delta):
    wrong = DW.copy()
    wrong[row, col] += delta
    if abs(delta) > 1e-6 * max(abs(DW[row, col]), 1.0):
        assert_never_lies(check_embedding_grad, INDICES, DOUT, V_EX, wrong)


@SETTINGS
@given(st.lists(st.integers(0, 5), min_size=1, max_size=6), st.integers(1, 3), st.integers(0, 1000))
def test_the_embedding_gradient_is_nnlibs_for_any_lookup(indices, D, seed):
    dout = np.random.default_rng(seed).normal(size=(len(indices), D))
    expected = np.zeros((6, D))
    for k, g in zip(indices, dout):                                  # one occurrence at a time
        expected[k] += g
    result, printed = run_check(check_embedding_grad, indices, dout, 6, expected)
    assert result is True, printed
    if len(set(indices)) < len(indices):                             # the overwrite slip differs
        overwritten = np.zeros((6, D))
        overwritten[indices] = dout
        result, printed = assert_never_lies(check_embedding_grad, indices, dout, 6, overwritten)
        assert "ADD" in printed


@pytest.mark.parametrize("answer, words", [
    ([[3.0, 4.0], [0.0, 0.0], [5.0, 6.0], [0.0, 0.0]], "ADD"),         # W.grad[x] = dout: the last wins
    ([[3.0, 4.0], [0.0, 1.0], [6.0, 8.0], [0.0, 0.0]], "never looked up"),
    ([[3.0, 4.0], [0.0, 0.0], [6.0, 9.0], [0.0, 0.0]], "row 2"),
    (DW.T, "transpose"),
])
def test_embedding_gradient_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_embedding_grad, INDICES, DOUT, V_EX, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [
    (1.75 * np.log(2), "that is the loss"), (2.0 ** 7, "SUM"), (np.mean(1 / np.array(PROBS)), "mean of 1/p"),
    (1 / np.mean(PROBS), "1 / (mean p)"), (np.exp(1.75), "mixed bases"), (2 ** (1.75 * np.log(2)), "mixed bases")])
def test_perplexity_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_perplexity, PROBS, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [
    (33 * 16 + 64 * 81 + 64 * 33 + 33, "FOUR"), (4 * 64 * 81 + 64 * 33 + 33, "embedding table"),
    (33 * 16 + 4 * 64 * 80 + 64 * 33, "biases"), (33 * 16 + 4 * 64 * 81 + 64 * 33, "output layer's V biases"),
    (33 * 16 + 4 * 64 * 80 + 64 * 33 + 33, "LSTM's 4H biases"), (33 * 16 + 4 * 64 * 81, "Dense(H, V)"),
    (23409.5, "whole number"),
    (33 * 16 + 4 * 64 * (16 + 64 + 2) + 64 * 33 + 33, "PyTorch"),          # two biases per gate: 23665
    (33 * 16 + 3 * 64 * (16 + 64 + 1) + 64 * 33 + 33, "FOUR blocks"),      # three gates: 18225
    (4 * 64 * (33 + 64 + 1) + 64 * 33 + 33, "one-hot")])                  # no table: 27233
def test_parameter_count_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_char_model_parameters, *SIZES, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [
    (np.exp(1) / (np.exp(1) + np.exp(0.5) + 1), "multiplied"),
    (np.exp(2) / (np.exp(2) + np.exp(1) + 1), "temperature 1"),
    (np.exp(4), "before normalising"), (4 / 6, "not z / T itself"), (1.5, "between 0 and 1")])
def test_temperature_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_temperature_probability, SCORES, TEMPERATURE, INDEX, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("V, D, H", [(33, 16, 64), (5, 3, 4), (1, 1, 1)])
def test_the_parameter_count_is_the_models(V, D, H):
    import nnlib
    model = nnlib.Sequential(nnlib.Embedding(V, D), nnlib.LSTM(D, H), nnlib.Dense(H, V))
    result, printed = run_check(check_char_model_parameters, V, D, H, model.num_parameters())
    assert result is True and str(V * D + 4 * H * (D + H + 1) + H * V + V) in printed
