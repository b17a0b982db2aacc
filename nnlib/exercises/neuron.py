"""Checks for notebook 01, the neuron."""
import numpy as np

from ..activations import heaviside, sigmoid
from . import as_number, check_number, not_a_number, not_done, report

TOLERANCE = 1e-3  # relative, as notebook 01 states it (0.1 %): 4 significant digits pass, 2 do not

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
    if value is not None and np.isclose(value, expected, rtol=TOLERANCE, atol=0):
        # say the exact value and the tolerance, so that an accepted -0.4622 is not taken for exact
        return report(True, f"y = tanh(w . x + w0) = {expected:.6f}; your {value:g} is within the "
                            f"check's tolerance of {TOLERANCE:.1%} (+-{TOLERANCE * abs(expected):.2g})")
    return check_number(answer, expected, "y = tanh(w . x + w0)", rtol=TOLERANCE, atol=0)


def linear_form(w1, w2, w0, names=("x1", "x2")):
    """``w1 x1 + w2 x2 + w0`` as a student writes it: "x1 + x2 - 1.5", "2 x1 - 0.5 x2", "0".
    ``names``: the two inputs' names (the neuron plot's title writes x₁, x₂)."""
    text = ""
    for coef, var in ((w1, " " + names[0]), (w2, " " + names[1]), (w0, "")):
        if coef == 0:
            continue
        size = "" if abs(coef) == 1 and var else f"{abs(coef):g}"
        sign = ("-" if coef < 0 else "") if not text else (" - " if coef < 0 else " + ")
        text += sign + (size + var).strip()
    return text or "0"


def check_and_gate(w1, w2, w0):
    """Do weights (w1, w2, w0) make a Heaviside neuron compute AND on the four corners?

    Each weight may be any kind of number (``as_number``). A corner within rounding of the
    line w1 x1 + w2 x2 + w0 = 0 counts as on it (where H = 0.5): 0.1 x1 + 0.2 x2 - 0.3 passes
    through (1, 1), although 0.1 + 0.2 - 0.3 is 5.6e-17 in floating point.
    """
    answers = {"w1": w1, "w2": w2, "w0": w0}
    missing = [name for name, value in answers.items() if value is None]
    if missing:
        return not_done("set " + (", ".join(missing[:-1]) + " and " if len(missing) > 1 else "") + missing[-1])
    w = {}
    for name, answer in answers.items():
        w[name] = as_number(answer)
        if w[name] is None:
            return not_a_number(answer, name)
    w1, w2, w0 = w["w1"], w["w2"], w["w0"]
    if w1 == 0 and w2 == 0:
        return report(False, f"with w1 = w2 = 0 there is no line: z = {w0:g} at every corner, so all "
                             "four get the same output; AND needs (1, 1) on its own side")
    line = linear_form(w1, w2, w0)
    with np.errstate(over="ignore"):  # 1e308 x1 + 1e308 x2 is inf, and H(inf) = 1 is still right
        z = AND_X @ np.array([w1, w2]) + w0
        size = np.abs(AND_X) @ np.abs([w1, w2]) + abs(w0)  # the terms' magnitudes, per corner
    z[np.isfinite(size) & (np.abs(z) <= 1e-12 * size)] = 0.0  # zero but for rounding: on the line
    y = heaviside(z)
    if np.any(y == 0.5):
        on = ", ".join(str(tuple(int(v) for v in AND_X[i])) for i in np.flatnonzero(y == 0.5))
        return report(False, f"the line {line} = 0 passes exactly through {on}: there z = 0 and "
                             "H(0) = 0.5, neither 0 nor 1")
    wrong = [i for i in range(4) if y[i] != AND_Y[i]]
    if wrong:
        corners = ", ".join(f"at {tuple(int(v) for v in AND_X[i])} z = {z[i]:g} gives H = {y[i]:g}"
                            for i in wrong)
        return report(False, f"with z = {line}: {corners}; AND is 1 only at (1, 1)")
    return report(True, f"H({line}) is AND on all four corners")
