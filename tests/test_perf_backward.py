"""The faster code paths of issue 6 compute exactly what the plain formulas compute.

- ``Sequential.backward(dout, input_grad=False)`` skips the first Dense layer's dloss/dX and
  leaves every parameter gradient as the full backward does; ``fit`` uses it, and its updates
  are bit-identical to a loop that computes dX;
- ReLU's backward (dout times the 0/1 mask) equals ``np.where(z > 0, dout, 0.0)``, signs of
  zeros included; sigmoid's single division equals the two-branch formula bit for bit;
- the losses' ``.sum()`` gives the same float as ``np.sum``.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nnlib

finite = st.floats(-50, 50, allow_nan=False, width=64)


def batch(rng, n=9, d=4):
    return np.random.default_rng(rng).standard_normal((n, d))


@pytest.mark.parametrize("sizes, act, loss_fn, y", [
    ([4, 6, 5, 3], "relu", nnlib.CrossEntropyLoss(), np.arange(9) % 3),
    ([4, 3, 1], "sigmoid", nnlib.MSELoss(), np.linspace(0, 1, 9)[:, None]),
])
def test_input_grad_false_gives_the_same_parameter_gradients_and_no_dx(sizes, act, loss_fn, y):
    X = batch(0)
    grads = {}
    for input_grad in (True, False):
        model = nnlib.mlp(sizes, act, rng=1)
        model.zero_grad()
        loss_fn.forward(model.forward(X), y)
        dX = model.backward(loss_fn.backward(), input_grad=input_grad)
        assert (dX is None) == (not input_grad)
        grads[input_grad] = [p.grad.copy() for p in model.parameters()]
    for a, b in zip(grads[True], grads[False]):
        assert a.tobytes() == b.tobytes()


def test_input_grad_false_still_returns_dx_when_the_first_layer_is_not_dense():
    model = nnlib.Sequential(nnlib.Tanh(), nnlib.Dense(4, 2, rng=0))
    model.forward(batch(1))
    dX = model.backward(np.ones((9, 2)), input_grad=False)
    assert dX.shape == (9, 4)


def test_backward_default_is_unchanged():
    model = nnlib.mlp([4, 5, 2], "tanh", rng=3)
    X = batch(2)
    model.forward(X)
    dX = model.backward(np.ones((9, 2)))
    assert dX.shape == X.shape


def test_fit_equals_a_loop_that_computes_dx():
    """fit skips dloss/dX; the weights it reaches are bit-identical to the textbook loop's."""
    X, y = nnlib.moons(200, noise=0.2, rng=0)
    model_fit = nnlib.mlp([2, 8, 2], "relu", rng=5)
    nnlib.fit(model_fit, nnlib.CrossEntropyLoss(), nnlib.SGD(model_fit.parameters(), lr=0.1), X, y,
              epochs=3, batch_size=16, rng=7)
    model = nnlib.mlp([2, 8, 2], "relu", rng=5)
    loss_fn, opt, rng = nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), np.random.default_rng(7)
    for _ in range(3):
        for idx in nnlib.minibatches(len(X), 16, rng):
            loss_fn.forward(model.forward(X[idx]), y[idx])
            opt.zero_grad()
            model.backward(loss_fn.backward())  # with dX
            opt.step()
    for p, q in zip(model_fit.parameters(), model.parameters()):
        assert p.data.tobytes() == q.data.tobytes()


def test_fit_still_trains_a_custom_layer_without_input_grad():
    class Scale(nnlib.Layer):
        """y = a x with one parameter a; its backward knows nothing of input_grad."""

        def __init__(self):
            super().__init__()
            self.a = nnlib.Parameter(np.ones(1))
            self._params = {"a": self.a}

        def forward(self, x):
            self._x = x
            return self.a.data * x

        def backward(self, dout):
            self.a.grad += np.sum(dout * self._x)
            return dout * self.a.data

    X = np.linspace(-1, 1, 20)[:, None]
    model = Scale()
    hist = nnlib.fit(model, nnlib.MSELoss(), nnlib.SGD(model.parameters(), lr=0.1), X, 3 * X,
                     epochs=50, batch_size=5, rng=0)
    assert abs(model.a.data[0] - 3) < 1e-3 and hist.train_loss[-1] < 1e-5


@given(arrays(np.float64, (5, 4), elements=finite), arrays(np.float64, (5, 4), elements=finite))
def test_relu_backward_equals_where_with_zeros_as_plus_zero(z, dout):
    z[0, 0], dout[0, 1] = 0.0, -0.0  # the edges: a unit exactly at 0, a negative zero gradient
    relu = nnlib.ReLU()
    relu.forward(z)
    got = relu.backward(dout)
    want = np.where(z > 0, dout, 0.0)
    want += 0.0  # the one documented difference: a -0.0 that passes becomes +0.0
    assert got.tobytes() == want.tobytes()
    assert not np.signbit(got[z <= 0]).any()  # blocked units give +0.0, never -0.0


def test_sigmoid_single_division_equals_the_two_branch_formula():
    x = np.concatenate([np.linspace(-750, 750, 30001), [0.0, -0.0, 1e-310, -1e-310, np.inf, -np.inf]])
    e = np.exp(-np.abs(x))
    two_branch = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    assert nnlib.sigmoid(x).tobytes() == two_branch.tobytes()
    x32 = x.astype(np.float32)
    assert nnlib.sigmoid(x32).dtype == np.float32


@given(arrays(np.float64, (7, 3), elements=finite), arrays(np.float64, (7, 3), elements=finite))
def test_mse_loss_value_is_np_sum_of_squares(pred, target):
    e = target - pred
    assert nnlib.MSELoss().forward(pred, target) == float((1 / 7) * np.sum(e * e))


def test_cross_entropy_value_is_np_sum_over_one_hot():
    z = np.random.default_rng(4).standard_normal((33, 10)) * 3
    y = np.arange(33) % 10
    logp = nnlib.log_softmax(z)
    want = float(-(1 / 33) * np.sum(np.eye(10)[y] * logp))
    assert nnlib.CrossEntropyLoss().forward(z, y) == want
