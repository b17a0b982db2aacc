"""Checks for notebook 13, the encoder-decoder: a transposed convolution's output size, how many
numbers cross the seq2seq bottleneck, what the decoder reads under teacher forcing, and the
hand-over from decoder to encoder written out by hand.

Every check answers with one sentence, never a traceback: answers are parsed by the shared
``as_number`` / ``as_array``. The right answers are computed by nnlib itself (a ConvTranspose2d's
output, ``Seq2Seq.decoder_inputs``, ``Seq2Seq.backward``), so the checks and the library agree.
"""
import copy

import numpy as np

from ..conv import ConvTranspose2d
from ..seq2seq import Seq2Seq
from . import as_array, as_number, describe, not_a_number, not_done, report, why_not_array


def _positive_int(value):
    number = as_number(value)
    if number is None or number != int(number) or number < 1 or number > 10**6:
        return None
    return int(number)


# -- exercise 1: the size a transposed convolution makes -------------------------------------
def transposed_size(size, kernel, stride, padding, output_padding):
    """The height of ConvTranspose2d(1, 1, kernel, stride, padding, output_padding)'s output
    for a size x size input: measured on nnlib's layer, not from the formula."""
    layer = ConvTranspose2d(1, 1, kernel, stride=stride, padding=padding, output_padding=output_padding, rng=0)
    return int(layer.forward(np.zeros((1, 1, size, size))).shape[2])


def check_transposed_size(size, kernel, stride, padding, output_padding, answer):
    """The output height of ConvTranspose2d(kernel, stride, padding, output_padding) on a
    size x size map."""
    settings = [_positive_int(v) for v in (size, kernel, stride)]
    pads = [as_number(padding), as_number(output_padding)]
    if None in settings or any(p is None or p != int(p) or p < 0 for p in pads):
        return report(False, f"size, kernel and stride should be positive whole numbers and padding, "
                             f"output_padding whole numbers >= 0, got {describe(size)}, {describe(kernel)}, "
                             f"{describe(stride)}, {describe(padding)}, {describe(output_padding)}")
    size, kernel, stride = settings
    padding, output_padding = int(pads[0]), int(pads[1])
    if output_padding >= stride or (size - 1) * stride - 2 * padding + kernel + output_padding < 1:
        return report(False, "these settings make no valid layer (output_padding must be below the stride, "
                             "and the output must have at least one pixel)")
    if answer is None:
        return not_done("replace None with the height (= width) of the output map")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the output size")
    expected = transposed_size(size, kernel, stride, padding, output_padding)
    formula = f"({size} - 1)*{stride} - 2*{padding} + {kernel} + {output_padding} = {expected}"
    if value == expected:
        return report(True, f"H' = (H - 1) stride - 2 padding + kernel + output_padding = {formula}")
    hints = [(expected - output_padding, "you left out output_padding, the extra row at the bottom"),
             ((size + 2 * padding - kernel) // stride + 1,
              "that is a Conv2d's output size; the transposed one goes the other way"),
             (size * stride, "close, but the kernel's overhang and the padding change it: "
                             "H' = (H - 1) stride - 2 padding + kernel + output_padding"),
             (size, "that is the input's size: a transposed convolution with stride "
                    f"{stride} spreads the input pixels {stride} apart, so the map grows"),
             ((size - 1) - 2 * padding + kernel + output_padding,
              "you left out the stride: the input pixels land stride apart, (H - 1) stride"),
             ((size - 1) * stride - 2 * padding + output_padding,
              "you left out the kernel: each input pixel is spread over a kernel-sized patch"),
             ((size - 1) * stride + kernel,
              "that is the full spread (H - 1) stride + kernel before cropping: subtract padding on "
              "each side, add output_padding"),
             ((size - 1) * stride - padding + kernel + output_padding,
              "padding is cropped on both sides: subtract 2 padding, not padding once"),
             (size * size, f"that is {size}x{size}, the number of input pixels; the answer is the height"),
             (expected * expected, "that is the output's number of pixels; the answer is the height (= width)")]
    for wrong, hint in hints:
        if value == wrong and wrong != expected:
            return report(False, f"you have {value:g}, not {expected}: {hint}")
    return report(False, f"you have {value:g}, not {expected}: a transposed convolution spreads each input "
                         f"pixel over a kernel-sized patch, stride apart, then crops padding on each side")


