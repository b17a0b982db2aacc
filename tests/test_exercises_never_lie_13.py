"""Notebook 13's checkers: right answers (computed here from their definitions, not read from
the checkers) are accepted in any number type; the usual slips get their hint; bad answers
(``tests/bad_answers.py``) and every other wrong number are never called correct."""
import fractions

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnlib
from bad_answers import assert_never_lies, checker_tests, run_check
from nnlib.exercises.encoder_decoder import (check_bottleneck_size, check_decoder_inputs, check_hand_over,
                                             check_transposed_size)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The notebook's exercises and their answers, worked out by hand.
SIZE_ARGS, SIZE = (4, 3, 2, 1, 1), (4 - 1) * 2 - 2 * 1 + 3 + 1
TARGET, START, INPUTS = [3, 1, 4, 1], 10, [10, 3, 1, 4]
MODEL = nnlib.Seq2Seq(vocab=10, embed_dim=4, hidden_size=5, rng=7)
SRC, TGT = nnlib.sequence_task(3, 4, task="sort", rng=8)


def encoder_grad(dh=True, dc=True, times=1, swap=False):
    """The encoder's Wh gradient by the written-out backward (optionally leaving out a half of
    the hand-over, or running it twice)."""
    m = MODEL
    m.zero_grad()
    for _ in range(times):
        m.loss(SRC, TGT)
        d = m.out.backward(m.loss_fn.backward())
        m.tgt_embed.backward(m.decoder.backward(d), input_grad=False)
        kwargs = {}
        if dh:
            kwargs["dh_n"] = m.decoder.dh0
        if dc:
            kwargs["dc_n"] = m.decoder.dc0
        if swap:
            kwargs = {"dh_n": m.decoder.dc0, "dc_n": m.decoder.dh0}
        m.src_embed.backward(m.encoder.backward(None, **kwargs), input_grad=False)
    grad = m.encoder.Wh.grad.copy()
    m.zero_grad()
    return grad


GRAD = encoder_grad()

CALLS = [
    lambda bad: (check_transposed_size, *SIZE_ARGS, bad),
    lambda bad: (check_bottleneck_size, 32, bad),
    lambda bad: (check_decoder_inputs, TARGET, START, bad),
    lambda bad: (check_hand_over, MODEL, SRC, TGT, bad),
    lambda bad: (check_transposed_size, bad, 3, 2, 1, 1, SIZE),
    lambda bad: (check_transposed_size, 4, 3, 2, bad, 1, SIZE),
    lambda bad: (check_bottleneck_size, bad, 64),
    lambda bad: (check_decoder_inputs, bad, START, INPUTS),
    lambda bad: (check_decoder_inputs, TARGET, bad, INPUTS),
    lambda bad: (check_hand_over, bad, SRC, TGT, GRAD),
    lambda bad: (check_hand_over, MODEL, bad, TGT, GRAD),
]


@pytest.mark.parametrize("kind", [int, float, np.int64, np.array, fractions.Fraction])
def test_right_numbers_of_any_type_are_correct(kind):
    for check, args, right in ((check_transposed_size, SIZE_ARGS, SIZE), (check_bottleneck_size, (32,), 64)):
        result, printed = run_check(check, *args, kind(right))
        assert result is True and printed.startswith("correct"), printed


@pytest.mark.parametrize("kind", [list, tuple, np.array, lambda v: np.array(v, dtype=float)])
def test_right_sequences_are_correct(kind):
    result, printed = run_check(check_decoder_inputs, TARGET, START, kind(INPUTS))
    assert result is True and printed.startswith("correct"), printed
    result, printed = run_check(check_hand_over, MODEL, SRC, TGT, GRAD.tolist() if kind is list else GRAD)
    assert result is True and printed.startswith("correct"), printed


def test_the_sizes_are_nnlibs_own():
    layer = nnlib.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1, rng=0)
    assert layer.forward(np.zeros((1, 16, 4, 4))).shape[2] == SIZE
    lstm = MODEL.encoder
    assert MODEL.encode(SRC)[0].size + MODEL.encode(SRC)[1].size == SRC.shape[0] * 2 * lstm.hidden_size
    assert MODEL.decoder_inputs(np.array([TARGET]))[0].tolist() == INPUTS


test_bad_answers_are_never_correct, _, test_none_is_not_done_yet = checker_tests(
    CALLS, None, [(check_transposed_size, SIZE_ARGS), (check_bottleneck_size, (32,)),
     (check_decoder_inputs, (TARGET, START)), (check_hand_over, (MODEL, SRC, TGT))], SETTINGS)


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_other_number_is_wrong(value):
    if value != SIZE:
        assert_never_lies(check_transposed_size, *SIZE_ARGS, value)
    if value != 64:
        assert_never_lies(check_bottleneck_size, 32, value)


@SETTINGS
@given(st.lists(st.integers(-3, 12), min_size=0, max_size=6))
def test_every_other_sequence_is_wrong(seq):
    if seq != INPUTS:
        assert_never_lies(check_decoder_inputs, TARGET, START, seq)


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.floats(1e-3, 10.0))
def test_perturbed_gradients_are_wrong(seed, scale):
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(GRAD.shape) * scale * np.abs(GRAD).max()
    assert_never_lies(check_hand_over, MODEL, SRC, TGT, GRAD + noise)


@pytest.mark.parametrize("answer, words", [(SIZE - 1, "output_padding"), (2, "Conv2d"), (4, "input's size"),
                                           (5, "stride"), (9, "full spread"), (16, "input pixels")])
def test_size_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_transposed_size, *SIZE_ARGS, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [(32, "c_n"), (128, "4 gates"), (320, "does not grow"),
                                           (160, "does not grow")])
def test_bottleneck_slip_gets_its_hint(answer, words):
    result, printed = assert_never_lies(check_bottleneck_size, 32, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [(TARGET, "target itself"), ([10, 3, 1, 4, 1], "too many"),
                                           ([0, 3, 1, 4], "start token"), ([10, 3, 1], "one symbol too few"),
                                           ([[10, 3], [1, 4]], "shape (2, 2)"),
                                           ([[10, 3, 1, 4]], "shape (1, 4)"),
                                           ([3, 1, 4, 10], "you have [3, 1, 4, 10],")])
def test_teacher_forcing_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_decoder_inputs, TARGET, START, answer)
    assert result is False and words in printed


def test_hand_over_success_claims_only_what_it_can_know():
    result, printed = run_check(check_hand_over, MODEL, SRC, TGT, GRAD)
    assert result is True and "Seq2Seq.backward" in printed and "through decoder.dh0" not in printed


@pytest.mark.parametrize("answer, words", [
    (np.zeros_like(GRAD), "nothing reached the encoder"),
    (encoder_grad(dc=False), "dc_n=decoder.dc0"),
    (encoder_grad(dh=False), "dh_n=decoder.dh0"),
    (encoder_grad(times=2), "twice"),
    (encoder_grad(swap=True), "swapped")])
def test_hand_over_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_hand_over, MODEL, SRC, TGT, answer)
    assert result is False and words in printed
    assert not np.any(MODEL.encoder.Wh.grad)  # the checker works on a copy
