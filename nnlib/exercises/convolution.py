"""Checks for notebook 09, convolution: the matrix of a 1-D convolution, the output size of a
convolution and of a transposed one, a convolution's backward pass (put through
``nnlib.check_gradients``) and max pooling's gradient with a tie.

Every check answers with one sentence, never a traceback: answers are parsed by the shared
``as_number`` / ``as_array``. The right answers are computed by nnlib itself
(``nnlib.conv_matrix``, ``nnlib.MaxPool2d``, ``check_gradients``), so the checks and the
library agree.
"""
import numbers

import numpy as np

from .. import conv_matrix as CM
from ..conv import MaxPool2d
from ..core import Layer, Parameter
from ..gradcheck import check_gradients
from ..losses import MSELoss
from ..network import Sequential
from . import as_array, as_number, describe, not_a_number, not_an_array, not_done, report, why_not_array


def _close(value, expected):
    return bool(np.allclose(value, expected, rtol=1e-6, atol=1e-9))


def _sizes(values):
    """The problem's ints (n, kernel_size, ...) or None when one is not a whole number >= 0."""
    ints = []
    for value in values:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 0:
            return None
        ints.append(int(value))
    return ints


def _first_matching(value, hints, expected):
    """The hint of the first wrong formula ``value`` matches (and the right one does not)."""
    for wrong, hint in hints:
        if wrong is not None and _close(value, wrong) and not _close(wrong, expected):
            return hint
    return None


# -- exercise 1: the matrix of a 1-D convolution ---------------------------------------------
def check_conv_matrix(w, n, answer):
    """The (n - K + 1, n) matrix T with T @ x == correlate1d(x, w) (stride 1, no padding)."""
    kernel = as_array(w)
    if kernel is None or kernel.ndim != 1 or kernel.size == 0:
        return report(False, f"w should be a 1-D kernel of numbers, got {describe(w)}")
    sizes = _sizes([n])
    if sizes is None or sizes[0] < kernel.size:
        return report(False, f"n should be a whole number >= the kernel's length {kernel.size}, got {describe(n)}")
    n = sizes[0]
    if answer is None:
        return not_done("replace None with the matrix, as a list of rows or a numpy array")
    expected = CM.conv1d_matrix(kernel, n)
    value = as_array(answer)
    if value is None or value.shape != expected.shape:
        if value is not None and value.shape == expected.T.shape and _close(value, expected.T):
            return report(False, f"that is the transpose, of shape {expected.T.shape}: the matrix of the "
                                 f"transposed convolution. The convolution's matrix has one ROW per output, "
                                 f"shape {expected.shape}")
        return not_an_array(answer, "the matrix", shape=expected.shape)
    if _close(value, expected):
        return report(True, f"each row is the kernel {kernel.tolist()} one step further right: "
                            f"constant diagonals, a Toeplitz matrix")
    flipped = CM.conv1d_matrix(kernel[::-1], n)
    hint = _first_matching(value, [(flipped, "that is the convolution of mathematics, with the kernel "
                                             "flipped; the deep-learning convolution is a cross-"
                                             "correlation: row i holds w[0], w[1], ... unflipped, "
                                             "starting at column i")], expected)
    if hint:
        return report(False, hint)
    # say which row and why, not its contents: the contents are the answer
    i = next(i for i in range(expected.shape[0]) if not _close(value[i], expected[i]))
    return report(False, f"row {i} (counting from 0) is wrong: output {i} is sum_k w[k] x[{i} + k], so row {i} "
                         f"holds w[k] in column {i} + k and 0 in every other column")


