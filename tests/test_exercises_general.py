"""Notebook 06's exercise checks: the worked solutions pass, typical slips get their hint."""
import numpy as np
import pytest

import nnlib
from notebook06 import Softplus, big_setup
from nnlib.exercises.general import (check_fd_passes, check_hidden_delta, check_layer_backward,
                                     check_softplus_backward,
                                     check_shapes,
                                     deltas_of)


def worked_delta2(big, X, y):
    """Exactly the code of the notebook's solution to exercise 2."""
    z1 = X @ big[0].W.data.T + big[0].b.data
    h1 = np.tanh(z1)
    z2 = h1 @ big[2].W.data.T + big[2].b.data
    h2 = np.tanh(z2)
    z3 = h2 @ big[4].W.data.T + big[4].b.data
    Y_onehot = np.eye(5)[y]
    delta3 = (nnlib.softmax(z3) - Y_onehot) / len(X)
    return (delta3 @ big[4].W.data) * (1 - np.tanh(z2) ** 2), delta3, z2, h2


def test_unfinished_answers_say_not_done_yet(capsys):
    big, X, y, ce = big_setup()
    assert check_shapes([10, 32, 32, 5], 64, 1, None, None) is None
    assert check_hidden_delta(big, X, y, ce, 2, None) is None
    assert check_fd_passes([10, 32, 32, 5], None) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("not done yet") for line in lines)


def test_shapes_solution_and_hints(capsys):
    sizes = [10, 32, 32, 5]
    assert check_shapes(sizes, 64, 1, (64, 32), (32, 10)) is True
    assert "correct" in capsys.readouterr().out
    # issue 10: a list and an integer array (np.array(...), or a.shape's values) are shapes too
    assert check_shapes(sizes, 64, 1, [64, 32], np.array([32, 10])) is True
    assert check_shapes(sizes, 64, 1, np.zeros((64, 32)).shape, np.array([32, 10], dtype=np.int32)) is True
    capsys.readouterr()
    assert check_shapes(sizes, 64, 1, np.array([64.0, 32.0]), (32, 10)) is False  # floats: not a shape
    assert "tuple of ints" in capsys.readouterr().out
    for delta, dW, hint in [((32, 64), (32, 10), "transposed: the batch is rows"),
                            ((32,), (32, 10), "ONE sample"),
                            ((64, 10), (32, 10), "layer 1's input"),
                            ((64, 7), (32, 10), "shape of z^(1)"),
                            ((64, 32), (10, 32), "W^(l) is (out, in)"),
                            ((64, 32), (64, 32, 10), "no batch axis"),
                            ((64, 32), (32, 11), "exactly the shape of W^(1)"),
                            ("64, 32", (32, 10), "tuple of ints")]:
        assert check_shapes(sizes, 64, 1, delta, dW) is False
        out = capsys.readouterr().out
        assert hint in out, (delta, dW, out)
    assert check_shapes(sizes, 64, 2, (64, 5), (32, 32)) is False
    assert "NEXT layer" in capsys.readouterr().out
    assert check_shapes(sizes, 8, 3, (8, 5), (5, 32)) is True
    # issue 10: an index out of range gets a sentence, not a traceback
    assert check_shapes(sizes, 8, 4, (8, 5), (5, 32)) is False
    assert "layer = 4 is out of range: it runs from 1 to 3" in capsys.readouterr().out


def test_deltas_of_matches_backward_and_leaves_the_model_alone():
    big, X, y, ce = big_setup()
    before = [p.data.copy() for p in big.parameters()]
    deltas, h_in, z = deltas_of(big, X, y, ce)
    assert [d.shape for d in deltas] == [(20, 32), (20, 32), (20, 5)]
    big.zero_grad()
    ce.forward(big(X), y)
    big.backward(ce.backward())
    for l, dense in enumerate([big[0], big[2], big[4]]):
        np.testing.assert_allclose(deltas[l].T @ h_in[l], dense.W.grad, atol=1e-14)
        np.testing.assert_allclose(deltas[l].sum(axis=0), dense.b.grad, atol=1e-14)
    for p, old in zip(big.parameters(), before):
        np.testing.assert_array_equal(p.data, old)


