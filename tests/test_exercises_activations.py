"""Notebook 02's exercise checks: the worked solutions pass, typical slips get the right hint."""
import fractions
import math

import numpy as np
import pytest
import sympy as sp

import nnlib
from nnlib import symbolic as S
from nnlib.exercises.activations import (SIGMOID_PRIME_THRESHOLD, SIGMOID_ROOTS, STEP_CAP,
                                         check_linear_derivative,
                                         check_saturation_steps, check_saturation_threshold,
                                         check_sigmoid_prime_at_ln3, sigmoid_steps)


def last_line(capsys):
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_unfinished_answers_say_not_done_yet(capsys):
    assert check_linear_derivative(None) is None
    assert check_sigmoid_prime_at_ln3(None) is None
    assert check_saturation_threshold(None) is None
    assert check_saturation_steps(None, None) is None
    assert check_saturation_steps(8, None) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and all(line.startswith("not done yet") for line in lines)
    assert "w = -10" in lines[-1] and "w = -2" not in lines[-1] and "w0" not in lines[-1]


# -- exercise 1 -----------------------------------------------------------------------------
def test_linear_derivative_worked_solution_passes(capsys):
    linear_derivative = sp.diff(S.activation("linear"), S.x)  # the notebook's solution
    assert check_linear_derivative(linear_derivative) is True
    assert last_line(capsys).startswith("correct")


@pytest.mark.parametrize("answer", [sp.Symbol("a"), S.a * (S.x + 1) - S.a * S.x,
                                    sp.Derivative(S.activation("linear"), S.x)])
def test_linear_derivative_accepts_equivalent_forms(answer):
    """Plain sp.Symbol('a') (not real=True), an unsimplified form or an unevaluated Derivative
    are all fine."""
    assert check_linear_derivative(answer) is True


@pytest.mark.parametrize("answer", ["a", b"a", "S.a"])
def test_linear_derivative_refuses_a_string_and_says_so(answer, capsys):
    """The exercise asks for a SymPy expression; the text "a" is not one (it was once accepted)."""
    assert check_linear_derivative(answer) is False
    assert "is a string, not a SymPy expression" in last_line(capsys)


def test_linear_derivative_explains_an_equation(capsys):
    """The notebook displays each derivative as sp.Eq(Derivative, result): a student may pass that."""
    phi = S.activation("linear")
    assert check_linear_derivative(sp.Eq(sp.Derivative(phi, S.x), sp.diff(phi, S.x))) is False
    assert ".rhs" in last_line(capsys)


@pytest.mark.parametrize("answer, hint", [
    (S.a * S.x + S.b, "phi(x) = a x + b itself"),
    (S.a + S.b, "derivative of a constant is 0"),
    (1, "only when a = 1"),
    (S.x, "with respect to a"),
    (2 * S.a * S.x, "depends on x"),
    (2 * S.a, "term by term"),
    ([1, 2], "expected a SymPy expression"),
    ("a +", "not a SymPy expression"),
    (sp.Matrix([S.a]), "expected a SymPy expression"),
    (sp.nan, "not a finite expression"),
])
def test_linear_derivative_hints(answer, hint, capsys):
    assert check_linear_derivative(answer) is False
    assert hint in last_line(capsys)


def test_sigmoid_prime_at_ln3(capsys):
    s = 1 / (1 + 1 / 3)  # sigma(ln 3) = 3/4, by hand
    assert check_sigmoid_prime_at_ln3(s * (1 - s)) is True  # the worked solution
    assert check_sigmoid_prime_at_ln3(float(nnlib.sigmoid_prime(math.log(3)))) is True
    assert check_sigmoid_prime_at_ln3(3 / 16) is True
    capsys.readouterr()
    for wrong, hint in [(0.75, "sigma(ln 3) itself"), (0.25, "sigma'(0)"), (0.36, "tanh'(ln 3)"),
                        (-0.1875, "never negative"), (0.2, "off by +0.0125"), ("3/16", "should be a number"),
                        (0.188, "off by +0.0005"), (np.array([0.1, 0.2]), "should be one number")]:
        assert check_sigmoid_prime_at_ln3(wrong) is False
        assert hint in last_line(capsys)


def test_sigmoid_prime_at_ln3_tolerance_as_stated():
    """The notebook states: within 0.1 % of the exact value; a one-element array is a number."""
    assert check_sigmoid_prime_at_ln3(0.1875 * (1 + 0.9e-3)) is True
    assert check_sigmoid_prime_at_ln3(0.1875 * (1 - 0.9e-3)) is True
    assert check_sigmoid_prime_at_ln3(0.1875 * (1 + 1.1e-3)) is False
    assert check_sigmoid_prime_at_ln3(np.array([0.1875])) is True
    assert check_sigmoid_prime_at_ln3(np.array([[0.1875]])) is True
    assert check_sigmoid_prime_at_ln3(np.float32(0.1875)) is True
    # a rounded tempting wrong answer still gets its hint
    assert check_sigmoid_prime_at_ln3(0.7501) is False


