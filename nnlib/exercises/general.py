"""Checks for notebook 06, backpropagation in general: shapes, one step of the delta recursion,
what finite differences cost, and a layer's ``backward`` written by the student.

Conventions (as in the notebook): a batch is rows, X is (N, in); W^(l) is (out, in);
z^(l) = h^(l-1) W^(l)T + b^(l), h^(l) = phi(z^(l)), delta^(l) = d loss / d z^(l), so
delta^(l) = (delta^(l+1) W^(l+1)) * phi'(z^(l)) and dW^(l) = delta^(l)T h^(l-1).

Every check answers with one sentence, never a traceback: answers are parsed by the shared
``as_number`` / ``as_array``; a layer index out of range, a model that is not a stack of Dense
layers, or a student layer that raises, each get a sentence saying so.
"""
import copy
import numbers

import numpy as np

from ..activations import Activation, ReLU, Sigmoid, Tanh
from ..core import Layer
from ..gradcheck import check_gradients, numerical_gradient, rel_error
from ..layers import Dense
from ..losses import CrossEntropyLoss, Loss, MSELoss, softmax
from ..network import count_parameters
from . import as_array, as_number, check_number, describe, not_a_number, not_done, report


# -- exercise 1: shapes ---------------------------------------------------------------------
def _as_shape(value):
    """A tuple of ints from a tuple, a list or a 1-D integer array (``a.shape`` or
    ``np.array([64, 32])``), or None when ``value`` is not a shape."""
    if value is None or isinstance(value, (str, bytes, dict, set)):
        return None
    if isinstance(value, np.ndarray):
        if value.ndim != 1 or value.dtype.kind not in "iu":
            return None
        value = value.tolist()
    try:
        shape = tuple(value)
    except TypeError:
        return None
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) for v in shape):
        return None
    return tuple(int(v) for v in shape)


def _layer_index(layer, top, what="layer"):
    """``layer`` as an int in 1..top, or a sentence saying why it is not one."""
    if isinstance(layer, (bool, np.bool_)) or not isinstance(layer, numbers.Integral):
        return f"{what} should be a whole number from 1 to {top}, got {describe(layer)}"
    if not 1 <= int(layer) <= top:
        zero = " (layers count from 1: layer 1 is the first Dense layer, the input is h^(0))" if layer == 0 else ""
        return f"{what} = {int(layer)} is out of range: it runs from 1 to {top}{zero}"
    return int(layer)


def check_shapes(sizes, batch_size, layer, delta_shape, dW_shape):
    """The shapes of delta^(l) = d loss / d z^(l) and dW^(l) = delta^(l)T h^(l-1) for a fully
    connected network with layer ``sizes`` (inputs first), a batch of ``batch_size`` rows, and
    ``layer`` = l in 1 .. len(sizes) - 1. A shape may be a tuple, a list or an integer array."""
    try:
        sizes = [int(s) for s in sizes]
    except (TypeError, ValueError):
        return report(False, f"sizes should be the layer sizes, e.g. [10, 32, 32, 5], got {describe(sizes)}")
    layer = _layer_index(layer, len(sizes) - 1)
    if isinstance(layer, str):
        return report(False, layer)
    if delta_shape is None or dW_shape is None:
        return not_done(f"give the shapes of delta^({layer}) and dW^({layer}) as tuples, e.g. (2, 3)")
    n, n_out, n_in = batch_size, sizes[layer], sizes[layer - 1]
    want_delta, want_dW = (n, n_out), (n_out, n_in)
    delta, dW = _as_shape(delta_shape), _as_shape(dW_shape)
    for name, got, raw in (("delta_shape", delta, delta_shape), ("dW_shape", dW, dW_shape)):
        if got is None:
            return report(False, f"{name} should be a tuple of ints such as (2, 3) (of an array a: a.shape), "
                          f"got {describe(raw)}")
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


def _propagate(pairs, z, delta_out, layer):
    """The recursion from a given output delta down to ``layer`` (1-based): what a student gets
    who starts from a wrong delta^(L) but does every later step right."""
    delta = delta_out
    for l in range(len(pairs) - 1, layer - 1, -1):  # l is the 0-based index of the layer above
        delta = (delta @ pairs[l][0].W.data) * pairs[l - 1][1].dphi(z[l - 1])
    return delta


