"""Input checks shared by the whole package.

Every public function checks its arguments *before* it changes anything, and says in the
error message which argument was wrong, what was expected and what it got. These helpers keep
those messages uniform.
"""
import numbers

import numpy as np


def as_rng(rng, name="rng"):
    """Return a ``np.random.Generator`` from an int seed, a Generator, or None (fresh entropy)."""
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)  # default_rng(Generator) returns it unchanged
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a non-negative int seed, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name} must be an int seed or a numpy Generator, got {type(rng).__name__}")


def to_float(x):
    """x as a float array without checks; float32 stays float32, anything else becomes float64."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def check_ndim(arr, name, ndim):
    """Raise unless ``arr.ndim`` fits ``ndim``: an int, (lowest, highest) with highest None for
    "or more", or None (any rank)."""
    if ndim is None:
        return arr
    low, high = (ndim, ndim) if isinstance(ndim, int) else ndim
    if arr.ndim >= low and (high is None or arr.ndim <= high):
        return arr
    if low == high:
        want = f"{low}-D"
    elif high is None:
        want = f"at least {low}-D"
    else:
        want = f"{low}-D to {high}-D"
    hint = f" (a single sample of shape (D,) is {name}.reshape(1, -1))" if low == 2 and arr.ndim == 1 else ""
    raise ValueError(f"{name} must be {want}, got shape {arr.shape}{hint}")


def as_float_array(x, name, ndim=None, dtype=None, finite=True):
    """Convert ``x`` to a float ndarray and check its number of dimensions and finiteness.

    Strings, objects and complex numbers raise TypeError; NaN or inf raise ValueError.
    An ndarray of the right float dtype is returned as it is (no copy). ``ndim`` as in
    ``check_ndim``.
    """
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        arr = x if dtype is None or x.dtype == dtype else x.astype(dtype)
    else:
        arr = _as_real_array(x, name)
        arr = arr.astype(np.float64 if dtype is None else dtype)
    check_ndim(arr, name, ndim)
    if finite and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def as_index_array(x, name, ndim=None):
    """``x`` as an integer ndarray (indices, e.g. an embedding's input); floats and bools raise
    TypeError, a wrong rank ValueError."""
    arr = _as_real_array(x, name)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an array of integer indices, got dtype {arr.dtype}")
    return check_ndim(arr, name, ndim)


def _as_real_array(x, name):
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got a string: {x!r}")
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    return arr


def check_positive_int(value, name, minimum=1):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_real(value, name, low=None, high=None, low_open=False, high_open=False):
    """Check that ``value`` is a finite real number in [low, high] (ends open where asked)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        interval = f"{lo}{'-inf' if low is None else low}, {'inf' if high is None else high}{hi}"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value
