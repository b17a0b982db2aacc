"""Checks for the notebooks' exercises: the shared helpers and notebook 00's checks here,
one module per later notebook (``nnlib.exercises.neuron`` for 01, and so on).

Each ``check_*`` prints one line that starts with "not done yet", "correct" or "not yet right"
and, when wrong, says *what* is wrong; it returns True, False, or None (not done yet) so tests
can call it too. An unfinished exercise (an answer still ``None``) never raises, so a notebook
always runs top to bottom.
"""
import numbers

import numpy as np

from ..core import Layer
from ..datasets import xor


def report(ok, message):
    print(("correct: " if ok else "not yet right: ") + message)
    return ok


def not_done(what):
    print(f"not done yet: {what}")
    return None


def _real(value):
    """A Python float from one number of any kind a student may type: int, float, a numpy
    scalar, a ``fractions.Fraction``, or a SymPy number (``sp.Rational(3, 16)``, ``sp.Float``,
    ``sp.sqrt(2)/4``); None for text, booleans, symbols, complex numbers and anything else."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        return None
    if isinstance(value, numbers.Real):  # int, float, numpy scalars, Fraction, SymPy Float/Rational
        try:
            return float(value)
        except (TypeError, ValueError, OverflowError):
            return None
    if getattr(value, "is_number", False) and getattr(value, "is_real", False):  # SymPy: sp.sqrt(2)/4
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return None


def as_array(answer):
    """A finite float array from a number, a list or an array of numbers (numbers of any kind
    ``_real`` takes); None for text, booleans, symbols, ragged lists, NaN or inf.

    This is the one path every checker parses its answers through, so they all accept and refuse
    the same things."""
    if answer is None or isinstance(answer, (str, bytes, bool, np.bool_, dict, set)):
        return None
    try:
        arr = np.asarray(answer)
    except (ValueError, TypeError):  # ragged lists
        return None
    if arr.dtype.kind in "iuf":
        arr = arr.astype(float)
    elif arr.dtype.kind == "O" and arr.size:  # SymPy numbers, Fractions, mixed lists
        values = [_real(v) for v in arr.reshape(-1)]
        if any(v is None for v in values):
            return None
        arr = np.array(values, dtype=float).reshape(arr.shape)
    else:  # booleans, complex numbers, strings inside a list, empty object arrays
        return None
    return arr if np.isfinite(arr).all() else None


def as_number(answer):
    """A finite float from one number (int, float, numpy scalar, 0-d or one-element array,
    ``Fraction``, SymPy number; ``model(x)`` gives (1, 1) arrays); None for anything else."""
    arr = as_array(answer)
    return None if arr is None or arr.size != 1 else float(arr.item())


def describe(answer):
    """How an answer that is not what a checker wanted looks, for its message: the type and a
    short repr (an array shows its shape instead of all its numbers)."""
    if isinstance(answer, np.ndarray):
        return f"a numpy array of shape {answer.shape} and dtype {answer.dtype}"
    text = repr(answer)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(answer).__name__} {text}"


def not_a_number(answer, what):
    """The message for an answer that is not one finite number."""
    arr = None
    try:
        raw = np.asarray(answer)
        if raw.dtype.kind in "biuf":
            arr = raw.astype(float)
    except (TypeError, ValueError):  # ragged lists
        pass
    if arr is not None and arr.size and not np.isfinite(arr).all():
        return report(False, f"{what} should be a finite number, got {describe(answer)}")
    if arr is not None and arr.size > 1:
        return report(False, f"{what} should be one number, got {arr.size} numbers "
                             f"({describe(answer)})")
    return report(False, f"{what} should be a number, got {describe(answer)}")


def check_number(answer, expected, what, rtol=1e-6, atol=1e-9):
    """Compare a numeric answer with the expected value; say by how much it is off."""
    if answer is None:
        return not_done(f"replace None with your value of {what}")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, what)
    if np.isclose(value, expected, rtol=rtol, atol=atol):
        return report(True, f"{what} = {expected:g}")
    return report(False, f"{what} is {expected:g}, you have {value:g} (off by {value - expected:+g})")


def check_parameter_count(model, answer):
    """The number of numbers a model learns: W has out*in, b has out, for every Dense layer."""
    if not isinstance(model, Layer):
        raise TypeError(f"model must be an nnlib Layer, got {type(model).__name__}")
    expected = model.num_parameters()
    value = as_number(answer)
    if value is not None and value != expected:
        biases = sum(p.data.size for name, p in model.named_parameters() if name.endswith("b"))
        if biases and value == expected - biases:
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