def test_hidden_delta_solution_and_hints(capsys):
    big, X, y, ce = big_setup()
    grads_before = [p.grad.copy() for p in big.parameters()]
    solution, delta3, z2, h2 = worked_delta2(big, X, y)
    assert check_hidden_delta(big, X, y, ce, 2, solution) is True
    assert "matches nnlib" in capsys.readouterr().out
    for p, old in zip(big.parameters(), grads_before):  # the check did not touch the model's grads
        np.testing.assert_array_equal(p.grad, old)
    back = delta3 @ big[4].W.data
    for wrong, hint in [(-solution, "sign is flipped"),
                        (20 * solution, "N times too large"),
                        (solution / 20, "N times too small"),
                        (back, "multiply by phi'(z^(2))"),
                        (back * (1 - np.tanh(h2) ** 2), "phi' of h^(2)"),
                        (back * h2, "instead of its derivative"),
                        (solution[:, :5], "should have the shape of z^(2)"),
                        (solution + 0.01, "differs from nnlib's"),
                        ("delta", "should be an array")]:
        assert check_hidden_delta(big, X, y, ce, 2, wrong) is False
        out = capsys.readouterr().out
        assert hint in out, (hint, out)


def test_hidden_delta_layer_1_with_sigmoid_and_mse(capsys):
    model = nnlib.mlp([3, 4, 4, 2], "sigmoid", rng=0)
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    mse = nnlib.MSELoss()
    deltas, _, z = deltas_of(model, X, Y, mse)
    answer = (deltas[1] @ model[2].W.data) * nnlib.sigmoid_prime(z[0])
    assert check_hidden_delta(model, X, Y, mse, 1, answer) is True
    capsys.readouterr()
    assert check_hidden_delta(model, X, Y, mse, 3, answer) is False  # issue 10: a sentence
    assert "wants a hidden layer" in capsys.readouterr().out


def test_fd_passes_solution_and_hints(capsys):
    sizes = [10, 32, 32, 5]
    assert check_fd_passes(sizes, 2 * nnlib.count_parameters(sizes)) is True  # the worked solution
    assert "= 3146" in capsys.readouterr().out
    for answer, hint in [(1573, "TWICE per parameter"), (1574, "one-sided"),
                         (2 * 1504, "left out the 69 biases"), (1504, "number of weights"),
                         (2, "what backprop needs"), (3000, "off by")]:
        assert check_fd_passes(sizes, answer) is False
        out = capsys.readouterr().out
        assert hint in out, (answer, out)
    assert check_fd_passes([2, 3, 1], 18, bias=False) is True


def notebook_cell(name, marker):
    """The source of the code cell of notebook ``name`` that contains ``marker``."""
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parent.parent / "notebooks" / name).read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return next(c for c in cells if marker in c)


def test_the_notebooks_big_network_has_non_zero_biases():
    """Issue 10: with zero biases an answer that forgets + b passed. big_setup must be the
    notebook's network: run the notebook's own cell and compare."""
    source = notebook_cell("06-backprop-in-general.ipynb", "big = nnlib.mlp([10, 32, 32, 5]")
    scope = {"np": np, "nnlib": nnlib}
    exec(source.split("print(")[0], scope)  # up to the first print: the network and the batch
    big, X, y, _ = big_setup()
    for ours, theirs in zip(big.parameters(), scope["big"].parameters()):
        np.testing.assert_array_equal(ours.data, theirs.data)
    np.testing.assert_array_equal(scope["X_big"], X)
    for layer in scope["big"][0], scope["big"][2], scope["big"][4]:
        assert np.all(layer.b.data != 0)


