"""Notebook 01's exercise checks: the worked solutions pass, typical slips get their hint."""
import fractions

import numpy as np
import pytest
import sympy as sp

from nnlib.exercises.neuron import check_and_gate, check_neuron_output, linear_form


def test_neuron_output(capsys):
    assert check_neuron_output(None) is None
    assert check_neuron_output(np.tanh(0.5 * 1.0 + 0.75 * -2.0 + 0.5)) is True
    assert check_neuron_output(-0.5) is False  # z itself
    assert "applies phi = tanh" in capsys.readouterr().out
    assert check_neuron_output(np.tanh(-1.0)) is False
    assert "bias" in capsys.readouterr().out
    assert check_neuron_output(1 / (1 + np.exp(0.5))) is False
    assert "sigmoid" in capsys.readouterr().out
    assert check_neuron_output("0.46") is False
    assert check_neuron_output(-0.4621) is True  # rounded, as the solution quotes it
    assert check_neuron_output(np.array([[-0.46211716]])) is True  # what a (1, 1) model output gives


def test_neuron_output_states_its_tolerance_and_the_exact_value(capsys):
    """Notebook 01 states the tolerance (0.1 %, relative); an accepted answer is told the exact
    value, so that a mis-rounded -0.4622 is not mistaken for exact; -0.46 is outside."""
    exact = float(np.tanh(-0.5))
    for accepted in (-0.462, -0.4621, -0.4622):
        assert abs(accepted - exact) <= 1e-3 * abs(exact)  # honestly within the stated tolerance
        assert check_neuron_output(accepted) is True
        out = last_line(capsys)
        assert f"{exact:.6f}" in out and "0.1%" in out and f"your {accepted:g}" in out
    assert abs(-0.46 - exact) > 1e-3 * abs(exact)
    assert check_neuron_output(-0.46) is False
    assert "off by" in last_line(capsys)


def test_and_gate(capsys):
    assert check_and_gate(None, 1, 1) is None
    assert check_and_gate(1.0, 1.0, -1.5) is True  # the worked solution
    assert check_and_gate(1.0, 1.0, -0.5) is False  # that is OR
    assert "(0, 1)" in capsys.readouterr().out
    assert check_and_gate(1.0, 1.0, -2.0) is False  # the line goes through (1, 1)
    assert "H(0) = 0.5" in capsys.readouterr().out


def last_line(capsys):
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_and_gate_prints_the_line_as_a_student_writes_it(capsys):
    """Not "H(1 x1 + 1 x2 + -1.5)": no "+ -", no coefficient 1."""
    assert check_and_gate(1.0, 1.0, -1.5) is True
    assert "H(x1 + x2 - 1.5)" in last_line(capsys)
    assert check_and_gate(2, 3, -4) is True
    assert "H(2 x1 + 3 x2 - 4)" in last_line(capsys)
    assert linear_form(-1.0, 0.5, 0.0) == "-x1 + 0.5 x2"
    assert linear_form(0.0, -2.0, -0.25) == "-2 x2 - 0.25"


@pytest.mark.parametrize("bad, name", [("1", "w1"), ("one", "w1"), (sp.Symbol("w"), "w1"),
                                       (np.array([1.0, 1.0]), "w1"), (float("nan"), "w1")])
def test_and_gate_explains_a_weight_that_is_not_a_number(bad, name, capsys):
    """Strings once crashed it (Unknown format code 'g')."""
    assert check_and_gate(bad, 1.0, -1.5) is False
    out = last_line(capsys)
    assert out.startswith(f"not yet right: {name} should be") and "number" in out
    assert check_and_gate(1.0, 1.0, bad) is False
    assert "w0 should be" in last_line(capsys)


def test_and_gate_takes_one_element_arrays_and_other_numbers(capsys):
    """A one-element array once raised IndexError; any kind of number is a weight."""
    assert check_and_gate(np.array([1.0]), np.array([[1.0]]), np.float32(-1.5)) is True
    assert check_and_gate(sp.Rational(1, 2), fractions.Fraction(1, 2), sp.Float(-0.75)) is True
    assert "H(0.5 x1 + 0.5 x2 - 0.75)" in last_line(capsys)


def test_and_gate_a_corner_on_the_line_up_to_rounding_is_on_it(capsys):
    """0.1 + 0.2 - 0.3 is 5.6e-17 in floating point, but the line 0.1 x1 + 0.2 x2 = 0.3 does pass
    through (1, 1): H is 0.5 there, so this is not AND."""
    assert check_and_gate(0.1, 0.2, -0.3) is False
    assert "passes exactly through (1, 1)" in last_line(capsys)


def test_and_gate_says_which_corners_are_wrong_and_why(capsys):
    assert check_and_gate(1.0, 1.0, -3.0) is False
    assert "at (1, 1) z = -1 gives H = 0" in last_line(capsys)
    assert check_and_gate(0.0, 0.0, -1.0) is False
    assert "no line" in last_line(capsys)
