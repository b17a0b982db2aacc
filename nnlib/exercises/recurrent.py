"""Checks for notebook 11, recurrent networks: the gradient through a scalar RNN, how many
steps a gradient survives, a clipped gradient, and an LSTM's parameter count.

Every check answers with one sentence, never a traceback: answers are parsed by the shared
``as_number`` / ``as_array``. The right answers are computed by nnlib itself (an ``RNN``'s
backward, ``clip_grad_norm``, ``LSTM.num_parameters``), so the checks and the library agree.
"""
import math

import numpy as np

from ..core import Parameter
from ..optim import clip_grad_norm
from ..recurrent import LSTM, RNN
from . import as_array, as_number, describe, not_a_number, not_an_array, not_done, report


def _close(value, expected, rtol=1e-6, atol=1e-12):
    return bool(np.isclose(value, expected, rtol=rtol, atol=atol))


def _off_by(value, expected):
    return f"you have {value:.8g}, it is {expected:.8g} (off by {value - expected:+.3g})"


def _first_hint(value, expected, hints, rtol=1e-6):
    """The hint of the first wrong value that ``value`` matches (and the right one does not)."""
    for wrong, hint in hints:
        if _close(value, wrong, rtol) and not _close(wrong, expected, rtol):
            return hint
    return None


# -- exercise 1: dh_3/dh_0 of a scalar RNN ---------------------------------------------------
# Three significant figures are enough: 0.376 passes for 0.3760131. Within NEAR_RTOL the method is
# right and only the digits are missing (0.38); that is said, never called correct.
SCALAR_RTOL, NEAR_RTOL = 1e-3, 2e-2

def scalar_rnn_states(w, u, xs, h0):
    """h_1 .. h_T of the scalar RNN h_t = tanh(w h_{t-1} + u x_t), computed by nnlib's RNN with
    one unit and no bias; returns (hs: (T,), dh_T/dh_0 from the RNN's backward)."""
    rnn = RNN(1, 1, bias=False)
    rnn.Wh.data[:] = w
    rnn.Wx.data[:] = u
    x = np.asarray(xs, dtype=float).reshape(1, -1, 1)
    hs = rnn.forward(x, h0=np.array([[h0]], dtype=float))
    dout = np.zeros_like(hs)
    dout[0, -1, 0] = 1.0
    rnn.backward(dout)
    return hs.reshape(-1), float(rnn.dh0[0, 0])


def check_scalar_rnn_gradient(w, u, xs, h0, answer):
    """dh_T/dh_0 for h_t = tanh(w h_{t-1} + u x_t), inputs ``xs`` (x_1 .. x_T), start ``h0``."""
    numbers = [as_number(v) for v in (w, u, h0)]
    inputs = as_array(xs)
    if any(v is None for v in numbers) or inputs is None or inputs.ndim != 1 or not inputs.size:
        return report(False, f"w, u and h0 should be numbers and xs a list of inputs; got {describe(w)}, "
                             f"{describe(u)}, {describe(xs)}, {describe(h0)}")
    w_, u_, h0_ = numbers
    if answer is None:
        return not_done("replace None with your value of dh_T/dh_0")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "dh_T/dh_0")
    hs, expected = scalar_rnn_states(w_, u_, inputs, h0_)
    T = hs.size
    if _close(value, expected, SCALAR_RTOL):
        factors = " * ".join(f"{w_:g} * {1 - h ** 2:.4f}" for h in hs)
        return report(True, f"dh_{T}/dh_0 = {factors} = {expected:.6g}: one factor w tanh'(a_t) per step")
    prev = np.r_[h0_, hs[:-1]]
    pre = w_ * prev + u_ * inputs                     # a_t, the pre-activations
    hints = [(w_ ** T, "that is w^T: each step also multiplies by tanh'(a_t) = 1 - h_t^2"),
             (float(np.prod(1 - hs ** 2)), "that is the product of the tanh' factors alone: each step "
                                           "also multiplies by w"),
             (float(np.prod(w_ * (1 - pre ** 2))), "tanh'(a) = 1 - tanh(a)^2 = 1 - h_t^2, not 1 - a_t^2"),
             (float(np.sum(w_ * (1 - hs ** 2))), "the chain rule multiplies the steps' factors; you added them"),
             (float(np.prod(w_ * (1 - prev ** 2))), "tanh' belongs to the step's own output: 1 - h_t^2 for "
                                                    "t = 1..T, not 1 - h_{t-1}^2"),
             (float(np.prod(w_ * (1 - hs[1:] ** 2))) if T > 1 else np.nan,
              f"one factor is missing: there are {T} steps from h_0 to h_{T}, one factor each"),
             (float(np.prod(u_ * (1 - hs ** 2))), "the factor per step is w (the recurrent weight), not u "
                                                  "(the input weight): h_{t-1} enters a_t through w"),
             (-expected, "the sign is wrong: every factor w (1 - h_t^2) has the sign of w"),
             (float(hs[-1]), f"that is h_{T} itself; the exercise asks for its derivative dh_{T}/dh_0")]
    hint = _first_hint(value, expected, hints, SCALAR_RTOL)
    if hint is None and _close(value, expected, NEAR_RTOL):
        hint = (f"right method, give more digits: {value:.8g} is within {NEAR_RTOL:.0%} but three "
                f"significant figures are needed")
    return report(False, f"{_off_by(value, expected)}: {hint or 'multiply w (1 - h_t^2) over the steps t = 1..T'}")