def test_hidden_delta_names_what_is_actually_wrong(capsys):
    """Issue 10: forgetting the biases passed; a wrong phi' or the wrong layer got the
    misleading hint "is z^(2) = ...?"."""
    big, X, y, ce = big_setup()
    W, b = [big[k].W.data for k in (0, 2, 4)], [big[k].b.data for k in (0, 2, 4)]
    Y1 = np.eye(5)[y]

    def delta2(bias=True, dphi=lambda z: 1 - np.tanh(z) ** 2, at=None, d3=None):
        z1 = X @ W[0].T + (b[0] if bias else 0)
        z2 = np.tanh(z1) @ W[1].T + (b[1] if bias else 0)
        z3 = np.tanh(z2) @ W[2].T + (b[2] if bias else 0)
        d3 = (nnlib.softmax(z3) - Y1) / len(X) if d3 is None else d3(z3)
        return (d3 @ W[2]) * dphi(z2 if at is None else z1), z1, z2

    right, z1, z2 = delta2()
    assert check_hidden_delta(big, X, y, ce, 2, right) is True
    delta1 = (right @ W[1]) * (1 - np.tanh(z1) ** 2)
    for wrong, hint in [(delta2(bias=False)[0], "you left out the biases"),
                        (delta2(dphi=nnlib.sigmoid_prime)[0], "derivative of Sigmoid; layer 2's activation is Tanh"),
                        (delta2(dphi=nnlib.relu_prime)[0], "derivative of ReLU"),
                        (delta2(at=1)[0], "you took phi' at z^(1)"),
                        (delta1, "that is delta^(1), of layer 1"),
                        (delta2(d3=lambda z3: nnlib.softmax(z3) / len(X))[0], "left out y"),
                        (delta2(d3=lambda z3: (z3 - Y1) / len(X))[0], "instead of p = softmax"),
                        (right.tolist(), None)]:
        ok = check_hidden_delta(big, X, y, ce, 2, wrong)
        out = capsys.readouterr().out
        if hint is None:  # a nested list is an array too
            assert ok is True, out
        else:
            assert ok is False and hint in out and "is z^(2) =" not in out, (hint, out)


# -- exercise 4: a layer's backward written by the student ----------------------------------


def softplus_with(backward, forward=None):
    """A Softplus whose backward (and forward) is a student's attempt."""
    attrs = {"backward": backward}
    if forward is not None:
        attrs["forward"] = forward
    return type("Softplus", (Softplus,), attrs)


class SquaredNorm(nnlib.Layer):
    """out_n = ||x_n||^2 (N, 1): dx = 2 x dout (dout broadcast over the row)."""

    def forward(self, x):
        self.x = x
        return np.sum(x ** 2, axis=1, keepdims=True)

    def backward(self, dout):
        return 2 * self.x * dout


class Scale(nnlib.Layer):
    """out = x * a with a learnable a (D,): a layer with a parameter."""

    def __init__(self, d=3, assign=False):
        super().__init__()
        self.a = nnlib.Parameter(np.linspace(0.5, 1.5, d))
        self._params = {"a": self.a}
        self.assign = assign

    def forward(self, x):
        self.x = x
        return x * self.a.data

    def backward(self, dout):
        if self.assign:
            self.a.grad = (dout * self.x).sum(axis=0)
        else:
            self.a.grad += (dout * self.x).sum(axis=0)
        return dout * self.a.data


def test_layer_backward_right_answers(capsys):
    for layer in (Softplus, Softplus(), SquaredNorm, Scale):
        assert check_layer_backward(layer) is True, capsys.readouterr().out
        assert "agrees with finite differences (check_gradients" in capsys.readouterr().out


def test_layer_backward_stub_says_not_done_yet(capsys):
    class Stub(nnlib.Layer):  # what the notebook hands out
        def forward(self, x):
            self.x = x
            return np.logaddexp(0.0, x)

        def backward(self, dout):
            return None  # your code

    class NoBackward(nnlib.Layer):
        def forward(self, x):
            return np.logaddexp(0.0, x)

    assert check_layer_backward(None) is None
    assert check_layer_backward(Stub) is None
    assert check_layer_backward(NoBackward) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("not done yet") for line in lines)


def forgot_dout(self, dout):
    return nnlib.sigmoid(self.x)


def flipped(self, dout):
    return -dout * nnlib.sigmoid(self.x)


def no_cache_forward(self, x):
    return np.logaddexp(0.0, x)


