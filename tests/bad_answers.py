"""Answers no exercise checker may call correct, and must answer with a sentence, not a traceback.

Each notebook's checker tests feed these to their checkers through ``assert_never_lies``:
wrong types, NaN and inf, wrong shapes, text, symbols. Off-by-one indices and other answers
that only make sense for one checker are written in that checker's own test.
"""
import contextlib
import fractions
import io

import numpy as np
import sympy as sp
from hypothesis import strategies as st

# Things a student may really type or pass by mistake.
FIXED_BAD = [
    "0.25", "a", "", b"1", True, False, np.bool_(True), float("nan"), float("inf"), float("-inf"),
    np.float64("nan"), np.array(np.nan), np.array([np.inf]), 1 + 2j, np.complex128(1j),
    np.array([1.0, 2.0, 3.0]), np.zeros((2, 1)), np.zeros((0,)), [], [[1.0], [2.0, 3.0]],
    {"a": 1}, {1.0}, object(), sp.Symbol("x"), sp.nan, sp.zoo, sp.I, sp.oo, print,
    np.array(["a"]), np.array([True, False]), [None], ["1", "2"], fractions.Fraction(10**9, 3),
]


def bad_answers():
    """A hypothesis strategy over the fixed list, non-finite floats, text and arrays of odd shapes
    holding NaN or huge values."""
    odd_arrays = st.tuples(st.integers(0, 3), st.integers(0, 3)).flatmap(
        lambda shape: st.sampled_from([np.nan, np.inf, -np.inf, 1e308]).map(
            lambda v: np.full(shape, v)))
    return st.one_of(st.sampled_from(FIXED_BAD),
                     st.sampled_from([float("nan"), float("inf"), float("-inf")]),
                     st.text(max_size=5),
                     odd_arrays)


def run_check(check, *args, **kwargs):
    """Call ``check`` and return (its result, what it printed); any exception fails the test
    with the answer named."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            result = check(*args, **kwargs)
        except Exception as exc:  # the property under test: a checker never raises
            raise AssertionError(f"{check.__name__}{args!r} raised {type(exc).__name__}: {exc}") from exc
    return result, out.getvalue()


def assert_never_lies(check, *args, **kwargs):
    """``check`` neither raises nor says "correct"; it prints one sentence and returns False or
    None (None only for "not done yet")."""
    result, printed = run_check(check, *args, **kwargs)
    assert result is not True, f"{check.__name__}{args!r} said correct: {printed!r}"
    assert not printed.startswith("correct"), f"{check.__name__}{args!r} printed {printed!r}"
    assert printed.strip(), f"{check.__name__}{args!r} printed nothing"
    assert "Traceback" not in printed
    return result, printed