# -- exercise 2: how many steps a gradient survives -----------------------------------------
def steps_below(factor, threshold):
    """The smallest whole k with factor^k < threshold (0 < factor < 1, 0 < threshold < 1)."""
    k = max(math.ceil(math.log(threshold) / math.log(factor)), 0)
    while factor ** k >= threshold:   # the logs round; step on until it really holds
        k += 1
    while k > 0 and factor ** (k - 1) < threshold:
        k -= 1
    return k


def check_steps_below(factor, threshold, answer):
    """The smallest number of steps k after which a gradient multiplied by ``factor`` at every
    step has shrunk below ``threshold`` times its size: factor^k < threshold."""
    f, thr = as_number(factor), as_number(threshold)
    if f is None or thr is None or not 0 < f < 1 or not 0 < thr < 1:
        return report(False, f"factor and threshold should be numbers between 0 and 1, got "
                             f"{describe(factor)} and {describe(threshold)}")
    if answer is None:
        return not_done("replace None with the number of steps")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the number of steps")
    expected = steps_below(f, thr)
    if not value.is_integer():
        hint = ""
        if _close(value, math.log(thr) / math.log(f)):
            hint = f": that is log(threshold)/log(factor); round it up to a whole step, {expected}"
        return report(False, f"a number of steps is a whole number, you have {value:g}{hint}")
    if value < 0:
        return report(False, f"a number of steps is not negative, you have {value:g}")
    k = int(value)
    if k > 100 * expected + 100:  # no power of factor to print: it underflows to 0
        return report(False, f"{k} steps is far too many: already after {expected} steps {f:g}^k is below {thr:g}")
    if k == expected:
        return report(True, f"{f:g}^{k - 1} = {f ** (k - 1):.3g} is still above {thr:g}, "
                            f"{f:g}^{k} = {f ** k:.3g} is below: {k} steps")
    if k == expected - 1:
        return report(False, f"after {k} steps the gradient is {f:g}^{k} = {f ** k:.3g} of its size, not yet "
                             f"below {thr:g}: round log(threshold)/log(factor) up, not down")
    if k >= 0 and k == round(1 / (1 - f)):
        return report(False, f"1/(1 - factor) = {1 / (1 - f):.3g} is the memory's time scale (the gradient "
                             f"falls by a factor e in about that many steps), not the step where it falls "
                             f"below {thr:g}: solve factor^k < threshold")
    return report(False, f"{f:g}^{k} = {f ** k:.3g} if k = {k}; the first k with factor^k < {thr:g} is "
                         f"{'smaller' if k > expected else 'larger'}")


# -- exercise 3: a clipped gradient -----------------------------------------------------------
CLIP_RTOL = 1e-5  # nnlib divides by norm + 1e-6 (as PyTorch does): 0.6 must pass for 0.59999988


def clipped(grad, max_norm):
    """``grad`` after nnlib's ``clip_grad_norm`` with ``max_norm`` (a copy)."""
    p = Parameter(np.array(grad, dtype=float))
    p.grad[...] = grad
    clip_grad_norm([p], max_norm)
    return p.grad.copy()


