"""The notes' 2-3-1 sigmoid network without biases: backprop equals the closed forms.

The corrected forms (COURSE.md, "Errata"), for one sample with e = y - f(x):
  dloss/dw2_1j = -2 e phi'(W2 h) h_j
  dloss/dw1_ij = -2 e phi'(W2 h) w2_1i phi'(w1_i . x) x_j      (w1_i: the i-th ROW of W1)
"""
import numpy as np
import pytest

import nnlib
from nnlib import sigmoid, sigmoid_prime


def notes_network(rng):
    return nnlib.Sequential(nnlib.Dense(2, 3, bias=False, rng=rng), nnlib.Sigmoid(),
                            nnlib.Dense(3, 1, bias=False, rng=rng), nnlib.Sigmoid())


@pytest.mark.parametrize("seed", range(20))
def test_backprop_equals_the_corrected_closed_forms(seed):
    rng = np.random.default_rng(seed)
    model = notes_network(rng)
    W1, W2 = model[0].W.data, model[2].W.data  # (3, 2), (1, 3)
    x, y = rng.standard_normal(2), rng.uniform(0, 1)

    h = sigmoid(W1 @ x)  # (3,)
    f = sigmoid(W2 @ h)[0]
    e = y - f
    dW2 = -2 * e * sigmoid_prime(W2 @ h)[0] * h  # (3,)
    dW1 = np.empty((3, 2))
    for i in range(3):
        for j in range(2):
            dW1[i, j] = -2 * e * sigmoid_prime(W2 @ h)[0] * W2[0, i] * sigmoid_prime(W1[i] @ x) * x[j]

    loss = nnlib.MSELoss(reduction="sum")  # the notes drop 1/|D|
    model.zero_grad()
    loss.forward(model(x[None, :]), np.array([[y]]))
    model.backward(loss.backward())
    assert np.max(np.abs(model[2].W.grad[0] - dW2)) < 1e-12
    assert np.max(np.abs(model[0].W.grad - dW1)) < 1e-12
    # the matrix form: an outer product of a 3-vector and x^T, giving the 3x2 update
    delta1 = -2 * e * sigmoid_prime(W2 @ h)[0] * W2[0] * sigmoid_prime(W1 @ x)  # (3,)
    assert np.max(np.abs(np.outer(delta1, x) - dW1)) < 1e-12


def test_the_notes_literal_layer1_formula_is_wrong():
    """The notes write phi'(w1_1j x): read literally, row 1 of W1 for every i, where the i-th row
    belongs. It agrees with backprop for i = 1 only."""
    rng = np.random.default_rng(0)
    model = notes_network(rng)
    W1, W2 = model[0].W.data, model[2].W.data
    x, y = rng.standard_normal(2), 0.3
    h = sigmoid(W1 @ x)
    e = y - sigmoid(W2 @ h)[0]
    common = -2 * e * sigmoid_prime(W2 @ h)[0]
    literal = np.array([[common * W2[0, i] * sigmoid_prime(W1[0] @ x) * x[j]
                         for j in range(2)] for i in range(3)])
    loss = nnlib.MSELoss(reduction="sum")
    model.zero_grad()
    loss.forward(model(x[None, :]), np.array([[y]]))
    model.backward(loss.backward())
    diff = np.abs(literal - model[0].W.grad)  # (3, 2)
    assert diff[0].max() < 1e-12
    assert diff[1:].min() > 1e-4
