"""Checks for notebook 04, losses and softmax.

Each check takes the student's answer and the problem (logits z of one sample, the true class,
...), so an instructor may change the numbers in the notebook and the checks still hold.
"""
import numpy as np

from ..losses import softmax
from . import check_number, not_done, report


def _logits(z):
    z = np.asarray(z, dtype=float)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"z must be the 1-D logits of one sample (2 or more classes), got shape {z.shape}")
    return z


def _close(answer, value):
    try:
        return bool(np.isclose(float(answer), value, rtol=1e-6, atol=1e-9))
    except (TypeError, ValueError):
        return False


def check_cross_entropy(answer, z, true_class):
    """The cross-entropy of one sample: -sum_c y_c ln p_c = -ln p[true_class], p = softmax(z)."""
    z = _logits(z)
    p = softmax(z)
    expected = float(-np.log(p[true_class]))
    if answer is not None and not _close(answer, expected):
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
            if _close(answer, float(value)):
                return report(False, hint)
    return check_number(answer, expected, f"the cross-entropy -ln p[{true_class}]")


def check_ce_gradient(answer, z, true_class):
    """dCE/dz for one sample: p - y, with p = softmax(z) and y one-hot at true_class. answer: (C,)."""
    z = _logits(z)
    p = softmax(z)
    y = np.eye(z.size)[true_class]
    expected = p - y
    if answer is None:
        return not_done(f"replace None with your array of {z.size} partial derivatives dCE/dz_c")
    try:
        g = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return report(False, f"the answer should be an array of {z.size} numbers, got {answer!r}")
    if g.shape != expected.shape:
        return report(False, f"the gradient has one entry per class, shape {expected.shape}; yours has shape {g.shape}")
    close = lambda v: np.allclose(g, v, rtol=1e-6, atol=1e-9)  # noqa: E731
    if close(expected):
        return report(True, f"dCE/dz = p - y = {np.array2string(expected, precision=4)} (it sums to 0)")
    if close(y - p):
        return report(False, "the sign is flipped: dCE/dz = p - y (gradient descent then adds -alpha (p - y) to z)")
    if close(p):
        return report(False, "that is p; subtract the one-hot y (1 at the true class, 0 elsewhere)")
    for c in range(z.size):
        if c != true_class and close(p - np.eye(z.size)[c]):
            return report(False, f"you put the 1 of y at class {c}; the true class is {true_class} (classes count from 0)")
    wrong = np.flatnonzero(~np.isclose(g, expected, rtol=1e-6, atol=1e-9))
    c = int(wrong[0])
    return report(False, f"entry {c} is {expected[c]:.6f}, you have {g[c]:.6f} "
                         f"({len(wrong)} of {z.size} entries off); recall p - y sums to 0")


def check_temperature(answer, z, target, tol=1e-3):
    """A temperature T > 0 with max softmax(z / T) = target (to within tol)."""
    z = _logits(z)
    if not 1 / z.size < target < 1:
        raise ValueError(f"target must lie between 1/C = {1 / z.size:g} and 1, got {target!r}")
    if answer is None:
        return not_done("replace None with your temperature T")
    try:
        T = float(answer)
    except (TypeError, ValueError):
        return report(False, f"T should be a number, got {type(answer).__name__} {answer!r}")
    if not np.isfinite(T) or T <= 0:
        return report(False, f"T must be a positive number (we divide the logits by it), got {T:g}")
    top = softmax(z / T).max()
    if abs(top - target) <= tol:
        return report(True, f"at T = {T:.4f} the top class has p = {top:.4f}")
    if abs(softmax(z * T).max() - target) <= tol:
        return report(False, f"that is 1/T: softmax(z / T) divides the logits by T; try T = {1 / T:.4f}")
    if top < target:
        return report(False, f"at T = {T:.4f} the top class has p = {top:.4f}, below {target:g}: "
                             "make T smaller (T -> 0 sharpens towards the argmax)")
    return report(False, f"at T = {T:.4f} the top class has p = {top:.4f}, above {target:g}: "
                         "make T larger (T -> infinity flattens towards uniform)")