# -- exercise 2 -----------------------------------------------------------------------------
def test_threshold_is_where_sigmoid_prime_is_one_hundredth():
    assert math.isclose(float(nnlib.sigmoid_prime(SIGMOID_PRIME_THRESHOLD)), 0.01, rel_tol=1e-12)


def test_every_02_checker_takes_fractions_and_sympy_numbers(capsys):
    """The shared parser takes sp.Rational, sp.Integer, sp.Float and fractions.Fraction; each of
    notebook 02's numeric checkers accepts them (they were once refused as "not a number")."""
    assert check_sigmoid_prime_at_ln3(sp.Rational(3, 16)) is True
    assert check_sigmoid_prime_at_ln3(fractions.Fraction(3, 16)) is True
    assert check_sigmoid_prime_at_ln3(sp.Float(3) / 16) is True
    assert check_sigmoid_prime_at_ln3(sp.Rational(3, 4) * (1 - sp.Rational(3, 4))) is True  # by hand
    assert check_saturation_threshold(fractions.Fraction(4585, 1000)) is True
    assert check_saturation_threshold(sp.Rational(4585, 1000)) is True
    assert check_saturation_threshold(sp.log(49 + 20 * sp.sqrt(6))) is True  # the exact answer
    n2, n10 = sigmoid_steps(-2), sigmoid_steps(-10)
    assert check_saturation_steps(sp.Integer(n2), fractions.Fraction(n10)) is True
    assert check_saturation_steps(sp.Float(n2), sp.Rational(2 * n10, 2)) is True
    assert check_linear_derivative(fractions.Fraction(1)) is False  # a number, with its hint
    assert "keep the symbol a" in last_line(capsys)


def test_threshold_accepts_what_nsolve_returns(capsys):
    """Exercise 2's own hint, sp.nsolve, returns a SymPy Float: passed as it is (no float()),
    it is accepted (it was once refused: "should be a number, got Float")."""
    x_star = sp.nsolve(S.derivative("sigmoid") - sp.Rational(1, 100), S.x, 4)
    assert isinstance(x_star, sp.Float)
    assert check_saturation_threshold(x_star) is True
    assert last_line(capsys).startswith("correct")
    assert check_saturation_threshold(sp.nsolve(S.derivative("sigmoid") - sp.Rational(1, 100), S.x, -4)) is False
    assert "give the positive x" in last_line(capsys)


def test_threshold_worked_solutions_pass(capsys):
    # the notebook's solution: sigma (1 - sigma) = 0.01 -> sigma = (1 + sqrt(0.96)) / 2 -> x = logit
    s = (1 + math.sqrt(1 - 4 * 0.01)) / 2
    assert check_saturation_threshold(math.log(s / (1 - s))) is True
    # and SymPy's nsolve, the other route it shows
    x_star = float(sp.nsolve(S.derivative("sigmoid") - sp.Rational(1, 100), S.x, 4))
    assert check_saturation_threshold(x_star) is True
    assert check_saturation_threshold(np.float64(4.5849)) is True
    assert last_line(capsys).startswith("correct")
    assert check_saturation_threshold(4.585) is True  # the value the solution quotes
    assert check_saturation_threshold(np.array([4.585])) is True  # a one-element array is a number


def test_threshold_tolerance_as_stated(capsys):
    """The notebook states: within 0.001 of the exact point."""
    assert check_saturation_threshold(SIGMOID_PRIME_THRESHOLD + 0.0009) is True
    assert check_saturation_threshold(SIGMOID_PRIME_THRESHOLD - 0.0009) is True
    capsys.readouterr()
    assert check_saturation_threshold(SIGMOID_PRIME_THRESHOLD - 0.0011) is False
    assert "0.010011 is still above 0.01" in last_line(capsys)
    assert check_saturation_threshold(SIGMOID_PRIME_THRESHOLD + 0.0011) is False
    assert "0.009989 is below 0.01" in last_line(capsys)


def test_threshold_boundary_message_shows_enough_digits(capsys):
    """4.58 is rejected; the message must not read like sigma'(x) = 0.0100 >= 0.01."""
    assert check_saturation_threshold(4.58) is False
    out = last_line(capsys)
    assert "sigma'(x) = 0.010048 is still above 0.01" in out
    assert "within 0.001" in out


@pytest.mark.parametrize("answer, hint", [
    (-SIGMOID_PRIME_THRESHOLD, "give the positive x"),
    (math.log(99), "where sigma(x) = 0.99"),
    (3.0, "further out"),
    (10.0, "closer to 0"),
    ("4.58", "should be a number"),
    (np.array([4.58, 4.59]), "should be one number, got 2 numbers"),
])
def test_threshold_hints(answer, hint, capsys):
    assert check_saturation_threshold(answer) is False
    assert hint in last_line(capsys)


