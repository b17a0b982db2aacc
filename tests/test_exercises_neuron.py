"""Notebook 01's exercise checks: the worked solutions pass, typical slips get their hint."""
import numpy as np

from nnlib.exercises.neuron import check_and_gate, check_neuron_output


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


def test_and_gate(capsys):
    assert check_and_gate(None, 1, 1) is None
    assert check_and_gate(1.0, 1.0, -1.5) is True  # the worked solution
    assert check_and_gate(1.0, 1.0, -0.5) is False  # that is OR
    assert "(0, 1)" in capsys.readouterr().out
    assert check_and_gate(1.0, 1.0, -2.0) is False  # the line goes through (1, 1)
    assert "H(0) = 0.5" in capsys.readouterr().out
