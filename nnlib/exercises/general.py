"""Checks for notebook 06, backpropagation in general: shapes, one step of the delta recursion,
and what finite differences cost.

Conventions (as in the notebook): a batch is rows, X is (N, in); W^(l) is (out, in);
z^(l) = h^(l-1) W^(l)T + b^(l), h^(l) = phi(z^(l)), delta^(l) = d loss / d z^(l), so
delta^(l) = (delta^(l+1) W^(l+1)) * phi'(z^(l)) and dW^(l) = delta^(l)T h^(l-1).
"""
import copy
import numbers

import numpy as np

from ..activations import Activation
from ..core import Layer
from ..layers import Dense
from ..losses import Loss
from ..network import count_parameters
from . import check_number, not_done, report


# -- exercise 1: shapes ---------------------------------------------------------------------
def _as_shape(value):
    """A tuple of ints, or None when ``value`` is not a shape."""
    if isinstance(value, np.ndarray):
        return None
    try:
        shape = tuple(value)
    except TypeError:
        return None
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in shape):
        return None
    return tuple(int(v) for v in shape)


def check_shapes(sizes, batch_size, layer, delta_shape, dW_shape):
    """The shapes of delta^(l) = d loss / d z^(l) and dW^(l) = delta^(l)T h^(l-1) for a fully
    connected network with layer ``sizes`` (inputs first), a batch of ``batch_size`` rows, and
    ``layer`` = l in 1 .. len(sizes) - 1."""
    sizes = [int(s) for s in sizes]
    if not 1 <= layer < len(sizes):
        raise ValueError(f"layer must be in 1..{len(sizes) - 1}, got {layer}")
    if delta_shape is None or dW_shape is None:
        return not_done(f"give the shapes of delta^({layer}) and dW^({layer}) as tuples, e.g. (2, 3)")
    n, n_out, n_in = batch_size, sizes[layer], sizes[layer - 1]
    want_delta, want_dW = (n, n_out), (n_out, n_in)
    delta, dW = _as_shape(delta_shape), _as_shape(dW_shape)
    for name, got, raw in (("delta_shape", delta, delta_shape), ("dW_shape", dW, dW_shape)):
        if got is None:
            return report(False, f"{name} should be a tuple of ints such as (2, 3) (of an array a: a.shape), "
                          f"got {type(raw).__name__} {raw!r}")
    if delta != want_delta:
        if delta == (n_out, n):
            hint = "delta is transposed: the batch is rows, one row per sample"
        elif delta in ((n_out,), (1, n_out)):
            hint = f"that is delta of ONE sample; the batch has {n} rows, one per sample"
        elif delta == (n, n_in):
            hint = (f"{n_in} is the size of layer {layer}'s input h^({layer - 1}); delta^({layer}) "
                    f"= d loss / d z^({layer}) has the shape of z^({layer})")
        elif layer + 1 < len(sizes) and delta == (n, sizes[layer + 1]):
            hint = (f"{sizes[layer + 1]} is the size of the NEXT layer; delta^({layer}) has one "
                    f"column per unit of layer {layer}")
        else:
            hint = f"delta^({layer}) has the shape of z^({layer}): (N, units of layer {layer})"
        return report(False, f"delta^({layer}) is not {delta}: {hint}")
    if dW != want_dW:
        if dW == (n_in, n_out):
            hint = "dW is transposed: W^(l) is (out, in), and dW has W's shape"
        elif n in dW:
            hint = (f"dW has no batch axis: delta^({layer})T h^({layer - 1}) sums the N outer "
                    "products, one per sample")
        else:
            hint = f"dW^({layer}) has exactly the shape of W^({layer}), (out, in)"
        return report(False, f"delta^({layer}) is right, but dW^({layer}) is not {dW}: {hint}")
    return report(True, f"delta^({layer}) is {want_delta} and dW^({layer}) is {want_dW}")


# -- exercise 2: one step of the recursion --------------------------------------------------
def _dense_and_activations(model):
    """[(Dense, Activation or None), ...] for a Sequential of Dense layers, each followed by an
    activation or not."""
    layers = list(getattr(model, "layers", [model]))
    pairs, i = [], 0
    while i < len(layers):
        if not isinstance(layers[i], Dense):
            raise TypeError(f"expected a Dense layer at position {i}, got {type(layers[i]).__name__}")
        act = layers[i + 1] if i + 1 < len(layers) and isinstance(layers[i + 1], Activation) else None
        pairs.append((layers[i], act))
        i += 2 if act is not None else 1
    return pairs


