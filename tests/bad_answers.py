"""Answers no exercise checker may call correct, and must answer with a sentence, not a traceback.

Each notebook's checker tests feed these to their checkers through ``assert_never_lies``:
wrong types, NaN and inf, wrong shapes, text, symbols. Off-by-one indices and other answers
that only make sense for one checker are written in that checker's own test.
"""
import contextlib
import fractions
import io

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
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


NUMBER_KINDS = [float, np.float64, np.array, lambda v: fractions.Fraction(v)]


def checker_tests(calls, right, none, hypothesis_settings, kinds=NUMBER_KINDS):
    """The three tests every later notebook's checkers get, built once here; a test module binds
    them to its own ``test_`` names so pytest collects them there:

    - ``calls``: functions ``bad -> (check, *args)`` that put a bad answer (or a bad problem
      argument) in its place; no bad answer from ``bad_answers()`` is ever called correct;
    - ``right``: ``(check, args, right answer)`` triples, worked out in the test module; each is
      correct in every number type of ``kinds`` (None when the module tests types its own way);
    - ``none``: ``(check, args)`` pairs; None as the answer prints "not done yet" and returns None.
    """
    @hypothesis_settings
    @given(bad_answers(), st.sampled_from(range(len(calls))))
    def bad_answers_are_never_correct(bad, which):
        check, *args = calls[which](bad)
        assert_never_lies(check, *args)

    @pytest.mark.parametrize("check, args, right", right or [])
    @pytest.mark.parametrize("kind", kinds)
    def right_answers_of_any_number_type_are_correct(check, args, right, kind):
        result, printed = run_check(check, *args, kind(right))
        assert result is True and printed.startswith("correct"), printed

    @pytest.mark.parametrize("check, args", none)
    def none_is_not_done_yet(check, args):
        result, printed = run_check(check, *args, None)
        assert result is None and printed.startswith("not done yet"), printed

    return (bad_answers_are_never_correct,
            right_answers_of_any_number_type_are_correct if right else None,
            none_is_not_done_yet)
