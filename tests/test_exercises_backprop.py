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
