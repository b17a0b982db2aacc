"""Convolution, transposed convolution, pooling, and the reshapes between images and vectors.

A convolution slides a small kernel over an image; at every position it takes the weighted sum
of the pixels under the kernel. Written out, it is six nested loops (sample, output channel,
row, column, and the kernel's channel, row and column: the reference in ``tests/test_conv.py``).
Here it is **one matrix product**: ``im2col`` copies every patch the kernel sees into a row of
a matrix, and the layer is ``cols @ W^T``. The backward pass is the same product transposed, and
``col2im`` adds the patches' gradients back to the pixels they came from (a pixel lies in
several patches, so its gradient is a sum).

``ConvTranspose2d`` ("deconvolution") is not a new operation: its forward pass *is* Conv2d's
input gradient, ``col2im(x @ W)``, and its input gradient is Conv2d's forward.

Images are (N, C, H, W): N samples, C channels, H rows, W columns, as in PyTorch. (The layers
keep them batch-last in memory and hand on (N, C, H, W) views: the same numbers, faster copies;
see "im2col and col2im" below.)
"""
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_rng, check_positive_int
from .core import Layer, Parameter
from .layers import init_std


# -- sizes and arguments ----------------------------------------------------------------------
def _pair(value, name, minimum=1):
    """An int or a pair of ints (each >= minimum) -> (a, b); a TypeError/ValueError naming ``name``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return tuple(check_positive_int(v, name, minimum) for v in value)
    v = check_positive_int(value, name, minimum)
    return (v, v)


def _as_config(pair):
    """(3, 3) -> 3, (3, 5) -> (3, 5): the short form the constructor also takes."""
    return pair[0] if pair[0] == pair[1] else pair


def conv_output_size(size, kernel_size, stride=1, padding=0):
    """The output length of a convolution along one axis::

        out = (size + 2 padding - kernel_size) // stride + 1

    (the kernel fits at positions 0, stride, 2 stride, ... of the padded input; a remainder
    that the kernel does not reach is dropped, as in PyTorch)."""
    return (size + 2 * padding - kernel_size) // stride + 1


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def _init_params(layer, bias, rng, init, dtype):
    """W drawn with the std ``init`` names (from fan-in/fan-out), b zeros: Conv2d's and ConvTranspose2d's."""
    dtype = _check_dtype(dtype)
    kh, kw = layer.kernel_size
    std = init_std(init, layer.in_channels * kh * kw, layer.out_channels * kh * kw)
    rng = as_rng(rng)
    layer.init = init
    shapes = layer.param_shapes(layer.in_channels, layer.out_channels, layer.kernel_size, bias)
    layer.W = Parameter((std * rng.standard_normal(shapes["W"])).astype(dtype))
    layer._params = {"W": layer.W}
    layer.b = None
    if bias:
        layer.b = Parameter(np.zeros(shapes["b"], dtype=dtype))
        layer._params["b"] = layer.b


# -- im2col and col2im: the whole layer as one matrix product -------------------------------------
# The layers keep the batch index *last* in memory: an image batch is stored as (C, H, W, N) and
# handed on as its (N, C, H, W) view (``.transpose(3, 0, 1, 2)``, no copy). Then every window copy
# below moves runs of W' * N contiguous numbers instead of runs of kW = 3, the matrix products need
# no transposes before or after, and the next layer finds its input already in that order. The
# numbers are the same as with the usual layout; only numpy's strides differ.
def _batch_last(x, ph=0, pw=0):
    """x: (N, C, H, W) -> (C, H + 2 ph, W + 2 pw, N), contiguous, with zeros around. Free (a view)
    when x is a view of a batch-last array (a layer's output) and there is no padding."""
    N, C, H, W = x.shape
    xt = x.transpose(1, 2, 3, 0)
    if not (ph or pw):
        return np.ascontiguousarray(xt)
    out = np.zeros((C, H + 2 * ph, W + 2 * pw, N), dtype=x.dtype)
    out[:, ph:ph + H, pw:pw + W] = xt  # the transpose and the padding in one copy
    return out


def _im2col_batch_last(xp, kh, kw, sh, sw):
    """xp: (C, Hp, Wp, N), padded -> cols: (C kH kW, H' W' N), one column per window and sample.

    ``sliding_window_view`` gives every window without copying (a view with repeated strides);
    the one copy is the reshape into a matrix, which the matrix product needs."""
    C, _, _, N = xp.shape
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]  # (C, H', W', N, kH, kW)
    Ho, Wo = windows.shape[1:3]
    return windows.transpose(0, 4, 5, 1, 2, 3).reshape(C * kh * kw, Ho * Wo * N)


