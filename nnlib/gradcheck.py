"""Gradient checking: compare backprop's gradients with finite differences.

The derivative of f at x is, to second order in h, (f(x + h) - f(x - h)) / 2h (a *central*
difference: its error shrinks like h^2, where the one-sided (f(x + h) - f(x)) / h's shrinks
like h). It costs two evaluations of f per number in x, which is why nobody trains this way,
and why it is the perfect referee for backprop.
"""
import numpy as np

from ._checks import check_real
from .core import Layer
from .losses import Loss


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar function ``f(x)`` with respect to the array x.

    ``x`` is changed in place one entry at a time and restored, so ``f`` may ignore its argument
    and read ``x`` through a model that holds it (``x`` is then a parameter's ``data``).
    x: any shape, float -> grad: same shape as x.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError("x must be a float numpy array (it is perturbed in place)")
    h = check_real(h, "h", low=0.0, low_open=True)
    grad = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)  # views: writing flat[i] writes x
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = float(f(x))
        flat[i] = old - h
        f_minus = float(f(x))
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b):
    """Relative difference ||a - b|| / (||a|| + ||b||) (0 when both are exactly zero).

    Whole-array norms, not elementwise ratios: an entry whose gradient is 1e-12 by backprop
    and 3e-12 by finite differences is noise, not a 50 % error.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def check_gradients(model, loss_fn, X, y, h=1e-5):
    """Backprop vs finite differences for every parameter of ``model`` and for the input X.

    Returns a dict {parameter name: relative error, ..., "input": relative error}; in float64,
    a correct backward gives about 1e-8 or less. The parameters are restored exactly; their
    ``grad`` is left holding the backprop gradient of this batch.
    X: (N, in_features), or whatever the model's ``check_input`` accepts; y: what ``loss_fn``
    expects. Integer X (indices, for an embedding) has no gradient: "input" is then left out.
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be an nnlib Layer, got {type(model).__name__}")
    if not isinstance(loss_fn, Loss):
        raise TypeError(f"loss_fn must be an nnlib loss, got {type(loss_fn).__name__}")
    model.named_layers()  # raises if one layer instance is used twice
    X = model.check_input(X, "X")
    indices = X.dtype.kind != "f"
    X = X.copy() if indices else X.astype(np.float64)  # a copy: float X is perturbed below

    def loss_at(_):
        return loss_fn.forward(model.forward(X), y)

    model.zero_grad()
    loss_fn.forward(model.forward(X), y)
    dX = model.backward(loss_fn.backward(), input_grad=not indices)
    report = {}
    for name, p in model.named_parameters():
        report[name] = rel_error(p.grad, numerical_gradient(loss_at, p.data, h))
    if not indices:
        report["input"] = rel_error(dX, numerical_gradient(loss_at, X, h))
    return report
