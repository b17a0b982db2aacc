"""Checks for notebook 05, backpropagation by hand, on the notes' 2-3-1 sigmoid network.

The checks take the notebook's ``model`` (Dense(2,3), Sigmoid, Dense(3,1), Sigmoid, no biases),
one input ``x: (2,)`` and target ``y``, and compute the right answer with nnlib itself.
"""
import numpy as np

from ..activations import sigmoid
from . import as_number, check_number, not_done, report

TOLERANCE = 1e-4  # relative: four significant digits pass; the hints below need less


def _forward(model, x):
    W1, W2 = model[0].W.data, model[2].W.data  # (3, 2), (1, 3)
    z1 = W1 @ x  # (3,)
    h = sigmoid(z1)
    z2 = (W2 @ h)[0]
    return W1, W2, z1, h, z2, sigmoid(z2)


def check_output_delta(model, x, y, answer):
    """delta2 = d loss / d z2 = -2 e phi'(z2), with e = y - f and phi' = phi (1 - phi)."""
    if answer is None:
        return not_done("compute delta2 = -2 e phi'(z2)")
    *_, z2, f = _forward(model, np.asarray(x, dtype=float))
    e = y - f
    expected = -2 * e * f * (1 - f)
    value = as_number(answer)
    if value is None or np.isclose(value, expected, rtol=TOLERANCE):
        return check_number(answer, expected, "delta2", rtol=TOLERANCE)
    hints = [(-expected, "the sign is flipped: loss = (y - f)^2, so d loss / d f = -2 (y - f) = -2 e"),
             (expected / 2, "you lost the factor 2 from differentiating the square"),
             (-2 * e, "that is d loss / d f; multiply by phi'(z2) = f (1 - f) to reach z2"),
             (-2 * e * sigmoid(f) * (1 - sigmoid(f)),
              "you took phi' at f; phi'(z2) = phi(z2) (1 - phi(z2)) = f (1 - f), with f = phi(z2)")]
    for hint_value, hint in hints:
        if np.isclose(value, hint_value, rtol=TOLERANCE):
            return report(False, hint)
    return check_number(answer, expected, "delta2 = -2 e phi'(z2)", rtol=TOLERANCE)


def check_w1_gradient(model, x, y, i, j, answer):
    """d loss / d w^(1)_ij (i in 1..3, j in 1..2) = -2 e phi'(z2) w^(2)_1i phi'(w^(1)_i . x) x_j."""
    if answer is None:
        return not_done(f"compute d loss / d w^(1)_{i}{j}")
    x = np.asarray(x, dtype=float)
    W1, W2, z1, h, z2, f = _forward(model, x)
    e = y - f
    common = -2 * e * f * (1 - f)
    row = i - 1
    expected = common * W2[0, row] * h[row] * (1 - h[row]) * x[j - 1]
    literal = common * W2[0, row] * h[0] * (1 - h[0]) * x[j - 1]  # the notes' phi'(w^(1)_1j x)
    value = as_number(answer)
    what = f"d loss / d w^(1)_{i}{j}"
    if value is None or np.isclose(value, expected, rtol=TOLERANCE):
        return check_number(answer, expected, what, rtol=TOLERANCE)
    hints = [(-expected, "the sign is flipped: start from d loss / d f = -2 e"),
             (expected / x[j - 1], f"you left out the last factor, x_{j} = {x[j - 1]:g}")]
    if row != 0:
        hints.append((literal, f"you used phi' of row 1 of W1, as the notes literally write; "
                               f"w^(1)_{i}{j} feeds hidden unit {i}, so use phi'(w^(1)_{i} . x), row {i}"))
    for hint_value, hint in hints:
        if np.isclose(value, hint_value, rtol=TOLERANCE):
            return report(False, hint)
    return check_number(answer, expected, what, rtol=TOLERANCE)