def stale_forward(self, x):
    if not hasattr(self, "x"):
        self.x = x  # caches only the first input
    return np.logaddexp(0.0, x)


@pytest.mark.parametrize("layer, hint", [
    (softplus_with(forgot_dout), "you left out dout"),
    (softplus_with(flipped), "the sign is flipped"),
    (softplus_with(lambda self, dout: (dout * nnlib.sigmoid(self.x)).sum(axis=1, keepdims=True)),
     "returned shape (4, 1)"),
    (softplus_with(lambda self, dout: (dout * nnlib.sigmoid(self.x)).T), "the input's shape (4, 3)"),
    (softplus_with(Softplus.backward, forward=no_cache_forward), "forward did not store"),
    (softplus_with(Softplus.backward, forward=stale_forward), "EARLIER forward call"),
    (softplus_with(lambda self, dout: dout * np.logaddexp(0.0, self.x)), "dx is not d loss / d x: at entry"),
    (softplus_with(lambda self, dout: dout * undefined_name), "NameError"),  # noqa: F821
    (softplus_with(lambda self, dout: [[1.0]]), "returned shape (1, 1)"),
    (softplus_with(lambda self, dout: "dx"), "should return an array of finite numbers"),
    (softplus_with(lambda self, dout: dout * np.inf), "should return an array of finite numbers"),
    (Scale(assign=True), "add to it (self.a.grad += ...)"),
    (type("NeedsArgs", (nnlib.Layer,), {"__init__": lambda self, d: None}), "with no arguments"),
    (np.logaddexp, "expected an nnlib.Layer"),
    (int, "expected a subclass of nnlib.Layer"),
])
def test_layer_backward_wrong_and_half_right(layer, hint, capsys):
    assert check_layer_backward(layer) is False
    out = capsys.readouterr().out
    assert out.startswith("not yet right") and hint in out, out


def test_layer_backward_wrong_parameter_gradient(capsys):
    class WrongGrad(Scale):
        def backward(self, dout):
            self.a.grad += 2 * (dout * self.x).sum(axis=0)
            return dout * self.a.data

    class NoGrad(Scale):
        def backward(self, dout):
            return dout * self.a.data

    assert check_layer_backward(WrongGrad) is False
    assert "a is above 1e-07: d loss / d a is off" in capsys.readouterr().out
    assert check_layer_backward(NoGrad) is False
    assert "is d loss / d a added to self.a.grad?" in capsys.readouterr().out


def test_hidden_delta_names_one_minus_z_squared(capsys):
    """Student finding: 1 - z2**2 in place of tanh'(z2) = 1 - tanh(z2)**2 got only the generic
    "differs from nnlib's" message."""
    big, X, y, ce = big_setup()
    right, delta3, z2, _ = worked_delta2(big, X, y)
    wrong = (delta3 @ big[4].W.data) * (1 - z2 ** 2)
    assert check_hidden_delta(big, X, y, ce, 2, wrong) is False
    out = capsys.readouterr().out
    assert "you used 1 - z^2; tanh'(z) = 1 - tanh(z)^2" in out, out
    # the same slip for a sigmoid network: z (1 - z) instead of sigma(z) (1 - sigma(z))
    net = nnlib.mlp([10, 8, 8, 5], "sigmoid", rng=3)
    deltas, _, z = deltas_of(net, X, y, ce)
    wrong = (deltas[2] @ net[4].W.data) * z[1] * (1 - z[1])
    assert check_hidden_delta(net, X, y, ce, 2, wrong) is False
    assert "you used z (1 - z)" in capsys.readouterr().out


def overflowing(self, dout):
    return dout * np.exp(self.x) / (1 + np.exp(self.x))  # nan at x = 1000: inf / inf


@pytest.mark.parametrize("backward", [
    lambda self, dout: dout * nnlib.sigmoid(self.x),               # the notebook's solution
    lambda self, dout: dout / (1 + np.exp(-self.x)),               # e^-x overflows to inf: 1/inf = 0, right
    lambda self, dout: dout * np.exp(-np.logaddexp(0.0, -self.x)),
    lambda self, dout: dout * 0.5 * (1 + np.tanh(self.x / 2)),
])
def test_layer_backward_stable_forms_pass(backward, capsys):
    assert check_layer_backward(softplus_with(backward)) is True, capsys.readouterr().out


