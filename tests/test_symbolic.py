"""SymPy's derivations, turned into numpy, agree with nnlib's hand-written derivatives."""
import numpy as np
import pytest
import sympy as sp

import nnlib
from nnlib import symbolic as S

GRID = np.r_[np.linspace(-6, -0.01, 300), np.linspace(0.01, 6, 300)]  # away from the kinks at 0
NAMES = ["linear", "sigmoid", "tanh", "heaviside", "relu"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("ab", [(1.0, 0.0), (-2.5, 0.7)])
def test_symbolic_activation_and_derivative_equal_nnlib_on_a_grid(name, ab):
    a, b = ab if name == "linear" else (1.0, 0.0)
    phi, dphi = S.activation_numpy(name, a, b)
    layer = nnlib.get_activation(name, **({"a": a, "b": b} if name == "linear" else {}))
    np.testing.assert_allclose(phi(GRID), layer.phi(GRID), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dphi(GRID), layer.dphi(GRID), rtol=1e-12, atol=1e-15)


def test_the_notes_identities_for_sigmoid_and_tanh():
    s, t = S.activation("sigmoid"), S.activation("tanh")
    assert S.simplify(S.derivative("sigmoid") - s * (1 - s)) == 0
    assert S.simplify(S.derivative("tanh") - (1 - t**2)) == 0
    assert S.simplify(t - sp.tanh(S.x).rewrite(sp.exp)) == 0


def test_heaviside_and_relu_derivatives():
    assert S.activation("heaviside").subs(S.x, 0) == sp.Rational(1, 2)
    assert S.derivative("heaviside") == sp.DiracDelta(S.x)
    d = S.derivative("relu")
    assert d.subs(S.x, 2) == 1 and d.subs(S.x, -2) == 0


def test_softmax_cross_entropy_gradient_is_p_minus_y():
    zs = S.logits(3)
    ys = [0, 1, 0]
    ce = S.cross_entropy(zs, ys)
    p = S.softmax(zs)
    for z, p_c, y_c in zip(zs, p, ys):
        assert S.simplify(sp.diff(ce, z) - (p_c - y_c)) == 0
    f = S.lambdify(zs, ce)
    z_num = np.array([[0.5, -1.0, 2.0]])
    assert f(*z_num[0]) == pytest.approx(nnlib.CrossEntropyLoss().forward(z_num, np.array([1])), rel=1e-12)


def test_symbolic_softmax_and_mse_match_nnlib():
    zs = S.logits(4)
    values = [0.3, -1.2, 2.0, 0.0]
    p = [float(pc.subs(dict(zip(zs, values)))) for pc in S.softmax(zs)]
    np.testing.assert_allclose(p, nnlib.softmax(np.array(values)), rtol=1e-12)
    f, y = sp.symbols("f_1:4"), [1.0, 2.0, -1.0]
    fv = [0.5, 2.5, 0.0]
    for mean, reduction in [(True, "mean"), (False, "sum")]:
        value = float(S.mse(f, y, mean=mean).subs(dict(zip(f, fv))))
        assert value == pytest.approx(nnlib.MSELoss(reduction=reduction).forward(
            np.array(fv)[:, None], np.array(y)), rel=1e-12)


def test_lambdify_of_a_constant_keeps_the_shape():
    f = S.lambdify(S.x, S.derivative("linear").subs(S.a, 2.0))
    assert f(np.zeros(5)).shape == (5,) and np.all(f(np.zeros(5)) == 2.0)


def test_unknown_activation_name():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        S.activation("swish")
