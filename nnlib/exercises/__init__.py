"""Checks for the notebooks' exercises: the shared helpers and notebook 00's checks here,
one module per later notebook (``nnlib.exercises.neuron`` for 01, and so on).

Each ``check_*`` prints one line that starts with "not done yet", "correct" or "not yet right"
and, when wrong, says *what* is wrong; it returns True, False, or None (not done yet) so tests
can call it too. An unfinished exercise (an answer still ``None``) never raises, so a notebook
always runs top to bottom.
"""
import numpy as np

from ..core import Layer
from ..datasets import xor


def report(ok, message):
    print(("correct: " if ok else "not yet right: ") + message)
    return ok


def not_done(what):
    print(f"not done yet: {what}")
    return None


def as_array(answer):
    """A float array from a number, a list or an array; None for text or anything that is not
    numbers ("22" is text, not an answer)."""
    if isinstance(answer, (str, bytes, bool)):
        return None
    try:
        arr = np.asarray(answer)
    except ValueError:  # ragged lists
        return None
    return arr.astype(float) if arr.dtype.kind in "iuf" else None


def as_number(answer):
    """A float from an int, a float or a one-element array (``model(x)`` gives (1, 1) arrays);
    None for anything else, strings included."""
    arr = as_array(answer)
    return None if arr is None or arr.size != 1 else float(arr.item())


def check_number(answer, expected, what, rtol=1e-6, atol=1e-9):
    """Compare a numeric answer with the expected value; say by how much it is off."""
    if answer is None:
        return not_done(f"replace None with your value of {what}")
    value = as_number(answer)
    if value is None:
        return report(False, f"{what} should be a number, got {type(answer).__name__} {answer!r}")
    if np.isclose(value, expected, rtol=rtol, atol=atol):
        return report(True, f"{what} = {expected:g}")
    return report(False, f"{what} is {expected:g}, you have {value:g} (off by {value - expected:+g})")


def check_parameter_count(model, answer):
    """The number of numbers a model learns: W has out*in, b has out, for every Dense layer."""
    if not isinstance(model, Layer):
        raise TypeError(f"model must be an nnlib Layer, got {type(model).__name__}")
    expected = model.num_parameters()
    if answer is not None and answer != expected:
        biases = sum(p.data.size for name, p in model.named_parameters() if name.endswith("b"))
        if answer == expected - biases:
            return report(False, f"you counted the weights but not the {biases} biases")
    return check_number(answer, expected, "the number of parameters")


def check_solves_xor(model):
    """Does ``model`` (2 inputs, 2 class scores) classify all four XOR points correctly?"""
    if model is None:
        return not_done("build and train a model, then pass it here")
    if not isinstance(model, Layer):
        return report(False, f"expected an nnlib model, got {type(model).__name__}")
    X, y = xor()
    try:
        scores = model(X)
    except ValueError as exc:
        return report(False, f"the model cannot take the 4 XOR points (shape (4, 2)): {exc}")
    if scores.shape != (4, 2):
        return report(False, f"the model should output 2 class scores per point, got shape {scores.shape[1:]}")
    pred = scores.argmax(axis=1)
    wrong = [tuple(int(v) for v in X[i]) for i in np.flatnonzero(pred != y)]
    if wrong:
        return report(False, f"{len(wrong)} of 4 points misclassified: {wrong}; train longer or change lr")
    return report(True, "all four XOR points classified correctly")