# -- exercise 2: the output size of a convolution --------------------------------------------
def check_output_size(n, kernel_size, stride, padding, answer):
    """(n + 2 padding - kernel_size) // stride + 1."""
    sizes = _sizes([n, kernel_size, stride, padding])
    if sizes is None or sizes[0] < 1 or sizes[1] < 1 or sizes[2] < 1 or sizes[1] > sizes[0] + 2 * sizes[3]:
        return report(False, f"n, kernel_size, stride should be whole numbers >= 1 and padding >= 0, with the "
                             f"kernel no larger than the padded input; got {describe(n)}, {describe(kernel_size)}, "
                             f"{describe(stride)}, {describe(padding)}")
    n, k, s, p = sizes
    if answer is None:
        return not_done("replace None with the number of outputs along the axis")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the output size")
    expected = CM.output_size(n, k, s, p)
    if _close(value, expected):
        return report(True, f"({n} + 2*{p} - {k}) // {s} + 1 = {expected}")
    hints = [((n + 2 * p - k) / s + 1, "a kernel cannot stand on part of a position: round the division "
                                       "down (//) before adding 1"),
             ((n + 2 * p - k) // s, "add 1: the kernel's first position is there before any stride"),
             ((n + p - k) // s + 1, "the padding is added on BOTH sides: n + 2 padding"),
             ((n - k) // s + 1, "the padding counts: the kernel also stands on the zeros added around"),
             (n + 2 * p - k + 1, "with stride s the kernel jumps s positions at a time: divide by the stride"),
             ((n + 2 * p) // s, "subtract the kernel size: its last position must still fit inside")]
    hint = _first_matching(value, hints, expected)
    return report(False, f"you have {value:g}, it is {expected}: "
                         + (hint or "count the kernel's positions: (n + 2 padding - kernel_size) // stride + 1"))


# -- exercise 3: a convolution's backward, through check_gradients ---------------------------
BACKWARD_CASES = ((2, 7, 3), (3, 9, 4))  # (N, L, K): a batch of N signals of length L, a kernel of K


class StudentConv1d(Layer):
    """A one-kernel 1-D convolution layer (stride 1, no padding) whose forward is nnlib's and whose
    backward is the student's function ``backward(x, w, dout) -> (dx, dw)``.
    x: (N, L) -> (N, L - K + 1); w: (K,)."""

    def __init__(self, w, backward):
        super().__init__()
        self.w = Parameter(np.array(w, dtype=float))
        self._student_backward = backward

    def forward(self, x):
        self._x = x
        return CM.correlate1d(x, self.w.data)

    def backward(self, dout):
        dx, dw = _student_answer(self._student_backward, self._x, self.w.data, dout)
        self.w.grad += dw
        return dx


class _NotAnAnswer(Exception):
    """The student's backward returned something that is not (dx, dw) of the right shapes."""


def _student_answer(backward, x, w, dout):
    """The student's (dx, dw) as float arrays of the shapes of x and w; raises _NotAnAnswer with
    the sentence to print when they are not."""
    try:
        result = backward(x.copy(), w.copy(), dout.copy())  # copies: their code may change its inputs
    except Exception as exc:
        raise _NotAnAnswer(f"your function raised {type(exc).__name__}: {exc}") from None
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise _NotAnAnswer(f"your function should return two arrays, dx and dw (return dx, dw); "
                           f"it returned {describe(result)}")
    arrays = []
    for got, like, name in zip(result, (x, w), ("dx", "dw")):
        arr = as_array(got)
        if arr is None or arr.shape != like.shape:
            raise _NotAnAnswer(f"{name} should be an array of finite numbers of shape {like.shape} "
                               f"(the shape of {'x' if name == 'dx' else 'w'}), but "
                               f"{why_not_array(got, like.shape)}")
        arrays.append(arr)
    return arrays


def conv1d_gradients(x, w, dout):
    """The right answer: dx is dout, zero-padded by K - 1 on both sides, correlated with the
    FLIPPED kernel (a full convolution); dw is x correlated with dout, summed over the batch.
    x: (N, L); w: (K,); dout: (N, L - K + 1) -> dx: (N, L), dw: (K,)."""
    K = w.size
    dx = CM.correlate1d(dout, w[::-1], padding=K - 1)
    dw = sum(CM.correlate1d(x[n], dout[n]) for n in range(x.shape[0]))
    return dx, dw


def _backward_hint(backward, x, w, dout):
    """What a wrong backward's (dx, dw) look like, when they match a usual slip."""
    dx, dw = _student_answer(backward, x, w, dout)
    right_dx, right_dw = conv1d_gradients(x, w, dout)
    K, N = w.size, x.shape[0]
    dx_hints = [(CM.correlate1d(dout, w, padding=K - 1), "dx: flip the kernel. Each x[j] reached the outputs "
                                                         "through w in reverse order, so dx is dout (padded "
                                                         "with K - 1 zeros) correlated with w[::-1]"),
                (np.zeros_like(x), "dx is all zeros: x reaches the loss through every output window it is in")]
    dw_hints = [(right_dw / N, "dw: add up over the batch (the loss of the batch is a sum over its samples), "
                               "do not average"),
                (right_dw[::-1], "dw is reversed: dw[k] = sum_i dout[i] x[i + k]"),
                (np.zeros_like(w), "dw is all zeros: each w[k] touches every output")]
    messages = []
    if not _close(dx, right_dx):
        messages.append(_first_matching(dx, dx_hints, right_dx)
                        or "dx is off: dx[j] = sum_i dout[i] w[j - i], over the outputs i whose window holds x[j]")
    if not _close(dw, right_dw):
        messages.append(_first_matching(dw, dw_hints, right_dw)
                        or "dw is off: dw[k] = sum over the batch and over i of dout[i] x[i + k]")
    return "; ".join(messages)


def check_conv1d_backward(backward):
    """``backward(x, w, dout) -> (dx, dw)`` for a 1-D convolution out = correlate1d(x, w), run
    inside an nnlib layer through ``check_gradients`` (MSE loss, float64) on the batches of
    ``BACKWARD_CASES``; right when every relative error is below 1e-6."""
    if backward is None:
        return not_done("replace None with your function")
    if not callable(backward):
        return report(False, f"pass your backward FUNCTION (its name, without calling it), got {describe(backward)}")
    rng = np.random.default_rng(9)
    worst = {}
    for N, L, K in BACKWARD_CASES:
        x, w = rng.standard_normal((N, L)), rng.standard_normal(K)
        dout = rng.standard_normal((N, L - K + 1))
        try:
            result = backward(x.copy(), w.copy(), dout.copy())
        except Exception as exc:
            return report(False, f"your function raised {type(exc).__name__}: {exc}")
        if isinstance(result, (tuple, list)) and len(result) == 2 and all(r is None for r in result):
            return not_done("compute dx and dw in your function (they are still None)")
        layer = StudentConv1d(w, backward)
        target = rng.standard_normal((N, L - K + 1))
        try:
            errors = check_gradients(Sequential(layer), MSELoss(), x, target)
        except _NotAnAnswer as exc:
            return report(False, str(exc))
        except Exception as exc:  # an unusual answer: explain instead of a traceback
            return report(False, f"check_gradients could not run your backward: {type(exc).__name__}: {exc}")
        if not all(np.isfinite(e) and e < 1e-6 for e in errors.values()):
            shown = ", ".join(f"{'dw' if name.endswith('w') else 'dx'} {e:.1e}" for name, e in errors.items())
            try:
                hint = _backward_hint(backward, x, w, dout)
            except _NotAnAnswer as exc:
                hint = str(exc)
            return report(False, f"check_gradients' relative errors for N={N}, L={L}, K={K}: {shown} "
                                 f"(right is below 1e-6): {hint}")
        for name, e in errors.items():
            worst[name] = max(worst.get(name, 0.0), e)
    return report(True, f"check_gradients agrees: relative errors at most dw {worst['0.w']:.1e}, "
                        f"dx {worst['input']:.1e}; dx is a full convolution of dout with the flipped kernel")


# -- exercise 4: max pooling's gradient, with a tie ------------------------------------------
def maxpool_gradient(x, dout, size=2):
    """What nnlib's MaxPool2d(size) sends back: x: (H, W) one image, dout: (H/size, W/size) ->
    dx: (H, W)."""
    pool = MaxPool2d(size)
    pool.forward(np.asarray(x, dtype=float)[None, None])
    return pool.backward(np.asarray(dout, dtype=float)[None, None])[0, 0]


def _tie_variants(x, dout, size):
    """dx with each window's dout split evenly among its maxima, given in full to every maximum,
    and given to the LAST maximum in reading order; and the 0/1 mask of nnlib's choice."""
    H, W = x.shape
    split, every, last = (np.zeros_like(x) for _ in range(3))
    for i in range(0, H, size):
        for j in range(0, W, size):
            window = x[i:i + size, j:j + size]
            top = window == window.max()
            g = dout[i // size, j // size]
            split[i:i + size, j:j + size] = top * g / top.sum()
            every[i:i + size, j:j + size] = top * g
            a, b = np.argwhere(top)[-1]
            last[i + a, j + b] = g
    return split, every, last


def check_maxpool_gradient(x, dout, answer, size=2):
    """dx of MaxPool2d(size) on one image x: (H, W) for the upstream gradient dout: (H/size,
    W/size); a tie sends the gradient to the first maximum in reading order, as nnlib does."""
    image, upstream = as_array(x), as_array(dout)
    if (image is None or image.ndim != 2 or image.shape[0] % size or image.shape[1] % size
            or upstream is None or upstream.shape != (image.shape[0] // size, image.shape[1] // size)):
        return report(False, f"x should be an image whose sides are multiples of {size} and dout one number per "
                             f"window; got {describe(x)} and {describe(dout)}")
    if answer is None:
        return not_done("replace None with dx, an array of the shape of x")
    value = as_array(answer)
    if value is None or value.shape != image.shape:
        return not_an_array(answer, "dx", shape=image.shape)
    expected = maxpool_gradient(image, upstream, size)
    if _close(value, expected):
        return report(True, "each window's gradient goes to its maximum (to the first one, in reading order, "
                            "when there is a tie); every other input gets 0")
    split, every, last = _tie_variants(image, upstream, size)
    mask = (expected != 0) | _where_nnlib_routes(image, size)
    hints = [(split, "splitting a tie's gradient evenly is a valid subgradient too (any split between the "
                     "tied inputs is one; finite differences give this one), but nnlib sends all of it to the "
                     "FIRST maximum in reading order"),
             (every, "each tied maximum got the whole gradient: the window's output moves by dout, not by "
                     "dout times the number of maxima; give it to the first maximum only"),
             (last, "the tie: nnlib picks the FIRST maximum in reading order (row by row, left to right)"),
             (mask.astype(float), "that is where the gradient goes; now multiply by dout")]
    hint = _first_matching(value, hints, expected)
    if hint:
        return report(False, hint)
    wrong = np.argwhere(~np.isclose(value, expected, rtol=1e-6, atol=1e-9))[0]
    r, c = wrong
    window = image[r - r % size:r - r % size + size, c - c % size:c - c % size + size]
    tied = int(np.sum(window == window.max()))
    if tied > 1 and image[r, c] == window.max():
        # the entry is one of several maxima: the student chose another one of the tie, which the
        # generic "only the maximum" sentence would wrongly call not a maximum
        return report(False, f"entry [{r}, {c}] is wrong: it is one of the {tied} tied maxima of its window, and "
                             f"nnlib sends that window's whole dout to the FIRST maximum in reading order (row by "
                             f"row, left to right), 0 to the others")
    return report(False, f"entry [{r}, {c}] should be {expected[r, c]:g}: only each window's maximum gets that "
                         f"window's dout, every other input 0")


def _where_nnlib_routes(x, size):
    """True at the input nnlib's max pooling routes each window's gradient to (even when its
    dout is 0)."""
    return maxpool_gradient(x, np.ones((x.shape[0] // size, x.shape[1] // size)), size) != 0


# -- exercise 5: the output size of a transposed convolution ---------------------------------
def check_transposed_output_size(n, kernel_size, stride, padding, answer):
    """(n - 1) stride - 2 padding + kernel_size + output_padding, output_padding from 0 to
    stride - 1: every size the convolution it transposes maps back to n is right (the floor in the
    convolution's formula makes them all valid; ConvTranspose2d picks the smallest unless its
    output_padding says otherwise)."""
    sizes = _sizes([n, kernel_size, stride, padding])
    if sizes is None or min(sizes[:3]) < 1 or (sizes[0] - 1) * sizes[2] - 2 * sizes[3] + sizes[1] < 1:
        return report(False, f"n, kernel_size, stride should be whole numbers >= 1 and padding >= 0 (small enough "
                             f"to leave an output); got {describe(n)}, {describe(kernel_size)}, {describe(stride)}, "
                             f"{describe(padding)}")
    n, k, s, p = sizes
    if answer is None:
        return not_done("replace None with the number of outputs along the axis")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the output size")
    right = [CM.transposed_output_size(n, k, s, p, output_padding) for output_padding in range(s)]
    expected = right[0]
    for output_padding, size in enumerate(right):
        if _close(value, size):
            if output_padding == 0:
                extra = (f"; with stride {s} the sizes up to {right[-1]} map to {n} as well, and "
                         f"output_padding picks one of them" if s > 1 else "")
                return report(True, f"({n} - 1)*{s} - 2*{p} + {k} = {expected}: the input size of the convolution "
                                    f"it transposes (ConvTranspose2d's choice{extra})")
            return report(True, f"the convolution maps {size} to {n} too (the floor), so it is "
                                f"a right size; ConvTranspose2d gives the smallest, {expected}, unless output_padding="
                                f"{output_padding}: ({n} - 1)*{s} - 2*{p} + {k} + {output_padding} = {size}")
    conv = (n + 2 * p - k) // s + 1 if k <= n + 2 * p else None
    hints = [(conv, "that is the size formula of the convolution itself; the transposed convolution runs it "
                    "backwards: solve n = (m + 2 padding - kernel_size) // stride + 1 for m"),
             ((n - 1) * s + k, "the padding: a convolution with padding p cropped p from each side of what "
                               "its transpose produces, so subtract 2 padding"),
             (n * s, "n * stride is only where the kernel's copies start; the last copy adds kernel_size - stride "
                     "more, and the padding takes 2 padding away"),
             ((n - 1) * s - p + k, "the padding is taken from both sides: subtract 2 padding")]
    hint = next((h for wrong, h in hints if wrong is not None and _close(value, wrong)
                 and not any(_close(wrong, r) for r in right)), None)
    shown = str(expected) if s == 1 else f"{expected} (or up to {right[-1]}, with output_padding)"
    return report(False, f"you have {value:g}, it is {shown}: "
                         + (hint or "(n - 1) stride - 2 padding + kernel_size"))