def _no_biases(model):
    """A copy of ``model`` with every bias set to zero (what forgetting + b computes)."""
    model = copy.deepcopy(model)
    for dense, _ in _dense_and_activations(model):
        if dense.b is not None:
            dense.b.data[:] = 0.0
    return model


def check_hidden_delta(model, X, y, loss_fn, layer, answer):
    """delta^(l) = (delta^(l+1) W^(l+1)) * phi'(z^(l)) for hidden layer l (1-based) of ``model``
    on the batch X, y; the answer is an (N, units) array (or a nested list)."""
    try:
        pairs = _dense_and_activations(model)
        deltas, h_in, z = deltas_of(model, X, y, loss_fn)
    except (TypeError, ValueError, AttributeError) as exc:
        return report(False, f"the problem is not one this check knows (a Sequential of Dense layers "
                             f"and activations, a batch X, y and an nnlib loss): {exc}")
    hidden = len(pairs) - 1
    index = _layer_index(layer, hidden)
    if isinstance(index, str) or pairs[index - 1][1] is None:
        why = index if isinstance(index, str) else f"layer {layer} has no activation"
        return report(False, f"{why}; this check wants a hidden layer with an activation, 1 to {hidden}")
    layer = index
    if answer is None:
        return not_done(f"compute delta^({layer}) = (delta^({layer + 1}) W^({layer + 1})) * phi'(z^({layer}))")
    expected = deltas[layer - 1]
    what = f"delta^({layer})"
    value = as_array(answer)
    if value is None:
        return report(False, f"{what} should be an array of finite numbers of shape {expected.shape}, "
                             f"got {describe(answer)}")
    if value.shape != expected.shape:
        hint = ""
        if value.shape == expected.shape[::-1]:
            hint = ": it is transposed (the batch is rows, one row per sample)"
        return report(False, f"{what} should have the shape of z^({layer}), {expected.shape} "
                      f"(N samples x units), got {value.shape}{hint}")

    def close(a):
        return a is not None and a.shape == value.shape and np.allclose(value, a, rtol=1e-7, atol=1e-12)

    if close(expected):
        return report(True, f"{what} matches nnlib's backward (largest |difference| "
                      f"{np.abs(value - expected).max():.1e})")
    act = pairs[layer - 1][1]
    back = deltas[layer] @ pairs[layer][0].W.data  # delta^(l+1) W^(l+1): d loss / d h^(l)
    zl = z[layer - 1]
    n = value.shape[0]
    hints = [
        (-expected, "the sign is flipped: check delta at the output (for the mean MSE it is "
                    "-2 e / N * phi', for cross-entropy (p - y) / N)"),
        (n * expected, "N times too large: with the mean loss, the 1/N sits in the output delta"),
        (expected / n, "N times too small: the 1/N belongs in the output delta only once"),
        (back, f"that is d loss / d h^({layer}); multiply by phi'(z^({layer})) to reach z^({layer})"),
        (back * act.dphi(act.phi(zl)), f"you took phi' of h^({layer}) = phi(z^({layer})); take it of "
                                       f"z^({layer}) (for tanh phi'(z) = 1 - h^2, for the sigmoid h (1 - h))"),
        (back * act.phi(zl), f"you multiplied by phi(z^({layer})), the activation, instead of its derivative phi'"),
    ]
    # phi' written from h, but with z put in h's place: 1 - z^2 for tanh' = 1 - tanh(z)^2,
    # z (1 - z) for sigma' = sigma(z) (1 - sigma(z))
    if isinstance(act, Tanh):
        hints.append((back * (1 - zl ** 2), f"you used 1 - z^2; tanh'(z) = 1 - tanh(z)^2: square "
                                            f"h^({layer}) = tanh(z^({layer})), not z^({layer})"))
    if isinstance(act, Sigmoid):
        hints.append((back * zl * (1 - zl), f"you used z (1 - z); sigma'(z) = sigma(z) (1 - sigma(z)): "
                                            f"use h^({layer}) = sigma(z^({layer})), not z^({layer})"))
    name = type(act).__name__
    for other in (Tanh(), Sigmoid(), ReLU()):
        if type(other) is not type(act):
            hints.append((back * other.dphi(zl), f"that uses the derivative of {type(other).__name__}; "
                                                 f"layer {layer}'s activation is {name}"))
    for l, z_other in enumerate(z):
        if l != layer - 1 and z_other.shape == zl.shape:
            hints.append((back * act.dphi(z_other), f"you took phi' at z^({l + 1}), layer {l + 1}'s "
                                                    f"pre-activation; delta^({layer}) needs phi'(z^({layer}))"))
    for l, d in enumerate(deltas):
        if l != layer - 1 and d.shape == expected.shape:
            hints.append((d, f"that is delta^({l + 1}), of layer {l + 1}; the exercise asks for {what}"))
    try:
        unbiased = deltas_of(_no_biases(model), X, y, loss_fn)[0][layer - 1]
        hints.append((unbiased, "you left out the biases: z^(l) = h^(l-1) W^(l)T + b^(l) in every "
                                "layer of the forward pass, and this network's b are not zero"))
    except (TypeError, ValueError):
        pass
    if isinstance(loss_fn, CrossEntropyLoss):
        z_out = z[-1]
        p = softmax(z_out)
        Y = np.eye(z_out.shape[1])[np.asarray(y, dtype=int)] if np.ndim(y) == 1 else np.asarray(y, dtype=float)
        for d_out, hint in [(p / n, "you left out y in the output delta: delta^(L) = (p - y) / N, "
                                    "with y one-hot"),
                            ((z_out - Y) / n, "you used the scores z^(L) instead of p = softmax(z^(L)) "
                                              "in delta^(L) = (p - y) / N")]:
            hints.append((_propagate(pairs, z, d_out, layer), hint))
    for wrong, hint in hints:
        if not np.allclose(wrong, expected, rtol=1e-7, atol=1e-12) and close(wrong):
            return report(False, hint)
    off = np.abs(value - expected)
    bad = int((~np.isclose(value, expected, rtol=1e-7, atol=1e-12)).sum())
    return report(False, f"{what} differs from nnlib's by up to {off.max():.3g} ({bad} of {off.size} "
                  "entries), and matches none of the usual slips (sign, 1/N, phi' or its argument, "
                  "the biases, the wrong layer): redo the forward pass and the recursion one line at "
                  "a time, printing each shape")