def test_layer_backward_refuses_an_overflowing_derivative(capsys):
    """Student finding: dout * np.exp(x) / (1 + np.exp(x)) was called correct (the test batch
    had |x| <= 2), but it is nan at x = 1000, while the forward is written "without overflow".
    The default test includes large |x|; the answer is refused with a sentence about stability,
    and no numpy warning reaches the student."""
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("error")     # a RuntimeWarning would raise here
        assert check_layer_backward(softplus_with(overflowing)) is False
    out = capsys.readouterr().out
    assert out.startswith("not yet right") and "not numerically stable" in out and "x = 1000" in out, out
    # finite at large x, but wrong there (a clipped slope): named as a large-input problem
    clipped = softplus_with(lambda self, dout: dout * np.minimum(nnlib.sigmoid(self.x), 0.99))
    assert check_layer_backward(clipped) is False
    assert "not for large ones" in capsys.readouterr().out


def test_layer_backward_large_inputs_leave_other_layers_alone(capsys):
    """Layers whose forward is finite at large x and whose backward is right pass (with a
    parameter, too); the probe leaves no gradient behind."""
    for layer in (SquaredNorm, Scale):
        assert check_layer_backward(layer) is True, capsys.readouterr().out
    scale = Scale()
    check_layer_backward(scale)
    assert np.all(np.isfinite(scale.a.grad)) and np.abs(scale.a.grad).max() < 100  # not the x = 1000 batch


def test_the_notebooks_own_softplus_solution_passes_the_large_input_test(capsys):
    """06 exercise 4's worked solution (read from the notebook's Solution block) passes the check
    with its large |x| entries, and so does the network built from it."""
    import json
    import re
    from pathlib import Path

    nb = json.loads((Path(__file__).parent.parent / "notebooks" / "06-backprop-in-general.ipynb").read_text())
    blocks = [b for c in nb["cells"] if c["cell_type"] == "markdown"
              for b in re.findall(r"```python\n(.*?)```", "".join(c["source"]), re.S)]
    (solution,) = [b for b in blocks if "class Softplus" in b]  # the answer cell, filled in
    (stack,) = [b for b in blocks if "Softplus()" in b and "class Softplus" not in b]
    namespace = {"np": np, "nnlib": nnlib}
    exec(solution, namespace)
    check_softplus_backward(namespace["Softplus"])  # what the check cell after it does
    exec(stack, namespace)
    out = capsys.readouterr().out
    assert out.startswith("correct: Softplus.backward agrees with finite differences"), out


def test_fd_passes_a_fraction_is_not_a_count(capsys):
    assert check_fd_passes([10, 32, 32, 5], 3146.5) is False
    assert "whole number" in capsys.readouterr().out


@pytest.mark.parametrize("layer", [nnlib.ReLU, nnlib.Sigmoid, nnlib.Tanh(), SquaredNorm])
def test_softplus_exercise_refuses_another_layer(layer, capsys):
    """Bug: check_layer_backward(nnlib.ReLU) in 06's exercise 4 said "correct: ReLU.backward
    agrees ...": true of ReLU, but the exercise asks for Softplus. Its checker says so, and
    check_layer_backward still judges any layer."""
    assert check_softplus_backward(layer) is False
    out = capsys.readouterr().out
    name = layer.__name__ if isinstance(layer, type) else type(layer).__name__
    assert "the exercise asks for a Softplus layer" in out and f"{name}.forward computes something else" in out
    assert check_layer_backward(layer) is True


def test_softplus_exercise_passes_softplus_and_judges_its_backward(capsys):
    assert check_softplus_backward(Softplus) is True
    assert capsys.readouterr().out.startswith("correct: Softplus.backward agrees with finite differences")
    assert check_softplus_backward(softplus_with(lambda self, dout: dout * nnlib.sigmoid(-self.x))) is False
    assert "dx is not d loss / d x" in capsys.readouterr().out
    assert check_softplus_backward(None) is None