def deltas_of(model, X, y, loss_fn):
    """The deltas, inputs and pre-activations of every Dense layer, computed by nnlib on a copy
    of ``model`` (which is left as it was): lists delta[l], h_in[l], z[l], one per Dense layer
    in order (index 0 is the notes' layer 1)."""
    if not isinstance(model, Layer):
        raise TypeError(f"model must be an nnlib Layer, got {type(model).__name__}")
    if not isinstance(loss_fn, Loss):
        raise TypeError(f"loss_fn must be an nnlib loss, got {type(loss_fn).__name__}")
    model, loss_fn = copy.deepcopy(model), copy.deepcopy(loss_fn)
    pairs = _dense_and_activations(model)
    h, h_in, z = np.asarray(X, dtype=float), [], []
    for dense, act in pairs:
        h_in.append(h)
        z.append(dense.forward(h))
        h = act.forward(z[-1]) if act is not None else z[-1]
    loss_fn.forward(h, y)
    dout, deltas = loss_fn.backward(), [None] * len(pairs)
    for l in reversed(range(len(pairs))):
        dense, act = pairs[l]
        delta = act.backward(dout) if act is not None else dout  # d loss / d z^(l)
        deltas[l] = delta
        dout = dense.backward(delta)
    return deltas, h_in, z


def check_hidden_delta(model, X, y, loss_fn, layer, answer):
    """delta^(l) = (delta^(l+1) W^(l+1)) * phi'(z^(l)) for hidden layer l (1-based) of ``model``
    on the batch X, y; the answer is an (N, units) array."""
    if answer is None:
        return not_done(f"compute delta^({layer}) = (delta^({layer + 1}) W^({layer + 1})) * phi'(z^({layer}))")
    pairs = _dense_and_activations(model)
    if not 1 <= layer < len(pairs) or pairs[layer - 1][1] is None:
        raise ValueError(f"layer must be a hidden layer with an activation, 1..{len(pairs) - 1}, got {layer}")
    deltas, _, z = deltas_of(model, X, y, loss_fn)
    expected = deltas[layer - 1]
    what = f"delta^({layer})"
    try:
        value = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return report(False, f"{what} should be an array of shape {expected.shape}, got {type(answer).__name__}")
    if value.shape != expected.shape:
        return report(False, f"{what} should have the shape of z^({layer}), {expected.shape} "
                      f"(N samples x units), got {value.shape}")

    def close(a):
        return np.allclose(value, a, rtol=1e-7, atol=1e-12)

    if close(expected):
        return report(True, f"{what} matches nnlib's backward (largest |difference| "
                      f"{np.abs(value - expected).max():.1e})")
    act = pairs[layer - 1][1]
    back = deltas[layer] @ pairs[layer][0].W.data  # delta^(l+1) W^(l+1): d loss / d h^(l)
    dphi, phi = act.dphi(z[layer - 1]), act.phi(z[layer - 1])
    n = value.shape[0]
    hints = [
        (-expected, "the sign is flipped: check delta at the output (for the mean MSE it is "
                    "-2 e / N * phi', for cross-entropy (p - y) / N)"),
        (n * expected, "N times too large: with the mean loss, the 1/N sits in the output delta"),
        (expected / n, "N times too small: the 1/N belongs in the output delta only once"),
        (back, f"that is d loss / d h^({layer}); multiply by phi'(z^({layer})) to reach z^({layer})"),
        (back * act.dphi(phi), f"you took phi' of h^({layer}) = phi(z^({layer})); take it of z^({layer}) "
                               "(for tanh phi'(z) = 1 - h^2, for the sigmoid h (1 - h))"),
        (back * phi, f"you multiplied by phi(z^({layer})), the activation, instead of its derivative phi'"),
    ]
    for wrong, hint in hints:
        if close(wrong):
            return report(False, hint)
    return report(False, f"{what} differs from nnlib's by up to {np.abs(value - expected).max():.3g}: "
                  f"is z^({layer}) = h^({layer - 1}) W^({layer})T + b^({layer})?")


# -- exercise 3: the price of finite differences --------------------------------------------
def check_fd_passes(sizes, answer, bias=True):
    """How many forward passes ``nnlib.numerical_gradient`` needs for the gradient with respect
    to every parameter of a fully connected network with layer ``sizes``: two per parameter."""
    P = count_parameters(sizes, bias=bias)
    expected = 2 * P
    if answer is not None and isinstance(answer, (numbers.Number, np.number)) and answer != expected:
        weights = count_parameters(sizes, bias=False)
        hints = {
            P: f"that is P = {P}; a central difference evaluates the loss TWICE per parameter, "
               "at theta_i + h and at theta_i - h",
            P + 1: "that is a one-sided difference (one shared loss at theta plus one per parameter); "
                   "numerical_gradient uses central differences",
            2 * weights: f"you left out the {P - weights} biases: they are parameters too",
            weights: f"that is the number of weights; there are also {P - weights} biases, and "
                     "two passes per parameter",
        }
        for count in (1, 2, 3):
            hints.setdefault(count, "that is (about) what backprop needs; finite differences perturb "
                                    "one parameter at a time")
        if answer in hints:
            return report(False, hints[answer])
    return check_number(answer, expected, "the number of forward passes")