# -- exercise 3: the price of finite differences --------------------------------------------
def check_fd_passes(sizes, answer, bias=True):
    """How many forward passes ``nnlib.numerical_gradient`` needs for the gradient with respect
    to every parameter of a fully connected network with layer ``sizes``: two per parameter."""
    P = count_parameters(sizes, bias=bias)
    expected = 2 * P
    value = as_number(answer)
    if answer is not None and value is None:
        return not_a_number(answer, "the number of forward passes")
    if value is not None and value != expected:
        weights = count_parameters(sizes, bias=False)
        hints = {
            P: f"that is P = {P}; a central difference evaluates the loss TWICE per parameter, "
               "at theta_i + h and at theta_i - h",
            P + 1: "that is a one-sided difference (one shared loss at theta plus one per parameter); "
                   "numerical_gradient uses central differences",
        }
        if weights != P:
            hints.setdefault(2 * weights, f"you left out the {P - weights} biases: they are parameters too")
            hints.setdefault(weights, f"that is the number of weights; there are also {P - weights} "
                                      "biases, and two passes per parameter")
        for count in (1, 2, 3):
            hints.setdefault(count, "that is (about) what backprop needs; finite differences perturb "
                                    "one parameter at a time")
        if value in hints:
            return report(False, hints[value])
    return check_number(answer, expected, "the number of forward passes", rtol=0)  # a count is exact


# -- exercise 4: a layer's backward, judged by finite differences ---------------------------
GRAD_TOLERANCE = 1e-7  # relative error of a correct float64 backward (the course's standard)


def _call(what, fn, *args):
    """(result, None), or (None, a sentence naming the exception ``fn`` raised)."""
    try:
        return fn(*args), None
    except Exception as exc:  # a half-written layer may raise anything; the student sees it in words
        return None, f"{what} raised {type(exc).__name__}: {exc}"


def _first_difference(x, dout, dx, want):
    """One entry where ``dx`` and ``want`` differ, in numbers a student can redo by hand."""
    k = np.unravel_index(np.argmax(np.abs(dx - want)), want.shape)
    place = ", ".join(map(str, k))
    return (f"at entry ({place}): x = {x[k]:.4f}, dout = {dout[k]:.4f} gives dx = {want[k]:.6f} by "
            f"finite differences, yours is {dx[k]:.6f}") if dout.shape == x.shape else (
            f"at entry ({place}): x = {x[k]:.4f}, finite differences give dx = {want[k]:.6f}, yours is {dx[k]:.6f}")