# -- exercise 2: the bottleneck's width ------------------------------------------------------
def check_bottleneck_size(hidden_size, answer):
    """How many numbers the decoder of a Seq2Seq with LSTMs of ``hidden_size`` receives about
    the whole input sequence."""
    h = _positive_int(hidden_size)
    if h is None:
        return report(False, f"hidden_size should be a positive whole number, got {describe(hidden_size)}")
    if answer is None:
        return not_done("replace None with the number of numbers the decoder is given about the input")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the number of numbers")
    expected = len(Seq2Seq(vocab=2, embed_dim=1, hidden_size=h, rng=0).encode(np.zeros((1, 1), dtype=int))) * h
    if value == expected:
        return report(True, f"h_n and c_n, {h} numbers each: {expected} numbers per sequence, "
                            f"whatever the sequence's length")
    if value == h:
        return report(False, f"you have {h}: that is h_n alone, but an LSTM's state is two vectors, "
                             f"h_n and the cell state c_n, and the decoder starts from both")
    if value == 4 * h:
        return report(False, f"you have {4 * h}: that is the 4 gates' rows of encoder.Wh (4H), the weights; "
                             f"the decoder is given the encoder's state, h_n and c_n")
    if value > expected and value % h == 0:
        return report(False, f"you have {value:g}, not {expected}: the state does not grow with the length; "
                             f"the decoder is given h_n and c_n, {h} numbers each, however long the input")
    return report(False, f"you have {value:g}, not {expected}: the decoder starts from the encoder's final "
                         f"state and sees nothing else of the input")


# -- exercise 3: teacher forcing -------------------------------------------------------------
def check_decoder_inputs(target, start, answer):
    """What the decoder reads in training (teacher forcing) for the target sequence ``target``
    (1-D, symbols 0..start-1), with start token ``start``."""
    t = as_array(target)
    s = _positive_int(start)
    if t is None or t.ndim != 1 or t.size < 2 or (t != np.round(t)).any() or s is None or s < 2 \
            or t.min() < 0 or t.max() >= s:
        return report(False, f"target should be 1-D whole numbers in [0, start) and start >= 2, got "
                             f"{describe(target)} and {describe(start)}")
    if answer is None:
        return not_done("replace None with the list of symbols the decoder reads, one per step")
    problem = why_not_array(answer)
    if problem is not None:
        return report(False, f"the answer should be a list of {t.size} symbols: {problem}")
    value = as_array(answer)
    shown = value.astype(int).tolist() if np.all(value == np.round(value)) else value.tolist()
    t = t.astype(int)
    expected = Seq2Seq(vocab=s, embed_dim=1, hidden_size=1, rng=0).decoder_inputs(t[None])[0]
    if value.shape == expected.shape and np.array_equal(value, expected):
        return report(True, f"{expected.tolist()}: the start token, then the true symbols shifted one step "
                            f"right, so at step t the decoder reads symbol t-1 and must predict symbol t")
    if value.shape == t.shape and np.array_equal(value, t):
        return report(False, "that is the target itself: at each step the decoder would read the very symbol "
                             "it has to predict, and learn to copy its input")
    if value.size == t.size + 1 and np.array_equal(value.ravel(), np.concatenate([[s], t])):
        return report(False, f"one symbol too many: there are {t.size} steps; the last target symbol is "
                             f"predicted, never read")
    if value.size == t.size - 1 and (np.array_equal(value.ravel(), expected[:-1])
                                     or np.array_equal(value.ravel(), t[:-1])):
        return report(False, f"one symbol too few: there are {t.size} steps, one per target symbol, so the "
                             f"decoder reads {t.size} symbols, the start token first")
    if value.ndim != 1 and value.size == expected.size and np.array_equal(value.ravel(), expected):
        return report(False, f"the right symbols, but shape {value.shape}: give a flat list of {t.size} "
                             f"symbols, one per step")
    if value.shape == expected.shape and np.array_equal(value[1:], expected[1:]):
        return report(False, f"the first step reads the start token {s}, the one symbol not in the target")
    return report(False, f"you have {shown}, which is not it: step 0 reads the start token, step t "
                         f"the true symbol of step t-1")


