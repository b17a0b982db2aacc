"""Notebook 03's exercise checks: the worked solutions pass, typical slips get their hint."""
import numpy as np
import pytest

import nnlib
from nnlib.exercises.structure import (TINY, check_budget, check_count, check_tiny_output,
                                       tiny_network)


def test_unfinished_answers_say_not_done_yet(capsys):
    assert check_count(None) is None
    assert check_tiny_output(None) is None
    assert check_budget(None) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("not done yet") for line in lines)


def test_count_solution_and_hints(capsys):
    assert check_count(3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2) is True  # the worked solution: 54
    assert "= 54" in capsys.readouterr().out
    for answer, hint in [(43, "not the 11 biases"), (55, "one bias per INPUT"),
                         (14, "number of units"), (57, "input layer has no biases"),
                         (50, "off by -4"), ("54", "should be a number"),
                         (np.array([43]), "not the 11 biases"), ([54, 1], "should be one number")]:
        ok = check_count(answer)
        out = capsys.readouterr().out
        assert ok is False and hint in out, (answer, out)
    # a one-element array (e.g. from a numpy sum over a shape) is a number
    assert check_count(np.array([54])) is True
    assert check_count(np.int64(54)) is True


def test_count_other_architectures():
    assert check_count(9, sizes=(2, 3, 1), bias=False) is True
    assert check_count(13, sizes=(2, 3, 1)) is True


def worked_tiny_solution():
    """Exactly the code in the notebook's solution."""
    net = tiny_network()
    h = np.maximum(net["W1"] @ net["x"] + net["b1"], 0)
    return net["W2"] @ h + net["b2"]


def test_tiny_output_solution_and_hints(capsys):
    y = worked_tiny_solution()
    assert y.shape == (1,) and np.isclose(y[0], -1.25)
    assert check_tiny_output(y) is True
    assert check_tiny_output(-1.25) is True
    assert check_tiny_output(np.array([[-1.25]])) is True
    # the stated tolerance: within 0.001
    assert check_tiny_output(-1.2509) is True
    assert check_tiny_output(np.array([-1.2491])) is True
    capsys.readouterr()
    W1, b1, W2, b2, x = (TINY[k] for k in ("W1", "b1", "W2", "b2", "x"))
    cases = [(W2 @ (W1 @ x + b1) + b2, "skipped the ReLU"),
             (W2 @ np.maximum(W1 @ x, 0) + b2, "left out b1"),
             (W2 @ np.maximum(W1 @ x + b1, 0), "left out b2"),
             (W2 @ np.maximum(W1 @ x, 0), "both biases"),
             (np.array([0.0]), "ReLU to the output"),
             (np.array([1.0, 2.0]), "single number"),
             ("minus one", "should be a number"),
             ("-1.25", "should be a number"),
             (-1.252, "off by"),
             (-1.0, "off by")]
    for answer, hint in cases:
        assert check_tiny_output(answer) is False
        out = capsys.readouterr().out
        assert hint in out, (answer, out)


def test_tiny_network_returns_copies():
    net = tiny_network()
    net["W1"][:] = 0
    assert TINY["W1"][0, 0] == 1.0


@pytest.mark.parametrize("sizes", [[2, 3, 4, 1], [2, 5, 2, 1], [2, 1, 3, 4, 1]])
def test_budget_solutions(sizes):
    assert check_budget(nnlib.mlp(sizes, "tanh", rng=0)) is True


def test_budget_hints(capsys):
    cases = [
        (nnlib.mlp([2, 3, 1], rng=0), "2 Dense layer(s)"),
        (nnlib.mlp([3, 3, 4, 1], rng=0), "takes 3 inputs"),
        (nnlib.mlp([2, 3, 4, 2], rng=0), "has 2 outputs"),
        (nnlib.Sequential(nnlib.Dense(2, 3, rng=0), nnlib.Dense(3, 4, rng=0), nnlib.ReLU(),
                          nnlib.Dense(4, 1, rng=0)), "not followed by an activation"),
        (nnlib.Sequential(nnlib.Dense(2, 3, rng=0), nnlib.LinearActivation(), nnlib.Dense(3, 4, rng=0),
                          nnlib.ReLU(), nnlib.Dense(4, 1, rng=0)), "linear activation"),
        (nnlib.Sequential(nnlib.Dense(2, 3, rng=0), nnlib.ReLU(), nnlib.Dense(4, 4, rng=0),
                          nnlib.ReLU(), nnlib.Dense(4, 1, rng=0)), "must match"),
        (nnlib.mlp([2, 3, 4, 1], bias=False, rng=0), "no bias"),
        (nnlib.mlp([2, 4, 4, 1], rng=0), "+7 from the budget"),
        (nnlib.Dense(2, 1, rng=0), "1 Dense layer(s)"),
        ("a network", "expected an nnlib model"),
    ]
    for model, hint in cases:
        assert check_budget(model) is False
        out = capsys.readouterr().out
        assert out.startswith("not yet right") and hint in out, (model, out)


def test_tiny_output_names_the_column_broadcasting_slip(capsys):
    """Student finding: x as a column (2, 1) with b1 of shape (3,) broadcasts W1 x + b1 to
    (3, 3), so y comes out (1, 3); the check said only "a single number". It names the slip and
    the fix that notebook 03 itself uses, b1[:, None]."""
    net = tiny_network()
    x_col = net["x"][:, None]
    H = np.maximum(net["W1"] @ x_col + net["b1"], 0)                 # (3, 3)
    for answer in (net["W2"] @ H + net["b2"], net["W2"] @ H, H):
        assert check_tiny_output(answer) is False
        out = capsys.readouterr().out
        assert "b1[:, None]" in out and f"shape {answer.shape}" in out, out
    assert check_tiny_output(np.zeros((1, 3))) is False                 # the shape alone
    assert "b1[:, None]" in capsys.readouterr().out
    right = net["W2"] @ np.maximum(net["W1"] @ x_col + net["b1"][:, None], 0) + net["b2"]
    assert check_tiny_output(right) is True                              # the fix passes


def test_tiny_output_zero_is_not_blamed_on_relu_outright(capsys):
    """Student finding: 0 got "you applied ReLU to the output too", although 0 has other causes
    (relu(-1.25) = 0 is a coincidence): the hint says "if"."""
    assert check_tiny_output(0) is False
    out = capsys.readouterr().out
    assert "If you applied ReLU to the output" in out and "y is not 0" in out, out