def _col2im_batch_last(cols, padded_shape, kh, kw, sh, sw):
    """The adjoint of ``_im2col_batch_last``: cols: (C kH kW, H' W' N) -> (C, Hp, Wp, N), each
    column's numbers added onto the pixels of its window (a pixel in several windows gets the
    sum). One strided addition per kernel entry (9 for a 3x3 kernel), each over the whole batch:
    the loop is over the kernel, never over pixels."""
    C, Hp, Wp, N = padded_shape
    Ho, Wo = (Hp - kh) // sh + 1, (Wp - kw) // sw + 1
    patches = cols.reshape(C, kh, kw, Ho, Wo, N)
    out = np.zeros(padded_shape, dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, i:i + sh * Ho:sh, j:j + sw * Wo:sw] += patches[:, i, j]
    return out


def im2col(x, kernel_size, stride=1, padding=0):
    """Every patch the kernel sees, one per row.

    x: (N, C, H, W) -> cols: (N * H' * W', C * kH * kW), with H' and W' from
    ``conv_output_size``. Row ``(n * H' + i) * W' + j`` holds the patch under the kernel at output
    position (i, j) of sample n, in the order (channel, kernel row, kernel column): the order of
    ``W.reshape(C_out, -1)``'s columns, so a convolution is ``cols @ W.reshape(C_out, -1).T``.
    ``kernel_size``, ``stride`` and ``padding`` are ints or (rows, columns) pairs. In plain numpy::

        windows = sliding_window_view(xpad, (kH, kW), axis=(2, 3))[:, :, ::sH, ::sW]  # (N, C, H', W', kH, kW)
        cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(N * H' * W', C * kH * kW)

    The layers use the same matrix transposed, with the sample index last (see
    ``_im2col_batch_last``); this function rearranges that one.
    """
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size, "kernel_size"), _pair(stride, "stride"), \
        _pair(padding, "padding", minimum=0)
    N = x.shape[0]
    cols = _im2col_batch_last(_batch_last(x, ph, pw), kh, kw, sh, sw)  # (C kH kW, H' W' N)
    K = cols.shape[0]
    return cols.reshape(K, -1, N).transpose(2, 1, 0).reshape(-1, K)


def col2im(cols, x_shape, kernel_size, stride=1, padding=0):
    """The adjoint of ``im2col``: every row's numbers added back to the pixels of its patch.

    cols: (N * H' * W', C * kH * kW), x_shape: (N, C, H, W) -> (N, C, H, W). A pixel that lies in
    several patches (kernel larger than the stride) receives the sum, so
    ``<im2col(x), cols> = <x, col2im(cols)>`` for every x and cols. Padding positions receive
    numbers too; they are dropped (they are not pixels of x).
    """
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size, "kernel_size"), _pair(stride, "stride"), \
        _pair(padding, "padding", minimum=0)
    N, C, H, W = x_shape
    K = cols.shape[1]
    cols_t = cols.reshape(N, -1, K).transpose(2, 1, 0).reshape(K, -1)  # (C kH kW, H' W' N)
    xp = _col2im_batch_last(cols_t, (C, H + 2 * ph, W + 2 * pw, N), kh, kw, sh, sw)
    return xp[:, ph:ph + H, pw:pw + W].transpose(3, 0, 1, 2)


