"""Checks for notebook 05, backpropagation by hand, on the notes' 2-3-1 sigmoid network.

The checks take the notebook's ``model`` (Dense(2,3), Sigmoid, Dense(3,1), Sigmoid, no biases),
one sample ``x`` and its target ``y``, and compute the right answer with nnlib itself.

``x`` may be written the three ways notebook 05 writes one sample: ``x_n`` (2,), the batch of
one ``X_n`` (1, 2), or the notes' column (2, 1); ``y`` may be ``y_n`` or ``Y_n`` (1, 1). The
indices i, j count from 1, as the notes' w^(1)_ij do. Anything else gets a sentence saying what
was expected, never a traceback (and never "correct").

The notebook promises that four significant digits are enough: an answer passes when it is
within half a unit of the fourth significant digit, so every correct rounding does. A wrong
answer that matches a usual slip is told which; when two slips give the same number at the
notebook's sample (x_n = (2, -1) makes "left out x_1 = 2" equal "lost the factor 2"), both.
"""
import numbers

import numpy as np

from ..activations import Sigmoid, sigmoid
from ..core import Layer
from ..layers import Dense
from . import as_array, as_number, check_number, describe, not_a_number, not_done, report

SIGNIFICANT = 4  # the notebook's promise: "four significant digits are enough"


def _tolerance(value, target, digits=SIGNIFICANT):
    """Half a unit in the last of ``digits`` significant digits: every correct rounding of
    ``target`` to that many digits lies within it (and so does any more precise answer).

    The unit is taken at the larger of |value| and |target|, so that a rounding which carries
    into the next power of ten (0.099996 -> 0.1000) passes too; the relative tolerance is then
    between 5e-5 and 5e-4 (for four digits), never more."""
    scale = max(abs(value), abs(target))
    if scale == 0:
        return 0.0
    unit = 10.0 ** (np.floor(np.log10(scale)) - (digits - 1))
    return 0.5 * unit * (1 + 1e-9)  # the 1e-9: a rounding that lands exactly on the half unit


def _close(value, target, digits=SIGNIFICANT):
    return abs(value - target) <= _tolerance(value, target, digits)


def _judge(value, expected, what, hints):
    """"correct" within four significant digits; otherwise the slips in ``hints`` (a list of
    (value, sentence)) that give ``value``, all of them when several give the same number here;
    otherwise how far off the answer is."""
    if _close(value, expected):
        return check_number(value, expected, what, rtol=0, atol=_tolerance(value, expected))
    seen = []
    for hint_value, hint in hints:
        if not _close(hint_value, expected) and _close(value, hint_value) and hint not in seen:
            seen.append(hint)
    if len(seen) == 1:
        return report(False, seen[0])
    if seen:
        listed = "; ".join(f"({k}) {hint}" for k, hint in enumerate(seen, start=1))
        return report(False, f"{len(seen)} different slips give exactly this number here, so look for "
                             f"either: {listed}")
    return check_number(value, expected, what, rtol=0, atol=_tolerance(value, expected))


def _problem(model, x, y):
    """(W1 (3, 2), W2 (1, 3), x (2,), y) from the notebook's arguments, or a sentence saying
    which one is not what the exercise uses."""
    layers = list(model) if isinstance(model, Layer) and hasattr(model, "__iter__") else None
    if (layers is None or len(layers) != 4 or not all(isinstance(layers[k], Dense) for k in (0, 2))
            or not all(isinstance(layers[k], Sigmoid) for k in (1, 3))
            or layers[0].W.data.shape != (3, 2) or layers[2].W.data.shape != (1, 3)):
        return ("model should be the notebook's 2-3-1 network (Dense(2, 3), Sigmoid, Dense(3, 1), "
                f"Sigmoid), got {describe(model)}")
    if layers[0].b is not None or layers[2].b is not None:
        return "model should have no biases, as the notes' network: build it with bias=False"
    x_arr = as_array(x)
    if x_arr is None or x_arr.size != 2 or x_arr.shape not in ((2,), (1, 2), (2, 1)):
        return ("x should be the sample x_n, two numbers of shape (2,) (or X_n (1, 2), or a column "
                f"(2, 1)), got {describe(x)}")
    y_val = as_number(y)
    if y_val is None:
        return f"y should be the target y_n, one number (or Y_n of shape (1, 1)), got {describe(y)}"
    return model[0].W.data, model[2].W.data, x_arr.reshape(2), y_val


def _forward(W1, W2, x):
    z1 = W1 @ x  # (3,)
    h = sigmoid(z1)
    z2 = (W2 @ h)[0]
    return z1, h, z2, sigmoid(z2)


