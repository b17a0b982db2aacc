"""Checks for notebook 03, the structure of a network.

Numeric answers may be numbers or one-element numpy arrays; the tolerances are the ones the
notebook states (a parameter count is exact; exercise 2's y is accepted within 1e-3).
"""
import numpy as np

from ..activations import Activation, LinearActivation, ReLU
from ..core import Layer
from ..layers import Dense
from ..network import Sequential, count_parameters
from . import as_array, as_number, check_number, describe, not_a_number, not_done, report

# Exercise 1: count the parameters of a 3-5-4-2 network with biases.
COUNT_SIZES = (3, 5, 4, 2)

# Exercise 2: a tiny 2-3-1 network, ReLU in the hidden layer, linear output.
TINY = {
    "W1": np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 0.0]]),  # (3, 2)
    "b1": np.array([0.0, -1.0, 0.5]),                          # (3,)
    "W2": np.array([[1.0, -1.0, 2.0]]),                        # (1, 3)
    "b2": np.array([0.25]),                                    # (1,)
    "x": np.array([1.0, 2.0]),                                 # (2,)
}

# Exercise 3: a network with 2 inputs, 1 output, two or more hidden layers, biases, 30 parameters.
BUDGET = 30

TINY_ATOL = 1e-3  # exercise 2: y within 0.001 of the exact value


def tiny_network():
    """Copies of exercise 2's arrays (so editing them cannot change the check)."""
    return {name: value.copy() for name, value in TINY.items()}


def check_count(answer, sizes=COUNT_SIZES, bias=True):
    """The number of parameters of a fully connected network with layer ``sizes``."""
    expected = count_parameters(sizes, bias=bias)
    value = as_number(answer)
    if value is not None and bias:
        pairs = list(zip(sizes[:-1], sizes[1:]))
        weights = sum(n_in * n_out for n_in, n_out in pairs)
        hints = {
            weights: f"you counted the {weights} weights but not the {expected - weights} biases "
                     "(one per unit of every layer after the input)",
            weights + sum(n_in for n_in, _ in pairs):
                "you gave each layer one bias per INPUT; a bias belongs to each OUTPUT unit "
                "(b has shape (out,))",
            sum(sizes): "that is the number of units (neurons), not of parameters",
            expected + sizes[0]: "the input layer has no biases: it only holds x",
        }
        for wrong, hint in hints.items():
            if wrong != expected and value == wrong:
                return report(False, hint)
    return check_number(answer, expected, "the number of parameters", rtol=0)  # a count is exact


def _tiny_model():
    """TINY as an nnlib model, the referee for exercise 2."""
    first, second = Dense(2, 3, rng=0), Dense(3, 1, rng=0)
    first.W.data[:], first.b.data[:] = TINY["W1"], TINY["b1"]
    second.W.data[:], second.b.data[:] = TINY["W2"], TINY["b2"]
    return Sequential(first, ReLU(), second)


def _column_slips():
    """What the forward pass gives when x is made a column (2, 1) but b1 stays (3,): W1 x is
    then (3, 1), and (3, 1) + (3,) broadcasts to a (3, 3) matrix instead of adding entry by
    entry. [(array, what it is), ...]"""
    W1, b1, W2, b2, x = (TINY[k] for k in ("W1", "b1", "W2", "b2", "x"))
    H = np.maximum(W1 @ x[:, None] + b1, 0)  # (3, 3)
    return [(W2 @ H + b2, "y"), (W2 @ H, "y without b2"), (H, "h")]