LARGE = (-1000.0, -50.0, 50.0, 1000.0, 800.0, -800.0)  # beyond e^709.8, float64's largest e^x


def _large_inputs_problem(layer, name, d, gen):
    """A sentence if ``backward`` is not finite, or not right, at large |x| where ``forward`` is
    finite; None otherwise (also when forward itself overflows there: then the layer does not
    claim large inputs). Entries of a (2, d) batch cycle through LARGE."""
    x = np.resize(np.array(LARGE), 2 * d).reshape(2, d)
    for p in layer.parameters():
        p.zero_grad()
    out, problem = _call(f"{name}.forward", layer.forward, x.copy())
    out = None if problem else as_array(out)
    if out is None or out.ndim != 2:
        return None
    dout = gen.uniform(0.5, 1.5, size=out.shape)
    dx, problem = _call(f"{name}.backward", layer.backward, dout.copy())
    for p in layer.parameters():
        p.zero_grad()
    if problem:
        return f"{problem} at large inputs (x = {x.ravel()[:4].tolist()}...), where forward works"
    dx = np.asarray(dx, dtype=float) if dx is not None else None
    if dx is None or dx.shape != x.shape:
        return None  # the shapes were right at ordinary x; nothing more to say here
    if not np.isfinite(dx).all():
        k = tuple(int(i) for i in np.argwhere(~np.isfinite(dx))[0])
        return (f"{name}.backward is not numerically stable: at x = {x[k]:g} it returns {dx[k]} "
                f"(entry {k}), although forward gives a finite {out[k] if out.shape == x.shape else 'output'}"
                ". A step overflows in float64: np.exp(x) is inf above x = 709, and inf / inf or "
                "inf - inf is nan. Write the derivative in a form whose steps stay finite, as forward "
                "does with np.logaddexp; for example e^x / (1 + e^x) = 1 / (1 + e^-x), which "
                "nnlib.sigmoid computes without overflow")

    def f_at(point):
        return lambda _: float(np.sum(dout * layer.forward(point)))

    probe = x.copy()
    want = numerical_gradient(f_at(probe), probe)
    if not np.allclose(dx, want, rtol=1e-5, atol=1e-6):
        return (f"{name}.backward is right for ordinary inputs but not for large ones: "
                f"{_first_difference(x, dout, dx, want)}")
    return None