def _check_channels(x, channels, argument):
    if x.shape[1] != channels:
        raise ValueError(f"x must have {channels} channels on axis 1 ({argument}={channels}), "
                         f"got shape {x.shape}")


def _check_fits(x, kernel, padding):
    """A kernel larger than the padded input fits nowhere: no output position."""
    (kh, kw), (ph, pw) = kernel, padding
    H, W = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
    if kh > H or kw > W:
        raise ValueError(f"kernel_size {(kh, kw)} is larger than the padded input {(H, W)} "
                         f"(x of shape {x.shape} with padding {(ph, pw)})")


# -- Conv2d ------------------------------------------------------------------------------------
class Conv2d(Layer):
    """A 2-D convolution (strictly, a cross-correlation, as in every framework): each output
    channel is a weighted sum over a kH x kW patch of every input channel, the same weights at
    every position, plus a bias.

    For sample n, output channel o and output position (i, j)::

        out[n, o, i, j] = b[o] + sum_{c, di, dj} W[o, c, di, dj] * xpad[n, c, i*sH + di, j*sW + dj]

    where xpad is x with ``padding`` zeros around. With im2col (each patch a row of ``cols``) the
    whole layer is one matrix product, ``out = cols @ W.reshape(C_out, -1).T + b``.

    Parameters
    ----------
    in_channels, out_channels : int
        C_in and C_out. ``W`` is ``(C_out, C_in, kH, kW)`` and ``b`` is ``(C_out,)``, as in
        ``torch.nn.Conv2d``.
    kernel_size, stride, padding : int or (int, int)
        The kernel's (kH, kW), the step between positions (>= 1), the zeros added on each side
        (>= 0). An int means the same for rows and columns.
    bias, rng, init, dtype
        As in ``Dense``; the init scales use fan_in = C_in kH kW (the inputs one output sums)
        and fan_out = C_out kH kW.

    Shapes: x: (N, C_in, H, W) -> out: (N, C_out, H', W') with::

        H' = (H + 2 padding - kH) // stride + 1        (W' likewise with kW)

    (``conv_output_size``). ``backward`` mirrors ``forward``: dW = dout^T cols, db = the sum of
    dout over samples and positions, dx = col2im(dout W). (The code computes the same products
    transposed, ``W @ cols^T`` with one column per window and sample, batch index last: then
    the result is already laid out as the next layer wants it.)
    """

    input_ndim = 4

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 rng=None, init="lecun", dtype=np.float64):
        super().__init__()
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding", minimum=0)
        _init_params(self, bias, rng, init, dtype)
        self._cache = None  # (x.shape, padded shape, cols) of the last forward

    @staticmethod
    def param_shapes(in_channels, out_channels, kernel_size, bias=True, **_):
        """{name: shape} of the parameters (``load`` checks a file against it first)."""
        kh, kw = _pair(kernel_size, "kernel_size")
        shapes = {"W": (out_channels, in_channels, kh, kw)}
        if bias:
            shapes["b"] = (out_channels,)
        return shapes

    def output_shape(self, x_shape):
        """(N, C_in, H, W) -> (N, C_out, H', W'), by the formula in the class docstring."""
        N, _, H, W = x_shape
        return (N, self.out_channels, conv_output_size(H, self.kernel_size[0], self.stride[0], self.padding[0]),
                conv_output_size(W, self.kernel_size[1], self.stride[1], self.padding[1]))

    def forward(self, x):
        """x: (N, C_in, H, W) -> out: (N, C_out, H', W')"""
        _check_channels(x, self.in_channels, "in_channels")
        _check_fits(x, self.kernel_size, self.padding)
        N, C_out, Ho, Wo = self.output_shape(x.shape)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        xp = _batch_last(x, ph, pw)                                  # (C_in, H + 2 pH, W + 2 pW, N)
        cols = _im2col_batch_last(xp, kh, kw, sh, sw)                # (C_in kH kW, H' W' N)
        out = self.W.data.reshape(C_out, -1) @ cols                  # (C_out, H' W' N): the layer
        if self.b is not None:
            out += self.b.data[:, None]
        self._cache = (x.shape, xp.shape, cols)
        return out.reshape(C_out, Ho, Wo, N).transpose(3, 0, 1, 2)  # a view, batch last in memory

    def backward(self, dout, input_grad=True):
        """dout: (N, C_out, H', W') -> dx: (N, C_in, H, W); adds dW: (C_out, C_in, kH, kW) and
        db: (C_out,) to the grads. ``input_grad=False`` skips dx (and col2im) and returns None.

        With G = dout as a (C_out, H' W' N) matrix: dW = G cols^T, db = the row sums of G, and
        dx = col2im(W^T G), the forward's product transposed."""
        x_shape, padded_shape, cols = self._cache or (None, None, None)
        dout = self._check_dout(dout, None if x_shape is None else self.output_shape(x_shape))
        G = dout.transpose(1, 2, 3, 0).reshape(self.out_channels, -1)  # (C_out, H' W' N), free if batch last
        self.W.grad += (G @ cols.T).reshape(self.W.data.shape)
        if self.b is not None:
            self.b.grad += G.sum(axis=1)
        if not input_grad:
            return None
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        dcols = self.W.data.reshape(self.out_channels, -1).T @ G      # (C_in kH kW, H' W' N)
        dxp = _col2im_batch_last(dcols, padded_shape, kh, kw, sh, sw)  # (C_in, H + 2 pH, W + 2 pW, N)
        H, W = x_shape[2:]
        return dxp[:, ph:ph + H, pw:pw + W].transpose(3, 0, 1, 2)

    def config(self):
        cfg = {"in_channels": self.in_channels, "out_channels": self.out_channels,
               "kernel_size": _as_config(self.kernel_size), "stride": _as_config(self.stride),
               "padding": _as_config(self.padding), "bias": self.b is not None}
        if self.W.data.dtype != np.float64:
            cfg["dtype"] = str(self.W.data.dtype)
        return cfg


