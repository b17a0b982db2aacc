"""Checks for notebook 04, losses and softmax.

Each check takes the student's answer and the problem (logits z of one sample, the true class,
...), so an instructor may change the numbers in the notebook and the checks still hold.
Classes count from 0. Numbers may be given as one-element numpy arrays. The tolerances are the
ones the notebook states: a loss or a gradient entry within 0.001 of the exact value (so an
answer rounded to three or four decimals passes), a temperature whose top probability rounds to
the target (to three decimals).
"""
import numbers

import numpy as np

from ..losses import softmax
from . import as_array, as_number, check_number, describe, not_a_number, not_done, report

ATOL = 1e-3  # exercises 1 and 2: |answer - exact| <= 0.001 (for the gradient: every entry)
DECIMALS = 3  # exercise 3: the top probability must round to the target to this many decimals


def _logits(z):
    """The 1-D logits of one sample as floats, or a sentence saying why ``z`` is not that."""
    arr = as_array(z)
    if arr is None or arr.ndim != 1 or arr.size < 2:
        return f"z should be the scores of one sample, 2 or more finite numbers in a 1-D array, got {describe(z)}"
    return arr


def _problem(z, true_class):
    """(z, true_class) checked, or a sentence: classes count from 0, so 0..C-1."""
    z = _logits(z)
    if isinstance(z, str):
        return z
    if isinstance(true_class, (bool, np.bool_)) or not isinstance(true_class, numbers.Integral):
        return f"true_class should be a whole number from 0 to {z.size - 1}, got {describe(true_class)}"
    if not 0 <= true_class < z.size:
        return (f"true_class = {true_class} is out of range: with {z.size} classes it runs from 0 to "
                f"{z.size - 1} (classes count from 0)")
    return z, int(true_class)


def _close(answer, value, atol=ATOL):
    number = as_number(answer)
    return number is not None and abs(number - value) <= atol


def check_cross_entropy(answer, z, true_class, atol=ATOL):
    """The cross-entropy of one sample: -sum_c y_c ln p_c = -ln p[true_class], p = softmax(z);
    accepted within ``atol``."""
    problem = _problem(z, true_class)
    if isinstance(problem, str):
        return report(False, problem)
    z, true_class = problem
    p = softmax(z)
    expected = float(-np.log(p[true_class]))
    if answer is not None and not _close(answer, expected, atol):
        hints = [(np.log(p[true_class]), "that is ln p of the true class: the loss has a minus sign in front"),
                 (-np.log10(p[true_class]), "that uses log10; the notes' ln is the natural logarithm, np.log"),
                 (p[true_class], "that is the probability of the true class; the loss is -ln of it"),
                 (1 - p[true_class], "that is 1 - p of the true class; the loss is -ln p"),
                 (-z[true_class], "that is -z of the true class: softmax first turns the scores into "
                                  "probabilities (divide e^z by the sum over all classes)"),
                 (-np.log(np.exp(z) / np.exp(z).sum()).sum(), "you summed -ln p over all classes; "
                                                               "y_c is 0 except for the true class")]
        for c in range(z.size):
            if c != true_class:
                hints.append((-np.log(p[c]), f"that is -ln p of class {c}; the true class is {true_class} "
                                             "(classes count from 0)"))
        for value, hint in hints:
            if _close(answer, float(value), atol):
                return report(False, hint)
    return check_number(answer, expected, f"the cross-entropy -ln p[{true_class}]", rtol=0, atol=atol)


def check_ce_gradient(answer, z, true_class, atol=ATOL):
    """dCE/dz for one sample: p - y, with p = softmax(z) and y one-hot at true_class. answer: (C,)
    (or (1, C), (C, 1)); every entry accepted within ``atol``."""
    problem = _problem(z, true_class)
    if isinstance(problem, str):
        return report(False, problem)
    z, true_class = problem
    p = softmax(z)
    y = np.eye(z.size)[true_class]
    expected = p - y
    if answer is None:
        return not_done(f"replace None with your array of {z.size} partial derivatives dCE/dz_c")
    g = as_array(answer)
    if g is None:
        return report(False, f"the answer should be an array of {z.size} numbers, got {describe(answer)}")
    if g.ndim == 2 and 1 in g.shape and g.size == expected.size:
        g = g.ravel()  # a row (1, C) or a column (C, 1) is fine
    if g.shape != expected.shape:
        return report(False, f"the gradient has one entry per class, shape {expected.shape}; yours has shape {g.shape}")
    close = lambda v: bool(np.all(np.abs(g - v) <= atol))  # noqa: E731
    if close(expected):
        return report(True, f"dCE/dz = p - y = {np.array2string(expected, precision=4)} (it sums to 0)")
    if close(y - p):
        return report(False, "the sign is flipped: dCE/dz = p - y (gradient descent then adds -alpha (p - y) to z)")
    if close(p):
        return report(False, "that is p; subtract the one-hot y (1 at the true class, 0 elsewhere)")
    for c in range(z.size):
        if c != true_class and close(p - np.eye(z.size)[c]):
            return report(False, f"you put the 1 of y at class {c}; the true class is {true_class} (classes count from 0)")
    wrong = np.flatnonzero(np.abs(g - expected) > atol)
    c = int(wrong[0])
    return report(False, f"entry {c} is {expected[c]:.6f}, you have {g[c]:.6f} "
                         f"({len(wrong)} of {z.size} entries off by more than {atol:g}); recall p - y sums to 0")


def check_temperature(answer, z, target, decimals=DECIMALS):
    """A temperature T > 0 whose top probability max softmax(z / T) rounds to ``target`` to
    ``decimals`` decimals: |p - target| < 0.5 * 10**-decimals (0.0005 for three decimals)."""
    z = _logits(z)
    if isinstance(z, str):
        return report(False, z)
    target_value = as_number(target)
    if target_value is None or not 1 / z.size < target_value < 1:
        return report(False, f"target should be a probability between 1/C = {1 / z.size:g} and 1, "
                             f"got {describe(target)}")
    target = target_value
    if answer is None:
        return not_done("replace None with your temperature T")
    T = as_number(answer)
    if T is None:
        return not_a_number(answer, "T")
    if not np.isfinite(T) or T <= 0:
        return report(False, f"T must be a positive number (we divide the logits by it), got {T:g}")
    half = 0.5 * 10.0 ** -decimals
    want = f"{target:.{decimals}f}"
    top = float(softmax(z / T).max())
    shown = f"p = {top:.{decimals + 2}f}"  # two more decimals than asked, so the rounding is visible
    if abs(top - target) < half:
        return report(True, f"at T = {T:.4f} the top class has {shown}, which rounds to {want}")
    if abs(softmax(z * T).max() - target) < half:
        return report(False, f"that is 1/T: softmax(z / T) divides the logits by T; try T = {1 / T:.4f}")
    if top < target:
        return report(False, f"at T = {T:.4f} the top class has {shown}, which does not round to {want} "
                             "(it is too low): make T smaller (T -> 0 sharpens towards the argmax)")
    return report(False, f"at T = {T:.4f} the top class has {shown}, which does not round to {want} "
                         "(it is too high): make T larger (T -> infinity flattens towards uniform)")
