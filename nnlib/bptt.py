"""Backprop through time, measured: how strongly the last hidden state of a recurrent layer
depends on the input k steps earlier, for every lag k (notebook 11).

Unrolled, a recurrent layer is a deep network whose layers share their weights, and the
gradient reaching step T - k has been multiplied by k Jacobians of one step each. For the RNN
each is Wh^T diag(tanh'), the same matrix again and again, so the gradient shrinks or grows
geometrically with k. ``gradient_vs_lag`` measures it with the layer's own backward pass.
"""
import numpy as np

from ._checks import as_float_array, as_rng, check_positive_int, check_real


def gradient_vs_lag(layer, x, rng=None):
    """The size of the gradient at every step's input when only the last hidden state is used.

    layer: an nnlib ``RNN`` or ``LSTM``; x: (N, T, D). For each sequence a random unit vector
    u (drawn from ``rng``) picks a direction of h_T, the loss is u . h_T, and the layer's
    backward gives its gradient at every input x_t. Returns (T,) floats: entry k is the mean over
    the N sequences of ||d(u . h_T)/dx_{T-k}||, the gradient k steps back (k = 0: the last
    step's own input). The layer's parameter gradients are cleared afterwards (nothing is learned).
    """
    x = as_float_array(x, "x", ndim=3)
    rng = as_rng(rng)
    h = layer.forward(x)                                   # (N, T, H)
    u = rng.standard_normal(h.shape[::2])                  # (N, H)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    dout = np.zeros_like(h)
    dout[:, -1] = u
    dx = layer.backward(dout)                              # (N, T, D)
    layer.zero_grad()
    norms = np.linalg.norm(dx, axis=2).mean(axis=0)        # (T,): step t = 0 .. T-1
    return norms[::-1].copy()                              # lag k = 0 .. T-1


def orthogonal(n, rng=None):
    """A random (n, n) orthogonal matrix: every singular value 1, so ``scale * orthogonal``
    stretches every direction by exactly ``scale``."""
    n = check_positive_int(n, "n")
    q, r = np.linalg.qr(as_rng(rng).standard_normal((n, n)))
    return q * np.sign(np.diag(r))                         # the sign fix makes it uniformly random


def scaled_rnn(scale, input_size=4, hidden_size=32, rng=None):
    """An nnlib ``RNN`` (tanh) whose recurrent weight is ``scale`` times a random orthogonal
    matrix: near h = 0, where tanh' = 1, one step multiplies the gradient's length by exactly
    ``scale``. Wx and b as the RNN draws them."""
    from .recurrent import RNN

    scale = check_real(scale, "scale", low=0.0)
    rng = as_rng(rng)
    rnn = RNN(input_size, hidden_size, rng=rng)
    rnn.Wh.data[:] = scale * orthogonal(hidden_size, rng)
    return rnn


def lag_inputs(n_samples=32, T=60, input_size=4, std=1.0, rng=None):
    """Random inputs for ``gradient_vs_lag``: (n_samples, T, input_size) Gaussian, std ``std``."""
    std = check_real(std, "std", low=0.0)
    return std * as_rng(rng).standard_normal((check_positive_int(n_samples, "n_samples"),
                                              check_positive_int(T, "T"),
                                              check_positive_int(input_size, "input_size")))