# -- ConvTranspose2d -----------------------------------------------------------------------------
class ConvTranspose2d(Layer):
    """The transposed convolution ("deconvolution"): **its forward pass is Conv2d's input
    gradient**, so it maps a small image to a larger one (a decoder, a GAN's generator).

    Take a ``Conv2d(out_channels, in_channels, kernel_size, stride, padding)`` (note the swap)
    with the same weight array W. That convolution is a linear map x -> A x; its backward pass
    sends dout to A^T dout. ConvTranspose2d computes exactly ``A^T x``: every input pixel
    scatters ``x[n, c, i, j] * W[c, :, :, :]`` onto the output patch at (i*stride, j*stride),
    overlapping patches add up, and ``padding`` rows and columns are cut off each border. Hence
    the adjoint identity, checked in the tests: for every x and y,
    ``<Conv2d(x), y> = <x, ConvTranspose2d(y)>`` (without biases). With stride 2 and a kernel of
    3, some output pixels get two patches and some one: the checkerboard pattern of
    deconvolution images.

    Parameters
    ----------
    in_channels, out_channels : int
        C_in and C_out of *this* layer. ``W`` is ``(C_in, C_out, kH, kW)``, as in
        ``torch.nn.ConvTranspose2d`` (it is the weight of the Conv2d it transposes, which maps
        C_out channels to C_in), and ``b`` is ``(C_out,)``.
    kernel_size, stride, padding : int or (int, int)
        As in the Conv2d it transposes.
    output_padding : int or (int, int), each < stride
        Rows (columns) added at the bottom (right) of the output. Conv2d maps several input
        sizes to one output size when stride > 1 (the formula rounds down); this says which
        one to go back to.
    bias, rng, init, dtype
        As in Conv2d; fan_in = C_in kH kW.

    Shapes: x: (N, C_in, H, W) -> out: (N, C_out, H', W') with::

        H' = (H - 1) stride - 2 padding + kH + output_padding        (W' likewise)

    the size a Conv2d with these settings maps back to H.
    """

    input_ndim = 4

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 bias=True, rng=None, init="lecun", dtype=np.float64):
        super().__init__()
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding", minimum=0)
        self.output_padding = _pair(output_padding, "output_padding", minimum=0)
        if any(op >= s for op, s in zip(self.output_padding, self.stride)):
            raise ValueError(f"output_padding must be smaller than stride {self.stride}, "
                             f"got {self.output_padding}")
        _init_params(self, bias, rng, init, dtype)
        self._cache = None  # (x2, output shape) of the last forward

    @staticmethod
    def param_shapes(in_channels, out_channels, kernel_size, bias=True, **_):
        """{name: shape} of the parameters (``load`` checks a file against it first)."""
        kh, kw = _pair(kernel_size, "kernel_size")
        shapes = {"W": (in_channels, out_channels, kh, kw)}
        if bias:
            shapes["b"] = (out_channels,)
        return shapes

    def output_shape(self, x_shape):
        """(N, C_in, H, W) -> (N, C_out, H', W'), by the formula in the class docstring."""
        N, _, H, W = x_shape
        (kh, kw), (sh, sw), (ph, pw), (oh, ow) = self.kernel_size, self.stride, self.padding, self.output_padding
        return (N, self.out_channels, (H - 1) * sh - 2 * ph + kh + oh, (W - 1) * sw - 2 * pw + kw + ow)

    def forward(self, x):
        """x: (N, C_in, H, W) -> out: (N, C_out, H', W')"""
        _check_channels(x, self.in_channels, "in_channels")
        out_shape = self.output_shape(x.shape)
        if out_shape[2] < 1 or out_shape[3] < 1:
            raise ValueError(f"x of shape {x.shape} gives an empty output {out_shape[2:]}: padding "
                             f"{self.padding} cuts off more than the kernel {self.kernel_size} adds")
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        N, C_out, Ho, Wo = out_shape
        X = _batch_last(x).reshape(self.in_channels, -1)                 # (C_in, H W N)
        cols = self.W.data.reshape(self.in_channels, -1).T @ X           # (C_out kH kW, H W N)
        outp = _col2im_batch_last(cols, (C_out, Ho + 2 * ph, Wo + 2 * pw, N), kh, kw, sh, sw)
        out = outp[:, ph:ph + Ho, pw:pw + Wo]                            # (C_out, H', W', N)
        if self.b is not None:
            out += self.b.data[:, None, None, None]
        self._cache = (X, x.shape, out_shape)
        return out.transpose(3, 0, 1, 2)

    def backward(self, dout, input_grad=True):
        """dout: (N, C_out, H', W') -> dx: (N, C_in, H, W); adds dW: (C_in, C_out, kH, kW) and
        db: (C_out,). Conv2d's forward, run on dout: dx = W im2col(dout), as a (C_in, H W N) matrix."""
        X, x_shape, out_shape = self._cache or (None, None, None)
        dout = self._check_dout(dout, out_shape)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        dcols = _im2col_batch_last(_batch_last(dout, ph, pw), kh, kw, sh, sw)  # (C_out kH kW, H W N)
        self.W.grad += (X @ dcols.T).reshape(self.W.data.shape)
        if self.b is not None:
            self.b.grad += dout.sum(axis=(0, 2, 3))
        if not input_grad:
            return None
        N, C_in, H, W = x_shape
        dX = self.W.data.reshape(C_in, -1) @ dcols                       # (C_in, H W N)
        return dX.reshape(C_in, H, W, N).transpose(3, 0, 1, 2)

    def config(self):
        cfg = {"in_channels": self.in_channels, "out_channels": self.out_channels,
               "kernel_size": _as_config(self.kernel_size), "stride": _as_config(self.stride),
               "padding": _as_config(self.padding), "output_padding": _as_config(self.output_padding),
               "bias": self.b is not None}
        if self.W.data.dtype != np.float64:
            cfg["dtype"] = str(self.W.data.dtype)
        return cfg


