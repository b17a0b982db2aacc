"""Every differentiable piece of nnlib against central finite differences, in float64."""
import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import nnlib
from nnlib import numerical_gradient, rel_error

TOL = 1e-7
sizes = st.integers(min_value=1, max_value=6)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def layer_gradients(layer, x, dout):
    """Backprop and numerical gradients of sum(layer(x) * dout) for x and every parameter."""
    layer.zero_grad()
    layer(x)
    dx = layer.backward(dout)

    def f(_):
        return float(np.sum(layer.forward(x) * dout))

    pairs = [(dx, numerical_gradient(f, x))]
    pairs += [(p.grad.copy(), numerical_gradient(f, p.data)) for p in layer.parameters()]
    return pairs


@given(n=sizes, d_in=sizes, d_out=sizes, bias=st.booleans(), seed=seeds)
def test_dense_gradients(n, d_in, d_out, bias, seed):
    rng = np.random.default_rng(seed)
    layer = nnlib.Dense(d_in, d_out, bias=bias, rng=rng)
    if bias:
        layer.b.data[:] = rng.standard_normal(d_out)
    x, dout = rng.standard_normal((n, d_in)), rng.standard_normal((n, d_out))
    for analytic, numeric in layer_gradients(layer, x, dout):
        assert rel_error(analytic, numeric) < TOL


# |a| >= 0.1: with a = 1e-154 the derivative is far below what a finite difference can resolve
slopes = st.floats(0.1, 3) | st.floats(-3, -0.1)


@given(name=st.sampled_from(["linear", "sigmoid", "tanh", "relu"]), n=sizes, d=sizes, seed=seeds,
       a=slopes, b=st.floats(-3, 3))
def test_activation_layer_gradients_away_from_kinks(name, n, d, seed, a, b):
    rng = np.random.default_rng(seed)
    kwargs = {"a": a, "b": b} if name == "linear" else {}
    layer = nnlib.get_activation(name, **kwargs)
    x = rng.uniform(-4, 4, size=(n, d))
    x[np.abs(x) < 0.01] = 0.5  # ReLU has a kink at 0; finite differences straddling it lie
    dout = rng.standard_normal((n, d))
    (dx, num), = layer_gradients(layer, x, dout)
    assert rel_error(dx, num) < TOL


@given(n=sizes, d=sizes, seed=seeds)
def test_heaviside_gradient_is_zero_away_from_zero(n, d, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-4, 4, size=(n, d))
    x[np.abs(x) < 0.01] = 0.5
    layer = nnlib.Heaviside()
    (dx, num), = layer_gradients(layer, x, rng.standard_normal((n, d)))
    assert np.all(dx == 0) and np.all(num == 0)


@given(name=st.sampled_from(["linear", "sigmoid", "tanh", "relu", "heaviside"]), seed=seeds)
def test_activation_functions_match_their_derivatives(name, seed):
    """The functional pairs phi, phi' used by plots and SymPy comparisons."""
    phi, dphi = getattr(nnlib, name), getattr(nnlib, name + "_prime")
    x = np.random.default_rng(seed).uniform(-4, 4, size=7)
    x[np.abs(x) < 0.01] = 0.5
    numeric = np.array([numerical_gradient(lambda v: float(phi(v)[0]), np.array([xi]))[0] for xi in x])
    np.testing.assert_allclose(dphi(x), numeric, atol=1e-8)


@given(n=sizes, d=sizes, seed=seeds, reduction=st.sampled_from(["mean", "sum"]))
def test_mse_gradient(n, d, seed, reduction):
    rng = np.random.default_rng(seed)
    pred, target = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    loss = nnlib.MSELoss(reduction=reduction)
    loss.forward(pred, target)
    dpred = loss.backward()  # before the finite differences, which call forward again
    assert rel_error(dpred, numerical_gradient(lambda p: loss.forward(p, target), pred)) < TOL


@given(n=sizes, c=st.integers(2, 6), seed=seeds, reduction=st.sampled_from(["mean", "sum"]),
       one_hot=st.booleans())
def test_cross_entropy_gradient(n, c, seed, reduction, one_hot):
    rng = np.random.default_rng(seed)
    logits = 3 * rng.standard_normal((n, c))
    labels = rng.integers(0, c, size=n)
    target = np.eye(c)[labels] if one_hot else labels
    loss = nnlib.CrossEntropyLoss(reduction=reduction)
    loss.forward(logits, target)
    dlogits = loss.backward()
    assert rel_error(dlogits, numerical_gradient(lambda z: loss.forward(z, target), logits)) < TOL


@given(seed=seeds, act=st.sampled_from(["sigmoid", "tanh", "relu"]), n=sizes,
       widths=st.lists(st.integers(1, 5), min_size=2, max_size=4))
def test_sequential_check_gradients(seed, act, n, widths):
    rng = np.random.default_rng(seed)
    layers = []
    for d_in, d_out in zip(widths[:-1], widths[1:]):
        layers += [nnlib.Dense(d_in, d_out, rng=rng), nnlib.get_activation(act)]
    model = nnlib.Sequential(*layers[:-1], nnlib.Dense(widths[-1], 3, rng=rng))
    for layer in model:
        if isinstance(layer, nnlib.Dense):
            layer.b.data[:] = 0.5 * rng.standard_normal(layer.b.data.shape)  # biases matter too
    X, y = rng.standard_normal((n, widths[0])), rng.integers(0, 3, size=n)
    z = X
    for layer in model:  # finite differences straddling a ReLU kink measure nothing: avoid them
        if isinstance(layer, nnlib.ReLU):
            assume(np.abs(z).min() > 1e-3)
        z = layer.forward(z)
    report = nnlib.check_gradients(model, nnlib.CrossEntropyLoss(), X, y)
    assert set(report) == {name for name, _ in model.named_parameters()} | {"input"}
    assert max(report.values()) < TOL


def test_check_gradients_catches_a_wrong_backward():
    """The referee must be able to say no: break Sigmoid's backward and watch the error grow."""
    class BrokenSigmoid(nnlib.Sigmoid):
        def backward(self, dout):
            return super().backward(dout) * 1.01

    rng = np.random.default_rng(0)
    model = nnlib.Sequential(nnlib.Dense(2, 3, rng=rng), BrokenSigmoid(), nnlib.Dense(3, 1, rng=rng))
    report = nnlib.check_gradients(model, nnlib.MSELoss(), rng.standard_normal((4, 2)),
                                   rng.standard_normal((4, 1)))
    assert report["0.W"] > 1e-3 and report["2.W"] < TOL


def test_numerical_gradient_restores_x_and_matches_a_known_derivative():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    g = numerical_gradient(lambda v: float(np.sum(v**3)), x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-9)


def test_rel_error():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert abs(rel_error([1.0], [3.0]) - 0.5) < 1e-15