def check_clipped_gradient(grad, max_norm, answer):
    """The gradient ``grad`` (a vector) after ``clip_grad_norm(..., max_norm)``."""
    g = as_array(grad)
    m = as_number(max_norm)
    if g is None or g.ndim != 1 or not g.size or m is None or m <= 0:
        return report(False, f"grad should be a vector of numbers and max_norm a number > 0, got "
                             f"{describe(grad)} and {describe(max_norm)}")
    if answer is None:
        return not_done("replace None with the clipped gradient")
    value = as_array(answer)
    if value is None or value.shape != g.shape:
        return not_an_array(answer, "the clipped gradient", g.shape)
    expected = clipped(g, m)
    norm = float(np.linalg.norm(g))
    if np.allclose(value, expected, rtol=CLIP_RTOL, atol=1e-9):
        if norm > m:
            return report(True, f"||g|| = {norm:.4g} > {m:g}, so g is multiplied by {m:g}/{norm:.4g}: "
                                f"same direction, length {m:g}")
        return report(True, f"||g|| = {norm:.4g} is not above {m:g}: clipping leaves it as it is")
    hints = [(np.clip(g, -m, m), "you clipped each entry to [-max_norm, max_norm]; clip_grad_norm rescales the "
                                 "whole vector, so its direction is kept"),
             (g, f"that is g unchanged, but ||g|| = {norm:.4g} is above {m:g}"),
             (g / norm if norm else g, "that is g / ||g||, of length 1; it should have length max_norm"),
             (g * m / norm if norm else g, "clipping only shrinks: a gradient already shorter than "
                                           "max_norm is left as it is")]
    if norm <= m:  # a short gradient scaled up to max_norm: that slip first, whatever else it equals
        hints = hints[-1:] + hints[:-1]
    for wrong, hint in hints:
        if np.allclose(value, wrong, rtol=CLIP_RTOL, atol=1e-9) and not np.allclose(wrong, expected,
                                                                                     rtol=CLIP_RTOL, atol=1e-9):
            return report(False, hint)
    length = float(np.linalg.norm(value))
    if np.isclose(length, min(norm, m), rtol=CLIP_RTOL, atol=1e-9):
        return report(False, f"right length, wrong direction: your vector has length {length:.4g} "
                             f"as it should, but it should point where ({', '.join(f'{v:g}' for v in g)}) points")
    return report(False, f"your vector has length {length:.4g}; the clipped gradient is g * min(1, "
                         f"max_norm/||g||), of length {min(norm, m):.4g}, pointing where g points")


# -- exercise 4: an LSTM's parameter count ---------------------------------------------------
def check_lstm_parameter_count(input_size, hidden_size, answer):
    """The number of numbers ``nnlib.LSTM(input_size, hidden_size)`` learns."""
    D, H = as_number(input_size), as_number(hidden_size)
    if D is None or H is None or not D.is_integer() or not H.is_integer() or D < 1 or H < 1:
        return report(False, f"input_size and hidden_size should be whole numbers >= 1, got "
                             f"{describe(input_size)} and {describe(hidden_size)}")
    D, H = int(D), int(H)
    if answer is None:
        return not_done("replace None with the number of parameters")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the number of parameters")
    expected = LSTM(D, H).num_parameters()
    if value == expected:
        return report(True, f"Wx has 4H x D = {4 * H * D}, Wh 4H x H = {4 * H * H}, b 4H = {4 * H}: "
                            f"{expected} in all, four times an RNN's {H * (D + H + 1)}")
    hints = [(H * (D + H + 1), "that is an RNN's count: the LSTM has four blocks (i, f, g, o), each its own "
                               "weights and bias"),
             (4 * H * (D + H), "you left out the bias, 4H numbers"),
             (4 * H * (D + H + 2), "that is PyTorch's count, which keeps two bias vectors (b_ih and b_hh) that "
                                   "are only ever added; nnlib keeps one"),
             (4 * H * (D + 1) + H * H, "Wh has 4H rows too: every gate sees h_{t-1}"),
             (4 * (H * D + H * H), "you left out the bias, 4H numbers")]
    hint = _first_hint(value, expected, hints)
    return report(False, f"the count is not {value:g}: {hint or 'count Wx (4H, D), Wh (4H, H) and b (4H,)'}")