# -- pooling -------------------------------------------------------------------------------------
class _Pool2d(Layer):
    input_ndim = 4

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride")
        self._cache = None

    def output_shape(self, x_shape):
        """(N, C, H, W) -> (N, C, H', W'), H' = (H - kH) // stride + 1 (no padding)."""
        N, C, H, W = x_shape
        return (N, C, conv_output_size(H, self.kernel_size[0], self.stride[0]),
                conv_output_size(W, self.kernel_size[1], self.stride[1]))

    def _offsets(self, a, out_hw):
        """[(i, j, view)] for every entry (i, j) of the window: the (N, C, H', W') view of ``a``
        holding that entry of every window (x in forward, dx in backward). A pooling layer is
        kH kW elementwise operations on these views: the loop is over the window, never over
        pixels, and a batch-last array stays batch-last."""
        (kh, kw), (sh, sw), (Ho, Wo) = self.kernel_size, self.stride, out_hw
        return [(i, j, a[:, :, i:i + sh * Ho:sh, j:j + sw * Wo:sw]) for i in range(kh) for j in range(kw)]

    def _new_grad(self, x_shape, dtype):
        """Zeros of the input's shape, batch last in memory as the convolutions store images."""
        N, C, H, W = x_shape
        return np.zeros((C, H, W, N), dtype=dtype).transpose(3, 0, 1, 2)

    def config(self):
        return {"kernel_size": _as_config(self.kernel_size), "stride": _as_config(self.stride)}