# -- exercise 3 -----------------------------------------------------------------------------
def notebook_solution(w, sign=-1.0):
    """The capped loop of the notebook's template and worked solution, with nnlib's functions;
    sign=+1 is the typical slip w = w + dL/dw."""
    for step in range(1, STEP_CAP + 1):
        w = w + sign * (-2 * (1 - nnlib.sigmoid(w)) * nnlib.sigmoid_prime(w))
        if nnlib.sigmoid(w) > 0.5:
            break
    return step


def test_saturation_steps_reference():
    assert sigmoid_steps(-2) == 8
    assert sigmoid_steps(0) == 1  # sigma(0) = 0.5 is not > 0.5: one step is needed
    assert sigmoid_steps(1) == 0


def test_saturation_steps_worked_solution_passes(capsys):
    n2, n10 = notebook_solution(-2.0), notebook_solution(-10.0)
    assert (n2, n10) == (sigmoid_steps(-2), sigmoid_steps(-10))
    assert check_saturation_steps(n2, n10) is True
    assert check_saturation_steps(np.int64(n2), float(n10)) is True  # integral floats are fine
    assert "times smaller" in last_line(capsys)


def test_saturation_steps_hints(capsys):
    n2, n10 = sigmoid_steps(-2), sigmoid_steps(-10)
    assert check_saturation_steps(n2 + 1, n10) is False
    assert "w = -2 you are off by one" in last_line(capsys)
    assert check_saturation_steps(n2, sigmoid_steps(-10, factor=1.0)) is False
    assert "dropped the 2" in last_line(capsys)
    assert check_saturation_steps(n2, 100) is False
    assert "100 is too few" in last_line(capsys)
    assert check_saturation_steps(n2, 10**6) is False
    assert "too many" in last_line(capsys)
    assert check_saturation_steps(8.5, n10) is False
    assert "whole number" in last_line(capsys)
    assert check_saturation_steps(-n2, n10) is False
    assert "0 or more" in last_line(capsys)


def test_saturation_steps_explains_a_bad_count_before_the_missing_one(capsys):
    assert check_saturation_steps("8", None) is False
    assert "from w = -2 should be a whole number" in last_line(capsys)


def test_saturation_steps_names_a_dropped_2_once_for_both_counts(capsys):
    assert check_saturation_steps(sigmoid_steps(-2, factor=1.0), sigmoid_steps(-10, factor=1.0)) is False
    out = last_line(capsys)
    assert out.count("dropped the 2") == 1 and "w = -2 and w = -10" in out


def test_saturation_steps_merges_an_off_by_one_in_both_counts(capsys):
    """(9, 11035): one clause for both starts, not the same advice twice in one line."""
    assert check_saturation_steps(sigmoid_steps(-2) + 1, sigmoid_steps(-10) + 1) is False
    out = last_line(capsys)
    assert out.count("off by one") == 1 and out.count("stop as soon as") == 1
    assert "from w = -2 and w = -10 you are off by one" in out


def test_saturation_steps_never_calls_the_starting_weight_w0():
    """In 01, w0 is the bias; this neuron has none, and w is its one weight."""
    import inspect

    from nnlib.exercises import activations
    assert "w0" not in inspect.getsource(activations.check_saturation_steps)
    assert "w0" not in inspect.signature(sigmoid_steps).parameters


def test_a_sign_slip_in_the_capped_loop_is_told_to_check_the_sign(capsys):
    """w = w + dL/dw moves w away from 0.5 for ever: the notebook's loop stops at its cap, and
    the check says what a count equal to the cap means."""
    n2, n10 = notebook_solution(-2.0, sign=+1.0), notebook_solution(-10.0, sign=+1.0)
    assert n2 == n10 == STEP_CAP
    assert check_saturation_steps(n2, n10) is False
    out = last_line(capsys)
    assert f"cap of {STEP_CAP}" in out and "Check the sign" in out and "w + dL/dw" in out and out.count("cap of") == 1
    assert check_saturation_steps(sigmoid_steps(-2), STEP_CAP) is False
    assert "from w = -10 your loop ran to its cap" in last_line(capsys)
    assert sigmoid_steps(-10) < STEP_CAP  # the right count is well inside the cap


@pytest.mark.parametrize("root, hint", [(SIGMOID_ROOTS[0], "not x itself"),
                                        (0.98990, "turn it back into x"),
                                        (SIGMOID_ROOTS[1], "belongs to a negative x"),
                                        (0.01, "the question asks for the x")])
def test_threshold_recognises_a_value_of_sigma_for_x(root, hint, capsys):
    assert check_saturation_threshold(root) is False
    assert hint in last_line(capsys)