def check_tiny_output(answer, atol=TINY_ATOL):
    """y = W2 relu(W1 x + b1) + b2 for the TINY network; a number or any size-1 array,
    accepted within ``atol``."""
    if answer is None:
        return not_done("compute y with numpy and put it in my_y")
    value = as_array(answer)
    if value is None:
        return not_a_number(answer, "y")
    if value.size != 1:
        for wrong, what in _column_slips():
            if value.shape == wrong.shape and np.allclose(value, wrong, rtol=0, atol=atol):
                return report(False, f"your {what} has shape {value.shape}: with x as a column (2, 1), "
                                     "W1 @ x is (3, 1), and adding b1 of shape (3,) broadcasts to a (3, 3) "
                                     "matrix; b1 needs to be a column too, b1[:, None] (or keep x as (2,))")
        maybe = (" A (3, 3) or (1, 3) result usually comes from adding a column (3, 1) and a vector "
                 "(3,), which numpy broadcasts to (3, 3): with x as a column, b1 needs to be a column "
                 "too, b1[:, None]") if value.shape in ((3, 3), (1, 3)) else ""
        return report(False, f"y is a single number (the network has one output), got shape {value.shape}.{maybe}")
    value = float(value.item())
    W1, b1, W2, b2, x = (TINY[k] for k in ("W1", "b1", "W2", "b2", "x"))
    expected = float(_tiny_model().forward(x[None, :])[0, 0])
    z1 = W1 @ x + b1
    hints = {
        (W2 @ z1 + b2).item(): "you skipped the ReLU: h = relu(W1 x + b1) sets negative entries to 0",
        (W2 @ np.maximum(W1 @ x, 0) + b2).item(): "you left out b1, the hidden layer's biases",
        (W2 @ np.maximum(z1, 0)).item(): "you left out b2, the output layer's bias",
        (W2 @ np.maximum(W1 @ x, 0)).item(): "you left out both biases",
        # y = 0 has other causes too (a zero h, a missing sum): say "if"
        max(expected, 0.0): f"y is not {max(expected, 0.0):g}. If you applied ReLU to the output too, "
                            "that is the slip: the output layer here is linear (no activation), so y "
                            "can be negative",
    }
    for wrong, hint in hints.items():
        if not np.isclose(wrong, expected, rtol=0, atol=atol) and np.isclose(value, wrong, rtol=0, atol=atol):
            return report(False, hint)
    return check_number(value, expected, "y = W2 relu(W1 x + b1) + b2", rtol=0, atol=atol)


def check_budget(model, budget=BUDGET):
    """A model with 2 inputs, 1 output, at least two hidden layers (three Dense layers), an
    activation after every hidden layer, biases everywhere, and exactly ``budget`` parameters."""
    if model is None:
        return not_done("build a model and pass it here")
    if not isinstance(model, Layer):
        return report(False, f"expected an nnlib model (e.g. nnlib.mlp(...)), got {describe(model)}")
    layers = list(model) if isinstance(model, Sequential) else [model]
    dense = [i for i, layer in enumerate(layers) if isinstance(layer, Dense)]
    if len(dense) < 3:
        return report(False, f"the model has {len(dense)} Dense layer(s); two hidden layers and an "
                             "output layer make at least 3")
    first, last = layers[dense[0]], layers[dense[-1]]
    if first.in_features != 2:
        return report(False, f"the first Dense layer takes {first.in_features} inputs; it should take 2")
    if last.out_features != 1:
        return report(False, f"the last Dense layer has {last.out_features} outputs; it should have 1")
    for a, b in zip(dense[:-1], dense[1:]):
        if layers[a].out_features != layers[b].in_features:
            return report(False, f"layer {a} has {layers[a].out_features} outputs but layer {b} "
                                 f"takes {layers[b].in_features} inputs: they must match")
    for i in dense[:-1]:
        if i + 1 >= len(layers) or not isinstance(layers[i + 1], Activation):
            return report(False, f"layer {i} (a hidden Dense layer) is not followed by an activation: "
                                 "without one, two Dense layers collapse into one")
        if isinstance(layers[i + 1], LinearActivation):
            return report(False, f"layer {i + 1} is a linear activation: a x + b after a Dense layer is "
                                 "still linear, so the layers collapse into one; use a non-linear one")
    nobias = [i for i in dense if layers[i].b is None]
    if nobias:
        return report(False, f"Dense layer(s) {nobias} have no bias; this exercise wants biases everywhere")
    n = model.num_parameters()
    sizes = [first.in_features] + [layers[i].out_features for i in dense]
    arch = "-".join(map(str, sizes))
    if n != budget:
        return report(False, f"your {arch} network has {n} parameters, {n - budget:+d} from the budget of {budget}")
    return report(True, f"a {arch} network with exactly {budget} parameters")
