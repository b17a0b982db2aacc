"""Notebook 06's exercise checks: the worked solutions pass, typical slips get their hint."""
import numpy as np
import pytest

import nnlib
from nnlib.exercises.general import (check_fd_passes, check_hidden_delta, check_shapes,
                                     deltas_of)


def big_setup():
    """The notebook's 10-32-32-5 tanh network, batch and loss."""
    big = nnlib.mlp([10, 32, 32, 5], "tanh", rng=7)
    rng = np.random.default_rng(8)
    X = rng.normal(size=(20, 10))
    y = rng.integers(0, 5, size=20)
    return big, X, y, nnlib.CrossEntropyLoss()


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
    assert check_shapes(sizes, 64, 1, [64, 32], np.array([32, 10])) is False  # an array is not a shape
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
    with pytest.raises(ValueError, match="layer"):
        check_shapes(sizes, 8, 4, (8, 5), (5, 32))


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
    with pytest.raises(ValueError, match="hidden layer"):
        check_hidden_delta(model, X, Y, mse, 3, answer)


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
