"""SymPy's gradient of a whole network equals nnlib's backprop, to 1e-12."""
import numpy as np
import pytest
import sympy as sp

import nnlib
from nnlib import symbolic as S


def nnlib_gradient(model, x, y):
    """Backprop's d loss / d theta for one sample, loss = sum (y - f)^2, in theta's order."""
    loss = nnlib.MSELoss(reduction="sum")
    model.zero_grad()
    loss.forward(model(x[None, :]), y[None, :])
    model.backward(loss.backward())
    return np.concatenate([p.grad.ravel() for p in model.parameters()])


def test_the_notes_network_has_their_names_and_nine_weights():
    net = S.Network([2, 3, 1])
    assert len(net.theta) == 9
    assert [str(p) for p in net.theta[:2]] == ["w^{(1)}_{11}", "w^{(1)}_{12}"]
    assert str(net.theta[-1]) == "w^{(2)}_{13}"
    assert net.W[0].shape == (3, 2) and net.W[1].shape == (1, 3)
    assert sp.latex(net.theta[2]) == "w^{(1)}_{21}"


@pytest.mark.parametrize("seed", range(5))
def test_2_3_1_sigmoid_symbolic_gradient_equals_backprop(seed):
    rng = np.random.default_rng(seed)
    net = S.Network([2, 3, 1])
    model = nnlib.mlp([2, 3, 1], "sigmoid", rng=rng, bias=False, output_activation="sigmoid")
    x, y = rng.standard_normal(2), rng.uniform(0, 1, size=1)
    g = net.lambdify_gradient()(x, y, net.theta_values(model))
    np.testing.assert_allclose(g, nnlib_gradient(model, x, y), rtol=0, atol=1e-12)
    # and substituting into the expressions directly gives the same numbers
    subs = net.values(model, x, y)
    exact = np.array([float(net.gradient()[p].subs(subs)) for p in net.theta])
    np.testing.assert_allclose(exact, g, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def deep_net():
    """Derived once: SymPy takes about two seconds for this one."""
    net = S.Network([2, 3, 2, 1], activations=["tanh", "relu", "sigmoid"], bias=True)
    return net, net.lambdify_gradient()


@pytest.mark.parametrize("seed", range(5))
def test_2_3_2_1_with_biases_and_mixed_activations(seed, deep_net):
    rng = np.random.default_rng(100 + seed)
    net, gradient = deep_net
    model = nnlib.Sequential(nnlib.Dense(2, 3, rng=rng), nnlib.Tanh(), nnlib.Dense(3, 2, rng=rng), nnlib.ReLU(),
                             nnlib.Dense(2, 1, rng=rng), nnlib.Sigmoid())
    for p in model.parameters():
        p.data[...] = rng.standard_normal(p.data.shape)
    x, y = rng.standard_normal(2), rng.uniform(0, 1, size=1)
    assert len(net.theta) == model.num_parameters() == 6 + 3 + 6 + 2 + 2 + 1
    g = gradient(x, y, net.theta_values(model))
    np.testing.assert_allclose(g, nnlib_gradient(model, x, y), rtol=0, atol=1e-12)


def test_values_rejects_a_model_of_another_shape():
    with pytest.raises(ValueError, match="do not match"):
        S.Network([2, 3, 1]).values(nnlib.mlp([2, 4, 1], rng=0), np.zeros(2), np.zeros(1))
