"""Notebook 05's checks: right answers pass, the notes' slips and sign errors get named."""
import numpy as np

import nnlib
from nnlib.exercises.backprop import check_output_delta, check_w1_gradient


def setup():
    model = nnlib.mlp([2, 3, 1], "sigmoid", rng=1, bias=False, output_activation="sigmoid")
    x, y = np.array([2.0, -1.0]), 1.0  # as in notebook 05
    loss = nnlib.MSELoss(reduction="sum")
    model.zero_grad()
    loss.forward(model(x[None, :]), np.array([[y]]))
    model.backward(loss.backward())
    return model, x, y


def test_output_delta(capsys):
    model, x, y = setup()
    f = model(x[None, :])[0, 0]
    delta2 = -2 * (y - f) * f * (1 - f)
    assert check_output_delta(model, x, y, None) is None
    assert check_output_delta(model, x, y, delta2) is True
    assert check_output_delta(model, x, y, -delta2) is False
    assert "sign is flipped" in capsys.readouterr().out
    assert check_output_delta(model, x, y, delta2 / 2) is False
    assert "factor 2" in capsys.readouterr().out
    assert check_output_delta(model, x, y, -2 * (y - f)) is False
    assert "phi'(z2)" in capsys.readouterr().out
    s = nnlib.sigmoid(f)
    assert check_output_delta(model, x, y, -2 * (y - f) * s * (1 - s)) is False
    assert "you took phi' at f" in capsys.readouterr().out
    assert check_output_delta(model, x, y, float(f"{delta2:.4g}")) is True  # rounded to 4 digits


def test_w1_gradient_matches_backprop_and_names_the_notes_slip(capsys):
    model, x, y = setup()
    for i in (1, 2, 3):
        for j in (1, 2):
            assert check_w1_gradient(model, x, y, i, j, model[0].W.grad[i - 1, j - 1]) is True
    W1, W2 = model[0].W.data, model[2].W.data
    h = nnlib.sigmoid(W1 @ x)
    f = nnlib.sigmoid(W2 @ h)[0]
    literal = -2 * (y - f) * f * (1 - f) * W2[0, 1] * h[0] * (1 - h[0]) * x[0]
    capsys.readouterr()
    assert check_w1_gradient(model, x, y, 2, 1, literal) is False
    assert "row 1 of W1" in capsys.readouterr().out
    assert check_w1_gradient(model, x, y, 2, 1, -model[0].W.grad[1, 0]) is False
    assert "sign" in capsys.readouterr().out
    assert check_w1_gradient(model, x, y, 2, 1, model[0].W.grad[1, 0] / x[0]) is False
    assert "left out the last factor, x_1" in capsys.readouterr().out


def test_indices_count_from_1_and_are_checked(capsys):
    """Issue 10: i = 0 wrapped to the last row (W2[0, -1]) and was called correct; 4 or 3 gave a
    raw IndexError."""
    model, x, y = setup()
    last_row = model[0].W.grad[2, 0]  # what W2[0, i - 1] with i = 0 computed
    assert check_w1_gradient(model, x, y, 0, 1, last_row) is False
    assert "the notes count from 1" in capsys.readouterr().out
    for i, j in [(4, 1), (2, 3), (-1, 1), (2, 0)]:
        assert check_w1_gradient(model, x, y, i, j, 0.1) is False
        out = capsys.readouterr().out
        assert out.startswith("not yet right") and ("out of range" in out or "count from 1" in out), out
    assert check_w1_gradient(model, x, y, 2.0, 1, model[0].W.grad[1, 0]) is False
    assert "whole number from 1 to 3" in capsys.readouterr().out


def test_the_sample_may_be_a_row_a_column_or_a_batch_of_one(capsys):
    """Issue 10: X_n (1, 2), Y_n (1, 1) that 05 builds, and the notes' (2, 1) column, gave raw
    numpy errors. They are the same sample; other shapes get a sentence."""
    model, x, y = setup()
    for x_as in (x[None, :], x[:, None]):
        assert check_w1_gradient(model, x_as, np.array([[y]]), 2, 1, model[0].W.grad[1, 0]) is True
        f = model(x[None, :])[0, 0]
        assert check_output_delta(model, x_as, np.array([[y]]), -2 * (y - f) * f * (1 - f)) is True
    capsys.readouterr()
    assert check_w1_gradient(model, np.ones(3), y, 2, 1, 0.1) is False
    assert "x should be the sample x_n, two numbers" in capsys.readouterr().out
    assert check_output_delta(model, x, np.array([1.0, 0.0]), 0.1) is False
    assert "y should be the target y_n, one number" in capsys.readouterr().out


def test_the_ij_slip_names_the_weight_that_was_computed(capsys):
    model, x, y = setup()
    assert check_w1_gradient(model, x, y, 2, 1, model[0].W.grad[0, 1]) is False  # w^(1)_12
    assert "that is d loss / d w^(1)_12" in capsys.readouterr().out