def check_layer_backward(layer, x=None, rng=0):
    """Does ``layer`` (an instance of your ``nnlib.Layer`` subclass, or the class itself) compute
    ``backward(dout) = d loss / d x`` (and add its parameters' gradients to their ``.grad``)?

    The verdict is ``nnlib.check_gradients`` (backprop against central differences, relative
    error below 1e-7); before that, a direct test with a random ``dout`` names the usual slips:
    an unfinished stub, nothing cached in ``forward``, the factor ``dout`` left out (the chain
    rule), a flipped sign, a wrong shape, gradients assigned instead of added. Then a batch with
    large entries (x = +-1000, +-50, ...): where ``forward`` is finite there, ``backward`` must be
    finite and right too, so a derivative written with an overflowing step (np.exp(1000) is inf,
    and inf / inf is nan) is refused with a sentence about numerical stability.
    x: (N, D) inputs to test at (default: a seeded (4, 3) batch with entries in about -2..2).
    """
    if layer is None:
        return not_done("write your layer class and pass it (or an instance) here")
    if isinstance(layer, type):
        if not issubclass(layer, Layer):
            return report(False, f"expected a subclass of nnlib.Layer, got the class {layer.__name__}")
        layer, problem = _call(f"{layer.__name__}()", layer)
        if problem:
            return report(False, problem + " (the check builds your layer with no arguments)")
    if not isinstance(layer, Layer):
        return report(False, f"expected an nnlib.Layer (your class or an instance of it), got {describe(layer)}")
    name = type(layer).__name__
    gen = np.random.default_rng(rng)
    x = gen.uniform(-2.0, 2.0, size=(4, 3)) if x is None else as_array(x)
    if x is None or x.ndim != 2:
        return report(False, "x should be a 2-D batch of finite numbers, (N, D)")
    x_other = gen.uniform(-2.0, 2.0, size=x.shape)

    # the first forward runs elsewhere (x_other), so a layer that caches only once shows up
    out, problem = _call(f"{name}.forward", layer.forward, x_other.copy())
    if problem:
        return report(False, problem)
    out = as_array(out)
    if out is None or out.ndim != 2:
        return report(False, f"{name}.forward should return a 2-D array of finite numbers, (N, units)")
    dout = gen.normal(size=out.shape)

    def backward_at(point):
        """dx from forward(point) then backward(dout), after a forward at another point first."""
        for p in layer.parameters():
            p.zero_grad()
        _, problem = _call(f"{name}.forward", layer.forward, point.copy())
        if problem:
            return None, problem
        return _call(f"{name}.backward", layer.backward, dout.copy())

    dx, problem = backward_at(x)
    if problem and "NotImplementedError" in problem:
        return not_done(f"{name}.backward is not written yet: return dx = d loss / d x, given dout = d loss / d out")
    if problem and "AttributeError" in problem:
        return report(False, f"{problem}: backward reads something forward did not store; in forward, "
                             "cache what backward needs (for example self.x = x)")
    if problem:
        return report(False, problem)
    if dx is None:
        return not_done(f"{name}.backward returns None: it should return dx = d loss / d x, an array "
                        f"of x's shape {x.shape}")
    dx_raw = dx
    dx = as_array(dx)
    if dx is None:
        return report(False, f"{name}.backward should return an array of finite numbers, got {describe(dx_raw)}")
    if dx.shape != x.shape:
        also = " (that is the output's shape)" if dx.shape == out.shape else ""
        return report(False, f"{name}.backward returned shape {dx.shape}{also}; dx = d loss / d x has "
                             f"the input's shape {x.shape}")

    def f_at(point, weights):
        return lambda _: float(np.sum(weights * layer.forward(point)))

    probe = x.copy()
    want = numerical_gradient(f_at(probe, dout), probe)
    probe = x.copy()
    local = numerical_gradient(f_at(probe, np.ones_like(out)), probe)  # the same with dout = 1

    def close(a):
        return np.allclose(dx, a, rtol=1e-5, atol=1e-8)

    if not close(want):
        probe = x_other.copy()
        stale = numerical_gradient(f_at(probe, dout), probe)
        if close(-want):
            return report(False, "the sign is flipped: dx = +dout * (d out / d x)")
        if close(local):
            return report(False, "you left out dout: the chain rule multiplies the local derivative "
                                 "d out / d x by dout = d loss / d out (dx = dout * d out / d x)")
        if close(stale):
            return report(False, "backward used the input of an EARLIER forward call: store x in "
                                 "forward every time it runs, and use that in backward")
        return report(False, f"dx is not d loss / d x: {_first_difference(x, dout, dx, want)}")

    for pname, p in layer.named_parameters():  # parameters: added to .grad, not assigned
        once = p.grad.copy()
        _, problem = _call(f"{name}.backward", layer.backward, dout.copy())
        if problem:
            return report(False, problem + " (on a second call after one forward)")
        if np.any(once != 0) and np.allclose(p.grad, once):
            return report(False, f"{pname}.grad holds one call's gradient after two backward calls: "
                                 f"add to it (self.{pname}.grad += ...), do not assign (=)")

    with np.errstate(all="ignore"):  # an overflow is reported in words below, not as a warning
        unstable = _large_inputs_problem(layer, name, x.shape[1], gen)
    if unstable:
        return report(False, unstable)

    loss = MSELoss()
    target = gen.normal(size=out.shape)
    errors, problem = _call("check_gradients", check_gradients, layer, loss, x.copy(), target)
    if problem:
        return report(False, problem)
    bad = {k: v for k, v in errors.items() if not v < GRAD_TOLERANCE}
    shown = ", ".join(f"{k} {v:.1e}" for k, v in errors.items())
    if bad:
        worst = max(bad, key=bad.get)
        hint = ""
        if worst != "input":
            p = dict(layer.named_parameters())[worst]
            hint = (f": is d loss / d {worst} added to self.{worst}.grad?" if not np.any(p.grad)
                    else f": d loss / d {worst} is off (the sum over the batch of dout times d out / d {worst})")
        return report(False, f"check_gradients finds relative errors {shown}; {worst} is above "
                             f"{GRAD_TOLERANCE:g}{hint}")
    return report(True, f"{name}.backward agrees with finite differences (check_gradients: "
                        f"relative errors {shown})")
