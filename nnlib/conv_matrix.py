"""A convolution as a matrix: the small, single-channel versions notebook 09 builds on.

Everything here is what ``nnlib.Conv2d`` computes, taken apart: the output-size formulas (with
their arguments checked), a 1-D and a 2-D cross-correlation of one signal with one kernel, and
the matrix that does the same (each row is the kernel, shifted: a Toeplitz matrix in 1-D; its
transpose is the transposed convolution). For a whole batch of multi-channel images, the same
idea is ``nnlib.im2col`` in ``nnlib.conv``.

A word on the name. Deep learning's "convolution" (here, in nnlib, in PyTorch) is a
**cross-correlation**: out[i] = sum_k w[k] x[i + k], the kernel slides over the input unflipped.
The convolution of mathematics flips the kernel first, sum_k w[k] x[i - k]. For a layer whose
kernel is learned the difference is only which way round the numbers are stored; it matters
when you compare with a signal-processing textbook or with ``numpy.convolve``.

These are written to be read and checked, not for speed: ``nnlib.Conv2d`` is the fast layer.
"""
import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_float_array
from .conv import conv_output_size


def _int(value, name, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def output_size(n, kernel_size, stride=1, padding=0):
    """The length of a convolution's output along one axis: (n + 2 padding - kernel_size) //
    stride + 1. The floor means that when the stride does not divide n + 2 padding - kernel_size,
    the last few inputs are never reached by the kernel. Raises when the kernel is larger than
    the padded input (there is no output at all)."""
    n, k = _int(n, "n", 1), _int(kernel_size, "kernel_size", 1)
    s, p = _int(stride, "stride", 1), _int(padding, "padding", 0)
    if k > n + 2 * p:
        raise ValueError(f"kernel_size {k} is larger than the padded input, n + 2 padding = {n + 2 * p}")
    return conv_output_size(n, k, s, p)


def transposed_output_size(n, kernel_size, stride=1, padding=0, output_padding=0):
    """The length of a transposed convolution's output along one axis, (n - 1) stride -
    2 padding + kernel_size + output_padding: the input length of the convolution whose matrix
    it is the transpose of (output_padding picks among the lengths the floor above maps to n)."""
    n, k = _int(n, "n", 1), _int(kernel_size, "kernel_size", 1)
    s, p = _int(stride, "stride", 1), _int(padding, "padding", 0)
    op = _int(output_padding, "output_padding", 0)
    if op >= s:
        raise ValueError(f"output_padding must be smaller than stride ({s}), got {op}")
    size = (n - 1) * s - 2 * p + k + op
    if size < 1:
        raise ValueError(f"the output would have length {size}: padding {p} is too large")
    return size


def correlate1d(x, w, stride=1, padding=0):
    """out[..., i] = sum_k w[k] x_padded[..., i * stride + k]: what deep learning calls a 1-D
    convolution. x: (L,) or (N, L); w: (K,) -> (L',) or (N, L') with L' = output_size(L, K, ...).
    The padding is zeros at both ends."""
    x = as_float_array(x, "x", ndim=(1, 2))
    w = as_float_array(w, "w", ndim=1)
    size = output_size(x.shape[-1], w.size, stride, padding)
    xp = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(padding, padding)])
    windows = sliding_window_view(xp, w.size, axis=-1)[..., ::stride, :][..., :size, :]  # (..., L', K)
    return windows @ w


def conv1d_matrix(w, n, stride=1, padding=0):
    """The matrix T with T @ x == correlate1d(x, w, stride, padding) for every x of length n:
    (L', n). Row i holds the kernel at columns i * stride - padding onwards (the part that falls
    on the zero padding is dropped), so with stride 1 every diagonal is constant: a Toeplitz
    matrix. w: (K,)."""
    w = as_float_array(w, "w", ndim=1)
    size = output_size(n, w.size, stride, padding)
    T = np.zeros((size, n + 2 * padding))
    for i in range(size):
        T[i, i * stride:i * stride + w.size] = w
    return T[:, padding:padding + n]  # the columns of the zero padding multiply zeros


def correlate2d(x, k, stride=1, padding=0):
    """One image, one kernel: out[i, j] = sum_{a, b} k[a, b] x_padded[i s + a, j s + b].
    x: (H, W); k: (kH, kW) -> (H', W'), each side by ``output_size``."""
    x = as_float_array(x, "x", ndim=2)
    k = as_float_array(k, "k", ndim=2)
    rows = output_size(x.shape[0], k.shape[0], stride, padding)
    cols = output_size(x.shape[1], k.shape[1], stride, padding)
    xp = np.pad(x, padding)
    windows = sliding_window_view(xp, k.shape)[::stride, ::stride][:rows, :cols]  # (H', W', kH, kW)
    return np.einsum("ijab,ab->ij", windows, k)


def conv2d_matrix(k, shape, stride=1, padding=0):
    """The matrix M with M @ x.ravel() == correlate2d(x, k, stride, padding).ravel() for every
    image x of ``shape`` (H, W): (H' W', H W). Row (i, j) is the kernel placed on window (i, j)
    of the padded image, with the padding cut off again, flattened. Its transpose, M.T, is the
    transposed convolution: it maps an (H', W') map back to an (H, W) image.
    k: (kH, kW)."""
    k = as_float_array(k, "k", ndim=2)
    if (not isinstance(shape, (tuple, list)) or len(shape) != 2
            or not all(isinstance(s, numbers.Integral) for s in shape)):
        raise TypeError(f"shape must be a pair of ints (H, W), got {shape!r}")
    H, W = _int(shape[0], "shape[0]", 1), _int(shape[1], "shape[1]", 1)
    rows = output_size(H, k.shape[0], stride, padding)
    cols = output_size(W, k.shape[1], stride, padding)
    M = np.zeros((rows * cols, H * W))
    for i in range(rows):
        for j in range(cols):
            placed = np.zeros((H + 2 * padding, W + 2 * padding))
            placed[i * stride:i * stride + k.shape[0], j * stride:j * stride + k.shape[1]] = k
            M[i * cols + j] = placed[padding:padding + H, padding:padding + W].ravel()
    return M
