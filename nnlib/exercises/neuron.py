"""Checks for notebook 01, the neuron."""
import numpy as np

from ..activations import heaviside, sigmoid
from . import as_number, check_number, not_done, report

TOLERANCE = 1e-3  # relative: an answer rounded to 4 significant digits passes

# Exercise 1: a neuron with tanh, two inputs.
X1 = np.array([1.0, -2.0])
W1, W0 = np.array([0.5, 0.75]), 0.5

# Exercise 2: the AND gate, as in the notes' "most basic non-linear model".
AND_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND_Y = np.array([0, 0, 0, 1])


def check_neuron_output(answer):
    """y = tanh(w . x + w0) for x = (1, -2), w = (0.5, 0.75), w0 = 0.5."""
    z = float(W1 @ X1 + W0)
    expected = float(np.tanh(z))
    value = as_number(answer)
    if value is not None and not np.isclose(value, expected, rtol=TOLERANCE):
        hints = {z: f"that is z = w . x + w0 = {z:g}; the neuron still applies phi = tanh to it",
                 float(np.tanh(W1 @ X1)): "you left out the bias w0",
                 float(sigmoid(z)): "that is the sigmoid of z; this neuron uses tanh"}
        for hint_value, hint in hints.items():
            if np.isclose(value, hint_value, rtol=TOLERANCE):
                return report(False, hint)
    return check_number(answer, expected, "y = tanh(w . x + w0)", rtol=TOLERANCE)


def check_and_gate(w1, w2, w0):
    """Do weights (w1, w2, w0) make a Heaviside neuron compute AND on the four corners?"""
    if w1 is None or w2 is None or w0 is None:
        return not_done("set w1, w2 and w0")
    try:
        w = np.array([w1, w2, w0], dtype=float)
    except (TypeError, ValueError):
        return report(False, "w1, w2 and w0 must be numbers")
    y = heaviside(AND_X @ w[:2] + w[2])
    if np.any(y == 0.5):
        on = [tuple(int(v) for v in AND_X[i]) for i in np.flatnonzero(y == 0.5)]
        return report(False, f"the line passes exactly through {on}: there H(0) = 0.5, neither 0 nor 1")
    wrong = [tuple(int(v) for v in AND_X[i]) for i in np.flatnonzero(y != AND_Y)]
    if wrong:
        return report(False, f"wrong output at {wrong}; AND is 1 only at (1, 1)")
    return report(True, f"H({w1:g} x1 + {w2:g} x2 + {w0:g}) is AND on all four corners")