class MaxPool2d(_Pool2d):
    """The largest value of each kH x kW window, per channel: (N, C, H, W) -> (N, C, H', W').

    ``MaxPool2d(kernel_size, stride=None)``: stride defaults to the kernel (windows side by
    side, no overlap), H' = (H - kH) // stride + 1; rows or columns the windows do not reach are
    dropped. No parameters.

    The gradient of a maximum goes to the element that was largest (the others did not change
    the output: their derivative is 0). **Ties**: when several elements of a window share the
    maximum, the whole gradient goes to one of them, the first in row-major order (as numpy's
    argmax picks; PyTorch also picks one), not split between them. Where windows overlap
    (stride < kernel), an element that is the maximum of several windows receives the sum.
    """

    def forward(self, x):
        """x: (N, C, H, W) -> out: (N, C, H', W')"""
        _check_fits(x, self.kernel_size, (0, 0))
        offsets = self._offsets(x, self.output_shape(x.shape)[2:])
        out = offsets[0][2].copy(order="K")  # the running maximum, (N, C, H', W')
        for _, _, v in offsets[1:]:
            np.maximum(out, v, out=out)
        self._cache = (x, out)
        return out

    def backward(self, dout, input_grad=True):
        """dout: (N, C, H', W') -> dx: (N, C, H, W), dout[n, c, i, j] at the maximum of window (i, j).

        Which element was the maximum is found again here, window entry by window entry in
        row-major order: the first entry equal to the output, and not an earlier one, wins. (Finding
        it in forward with np.where or an argmax costs more than this: their branches mispredict
        on random data.)"""
        x, out = self._cache or (None, None)
        dout = self._check_dout(dout, None if x is None else out.shape)
        dx = self._new_grad(x.shape, dout.dtype)
        overlap = any(s < k for s, k in zip(self.stride, self.kernel_size))
        taken = np.zeros_like(out, dtype=bool)  # windows whose maximum is already found
        for (i, j, v), (_, _, view) in zip(self._offsets(x, out.shape[2:]), self._offsets(dx, out.shape[2:])):
            won = v == out
            won &= ~taken
            taken |= won
            if overlap:  # an element may win several windows: add
                view += dout * won
            else:        # each element is in one window at most: write
                np.multiply(dout, won, out=view)
        return dx