def _index(value, name, top):
    """The 1-based index ``value`` as an int, or a sentence saying why it is not one."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        return f"{name} should be a whole number from 1 to {top} (the notes count from 1), got {describe(value)}"
    value = int(value)
    if value == 0:
        return (f"{name} = 0: the notes count from 1, so {name} runs from 1 to {top} "
                f"({name} = 1 is Python's index 0)")
    if not 1 <= value <= top:
        return f"{name} = {value} is out of range: {name} runs from 1 to {top}"
    return value


def check_output_delta(model, x, y, answer):
    """delta2 = d loss / d z2 = -2 e phi'(z2), with e = y - f and phi' = phi (1 - phi)."""
    problem = _problem(model, x, y)
    if isinstance(problem, str):
        return report(False, problem)
    if answer is None:
        return not_done("compute delta2 = -2 e phi'(z2)")
    W1, W2, x, y = problem
    *_, z2, f = _forward(W1, W2, x)
    e = y - f
    expected = -2 * e * f * (1 - f)
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "delta2")
    hints = [(-expected, "the sign is flipped: loss = (y - f)^2, so d loss / d f = -2 (y - f) = -2 e"),
             (expected / 2, "you lost the factor 2 from differentiating the square"),
             (-2 * e, "that is d loss / d f; multiply by phi'(z2) = f (1 - f) to reach z2"),
             (-2 * e * sigmoid(f) * (1 - sigmoid(f)),
              "you took phi' at f; phi'(z2) = phi(z2) (1 - phi(z2)) = f (1 - f), with f = phi(z2)")]
    return _judge(value, expected, "delta2 = -2 e phi'(z2)", hints)


def check_w1_gradient(model, x, y, i, j, answer):
    """d loss / d w^(1)_ij (i in 1..3, j in 1..2) = -2 e phi'(z2) w^(2)_1i phi'(w^(1)_i . x) x_j."""
    problem = _problem(model, x, y)
    if isinstance(problem, str):
        return report(False, problem)
    i, j = _index(i, "i", 3), _index(j, "j", 2)
    for index in (i, j):
        if isinstance(index, str):
            return report(False, index + "; w^(1) is 3 x 2: i picks the hidden unit, j the input")
    what = f"d loss / d w^(1)_{i}{j}"
    if answer is None:
        return not_done(f"compute {what}")
    W1, W2, x, y = problem
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, what)
    expected, hints = w1_gradient_and_slips(W1, W2, x, y, i, j)
    return _judge(value, expected, what, hints)


def w1_gradient_and_slips(W1, W2, x, y, i, j):
    """d loss / d w^(1)_ij (i, j from 1) and the list of (value, sentence) of the usual slips,
    each computed at these numbers: what ``check_w1_gradient`` compares an answer with."""
    z1, h, z2, f = _forward(W1, W2, x)
    e = y - f
    common = -2 * e * f * (1 - f)  # delta2 = -2 e phi'(z2)
    row, col = i - 1, j - 1
    hidden_slope = h[row] * (1 - h[row])  # phi'(w^(1)_i . x)
    expected = common * W2[0, row] * hidden_slope * x[col]
    hints = [(-expected, "the sign is flipped: start from d loss / d f = -2 e"),
             (expected / 2, "you lost the factor 2 of -2 e (from differentiating the square (y - f)^2)")]
    if f * (1 - f) != 0:  # a left-out factor: the answer is the gradient divided by it
        hints.append((expected / (f * (1 - f)), "you left out the output's slope phi'(W2 h) = f (1 - f)"))
    if hidden_slope != 0:
        hints.append((expected / hidden_slope, f"you left out hidden unit {i}'s slope "
                                               f"phi'(w^(1)_{i} . x) = h_{i} (1 - h_{i})"))
    if x[col] != 0:
        hints.append((expected / x[col], f"you left out the last factor, x_{j} = {x[col]:g}"))
    if row != 0:
        literal = common * W2[0, row] * h[0] * (1 - h[0]) * x[col]  # the notes' phi'(w^(1)_1j x)
        hints.append((literal, f"you used phi' of row 1 of W1, as the notes literally write; "
                               f"w^(1)_{i}{j} feeds hidden unit {i}, so use phi'(w^(1)_{i} . x), row {i}"))
    # the i/j slip: the derivative of another weight, e.g. w^(1)_ji or Python's 0-based row
    for i2 in range(3):
        for j2 in range(2):
            if (i2, j2) != (row, col):
                other = common * W2[0, i2] * h[i2] * (1 - h[i2]) * x[j2]
                hints.append((other, f"that is d loss / d w^(1)_{i2 + 1}{j2 + 1}; w^(1)_{i}{j} is row "
                                     f"{i}, column {j} of W1 (W1[{row}, {col}] in Python)"))
    return expected, hints