# -- exercise 4: the hand-over written out ---------------------------------------------------
def hand_over_gradient(model, src, target):
    """encoder.Wh.grad after one teacher-forced loss and backward of a copy of ``model``."""
    twin = copy.deepcopy(model)
    twin.zero_grad()
    twin.loss(src, target)
    twin.backward()
    return twin.encoder.Wh.grad.copy()


def check_hand_over(model, src, target, answer):
    """``answer``: the encoder's Wh gradient the student's written-out backward gave for
    ``model.loss(src, target)`` (zeroed gradients first)."""
    if not isinstance(model, Seq2Seq):
        return report(False, f"model should be an nnlib Seq2Seq, got {describe(model)}")
    try:
        expected = hand_over_gradient(model, src, target)
    except (TypeError, ValueError) as exc:
        return report(False, f"src and target do not fit the model: {exc}")
    if answer is None:
        return not_done("replace None with encoder.Wh.grad after your backward (a copy)")
    problem = why_not_array(answer, expected.shape)
    if problem is not None:
        return report(False, f"the answer should be encoder.Wh.grad, shape {expected.shape}: {problem}")
    value = as_array(answer)
    if np.allclose(value, expected, rtol=1e-6, atol=1e-12):
        return report(True, "it equals the encoder.Wh gradient of Seq2Seq.backward (the checker compares "
                            "the numbers; it cannot see whether you wrote the backward out yourself)")
    if not np.any(value):
        return report(False, "all zeros: nothing reached the encoder. Its outputs were not used, so its only "
                             "gradient is the one the decoder hands over: encoder.backward(None, "
                             "dh_n=decoder.dh0, dc_n=decoder.dc0)")
    twin = copy.deepcopy(model)
    twin.zero_grad()
    twin.loss(src, target)
    twin.backward()
    for given, left_out in ((dict(dh_n=twin.decoder.dh0), "dc_n=decoder.dc0"),
                            (dict(dc_n=twin.decoder.dc0), "dh_n=decoder.dh0")):
        twin.encoder.zero_grad()
        twin.encoder.backward(None, **given)
        if np.allclose(value, twin.encoder.Wh.grad, rtol=1e-6, atol=1e-12):
            return report(False, f"you left out {left_out}: the decoder started from both h and c, so both "
                                 f"gradients go back")
    twin.encoder.zero_grad()
    twin.encoder.backward(None, dh_n=twin.decoder.dc0, dc_n=twin.decoder.dh0)
    if np.allclose(value, twin.encoder.Wh.grad, rtol=1e-6, atol=1e-12):
        return report(False, "you swapped the two halves: dh_n=decoder.dh0 (the gradient of h) and "
                             "dc_n=decoder.dc0 (the gradient of the cell state c)")
    if np.allclose(value, 2 * expected, rtol=1e-6, atol=1e-12):
        return report(False, "twice the gradient: backward ran twice without zero_grad in between "
                             "(gradients accumulate)")
    return report(False, "not the encoder's gradient: run model.zero_grad(), the loss, then the backward of "
                         "out, decoder, tgt_embed, encoder (given dh_n and dc_n), src_embed, in that order")