class AvgPool2d(_Pool2d):
    """The mean of each kH x kW window, per channel: (N, C, H, W) -> (N, C, H', W').

    ``AvgPool2d(kernel_size, stride=None)``, as MaxPool2d (no padding). Every element of a
    window gets dout / (kH kW) of its gradient (a sum where windows overlap).
    """

    def forward(self, x):
        """x: (N, C, H, W) -> out: (N, C, H', W')"""
        _check_fits(x, self.kernel_size, (0, 0))
        offsets = self._offsets(x, self.output_shape(x.shape)[2:])
        out = offsets[0][2].copy(order="K")
        for _, _, v in offsets[1:]:
            out += v
        out *= 1.0 / len(offsets)
        self._cache = x.shape
        return out

    def backward(self, dout, input_grad=True):
        """dout: (N, C, H', W') -> dx: (N, C, H, W)"""
        x_shape = self._cache
        dout = self._check_dout(dout, None if x_shape is None else self.output_shape(x_shape))
        kh, kw = self.kernel_size
        share = dout * (1.0 / (kh * kw))
        dx = self._new_grad(x_shape, dout.dtype)
        for _, _, view in self._offsets(dx, dout.shape[2:]):
            view += share
        return dx


# -- between images and vectors ------------------------------------------------------------------
class Flatten(Layer):
    """Each sample as one vector: (N, C, H, W) (or any (N, ...)) -> (N, C*H*W), in C order, as
    ``torch.nn.Flatten``. The bridge from convolutions to Dense layers. No parameters."""

    input_ndim = (2, None)

    def __init__(self):
        super().__init__()
        self._x = None

    def forward(self, x):
        """x: (N, ...) -> (N, prod(...))"""
        self._x = x
        return x.reshape(x.shape[0], -1)

    def backward(self, dout, input_grad=True):
        """dout: (N, prod(...)) -> dx: (N, ...), the same numbers in the input's shape"""
        x = self._x
        dout = self._check_dout(dout, None if x is None else (x.shape[0], math.prod(x.shape[1:])))
        dx = np.empty_like(x, dtype=dout.dtype)  # laid out in memory as x was (batch last after a
        dx[...] = dout.reshape(x.shape)          # convolution), so the layer before reads it in order
        return dx


class Reshape(Layer):
    """Each sample reshaped: (N, ...) -> (N, *shape), e.g. ``Reshape(16, 4, 4)`` turns (N, 256)
    vectors into (N, 16, 4, 4) images, so a decoder can go from a vector back to an image
    (Dense, Reshape, ConvTranspose2d...). The batch axis is kept; a sample must hold exactly
    prod(shape) numbers. ``Reshape((16, 4, 4))`` works too. No parameters.
    """

    input_ndim = (2, None)

    def __init__(self, *shape):
        super().__init__()
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        if not shape:
            raise ValueError("shape must have at least one size, e.g. Reshape(16, 4, 4)")
        self.shape = tuple(check_positive_int(s, "shape") for s in shape)
        self._in_shape = None

    def forward(self, x):
        """x: (N, ...) with prod(...) = prod(shape) -> (N, *shape)"""
        if math.prod(x.shape[1:]) != math.prod(self.shape):
            raise ValueError(f"x of shape {x.shape} has {math.prod(x.shape[1:])} numbers per sample; "
                             f"shape {self.shape} needs {math.prod(self.shape)}")
        self._in_shape = x.shape
        return x.reshape((x.shape[0],) + self.shape)

    def backward(self, dout, input_grad=True):
        """dout: (N, *shape) -> dx: (N, ...) in the input's shape"""
        in_shape = self._in_shape
        dout = self._check_dout(dout, None if in_shape is None else (in_shape[0],) + self.shape)
        return dout.reshape(in_shape)

    def config(self):
        return {"shape": list(self.shape)}

    @classmethod
    def from_config(cls, config):
        return cls(*config["shape"])

    def __repr__(self):
        return f"Reshape({', '.join(map(str, self.shape))})"
