"""Checks for notebook 10's exercises (a CNN on the digits).

Every check prints one sentence and returns True, False or None (not done yet); it never raises
on a student's answer. Answers are parsed by the shared ``as_number``. The right answers are
computed by nnlib where nnlib computes them (a Conv2d's parameter count, check_gradients).
"""
import numpy as np

from ..conv import Conv2d
from ..core import Layer
from ..gradcheck import check_gradients
from ..layers import Dense
from ..losses import CrossEntropyLoss
from ..network import Sequential
from . import as_number, describe, not_a_number, not_done, report

GRAD_TOL = 1e-6  # float64 backprop against finite differences: a right backward gives ~1e-9


def _whole(value, low=1):
    """A whole number >= low from an int-like argument of the problem, else None."""
    v = as_number(value)
    return int(v) if v is not None and v.is_integer() and v >= low else None


def _off(value, expected):
    return f"you have {value:g}, it is {expected:g}"


# -- exercise 1: the parameters of a convolution ---------------------------------------------
def check_conv_parameters(in_channels, out_channels, kernel_size, answer):
    """How many numbers Conv2d(in_channels, out_channels, kernel_size) learns: its W
    (C_out, C_in, k, k) and its bias (C_out,)."""
    cin, cout, k = (_whole(v) for v in (in_channels, out_channels, kernel_size))
    if None in (cin, cout, k):
        return report(False, f"in_channels, out_channels and kernel_size should be whole numbers >= 1, got "
                             f"{describe(in_channels)}, {describe(out_channels)}, {describe(kernel_size)}")
    if answer is None:
        return not_done(f"replace None with the number of parameters of Conv2d({cin}, {cout}, {k})")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the number of parameters")
    expected = sum(int(np.prod(shape)) for shape in Conv2d.param_shapes(cin, cout, k).values())  # nothing allocated
    if value == expected:
        return report(True, f"W has {cout} x {cin} x {k} x {k} = {cout * cin * k * k} weights, plus {cout} "
                            f"biases: {expected}, whatever the size of the image")
    hints = [(cout * cin * k * k, f"you counted the weights but not the {cout} biases, one per output channel"),
             (cout * k * k + cout, f"each output channel has a {k} x {k} kernel for EACH of the {cin} input "
                                   f"channels: W is ({cout}, {cin}, {k}, {k})"),
             (cout * k * k + cin, "one bias per OUTPUT channel, and a kernel per pair of input and output "
                                  "channels"),
             (cin * cout * k * k + cin, f"one bias per OUTPUT channel ({cout}), not per input channel"),
             (cin * cout * k + cout, f"a kernel is {k} x {k}: {k * k} weights, not {k}")]
    for wrong, hint in hints:
        if value == wrong and wrong != expected:
            return report(False, f"{_off(value, expected)}: {hint}")
    if not value.is_integer():
        return report(False, f"a count of parameters is a whole number, you have {value:g}")
    return report(False, f"{_off(value, expected)}: W is (C_out, C_in, k, k), plus one bias per output channel")


# -- exercise 2: the receptive field -----------------------------------------------------------
def receptive_field(layers):
    """The side of the square of input pixels that one output of the last layer depends on.
    layers: a list of (kernel, stride) pairs, first layer first (a 3x3 convolution with stride
    1 is (3, 1), a 2x2 max pool (2, 2)). Each layer widens the field by (kernel - 1) times the
    distance, in input pixels, between two neighbouring inputs of that layer (the product of the
    earlier strides):

        r = 1 + sum_l (k_l - 1) * s_1 * ... * s_{l-1}

    Padding does not change the field's size (only where it sits)."""
    r, jump = 1, 1
    for kernel, stride in layers:
        r += (kernel - 1) * jump
        jump *= stride
    return r


def _layers(layers):
    """A list of (kernel, stride) pairs of whole numbers >= 1, or None."""
    try:
        pairs = [tuple(pair) for pair in layers]
    except TypeError:
        return None
    if not pairs or any(len(p) != 2 for p in pairs):
        return None
    parsed = [(_whole(k), _whole(s)) for k, s in pairs]
    return None if any(None in p for p in parsed) or len(parsed) > 50 else parsed


def check_receptive_field(layers, answer):
    """The side (in input pixels) of the window one output of the last of ``layers`` sees.
    layers: [(kernel, stride), ...], first layer first."""
    parsed = _layers(layers)
    if parsed is None:
        return report(False, f"layers should be a list of (kernel, stride) pairs of whole numbers, such as "
                             f"[(3, 1), (2, 2), (3, 1)]; got {describe(layers)}")
    if answer is None:
        return not_done("replace None with the side of the window, in input pixels")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the receptive field's side")
    expected = receptive_field(parsed)
    if value == expected:
        return report(True, f"one output sees a {expected} x {expected} window of the input")
    hints = [(1 + sum(k - 1 for k, _ in parsed), "you added (kernel - 1) of every layer as if each stepped by "
                                                 "one input pixel; after a stride-2 pool, neighbouring inputs "
                                                 "of the next layer are 2 pixels apart"),
             (float(np.prod([k for k, _ in parsed])), "the kernels' sizes do not multiply: each layer adds "
                                                      "(kernel - 1) x (the spacing of its inputs)"),
             (expected * expected, "the question asks for the SIDE of the square window, not its number of pixels")]
    if len(parsed) > 1 and parsed[-1][0] > 1:
        kernel, before = parsed[-1][0], receptive_field(parsed[:-1])
        step = int(np.prod([s for _, s in parsed[:-1]]))
        hints.append((expected - 1, f"one pixel short: the last layer's {kernel} inputs start {step} pixels apart, "
                                    f"so their windows start at 0, ..., {(kernel - 1) * step}, and the last one is "
                                    f"{before} pixels wide: {(kernel - 1) * step} + {before} = {expected}. (Padding "
                                    f"can cut the window at the image's border; the window is still this wide)"))
    if parsed[-1][1] > 1 and len(parsed) > 1:
        hints.append((receptive_field(parsed[:-1]), "the last layer widens the field too"))
    for wrong, hint in hints:
        if value == wrong and wrong != expected:
            return report(False, f"{_off(value, expected)}: {hint}")
    return report(False, f"{_off(value, expected)}: each layer adds (kernel - 1) times the product of the "
                         f"strides before it, starting from 1 pixel")


# -- exercise 3: global average pooling's backward -----------------------------------------------
def _student_layer(layer):
    """An instance of the student's layer (a class is instantiated without arguments), or the
    reason it cannot be made."""
    if isinstance(layer, type):
        if not issubclass(layer, Layer):
            return None, f"the class should be a subclass of nnlib.Layer, got {layer.__name__}"
        try:
            return layer(), None
        except Exception as exc:  # the student's constructor: say why it failed
            return None, f"{layer.__name__}() raised {type(exc).__name__}: {exc}"
    if isinstance(layer, Layer):
        return layer, None
    return None, f"pass your layer class (or an instance of it), got {describe(layer)}"


TEST_NETWORK = "Conv2d(1, 3, 3, padding=1), then your layer, then Dense(3, 4)"


def _grad_name(key, model):
    """check_gradients' key ("0.W", "2.b", "input") in words: "the weights W of the Conv2d"."""
    if key == "input":
        return "the input images"
    index, _, param = key.partition(".")
    what = {"W": "the weights W", "b": "the bias b"}.get(param, param)
    layer = model[int(index)] if index.isdigit() and int(index) < len(model) else None
    return f"{what} of the {type(layer).__name__}" if layer is not None else key


def check_global_avg_pool(layer):
    """The student's GlobalAvgPool: forward (N, C, H, W) -> (N, C), the mean of every channel,
    and a backward whose gradients ``check_gradients`` confirms inside a small CNN (float64)."""
    if layer is None:
        return not_done("write the backward of GlobalAvgPool, then pass the class here")
    pool, problem = _student_layer(layer)
    if problem:
        return report(False, problem)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 5))
    try:
        out = np.asarray(pool.forward(x), dtype=float)
    except Exception as exc:
        return report(False, f"forward raised {type(exc).__name__}: {exc}")
    if out.shape != (2, 3):
        return report(False, f"forward should return each channel's mean, x.mean(axis=(2, 3)), shape (2, 3) "
                             f"for x of shape (2, 3, 4, 5); got {describe(out)}")
    if not np.allclose(out, x.mean(axis=(2, 3)), atol=1e-12):
        sums = " (they are the channels' sums: divide by H * W)" if np.allclose(out, x.sum(axis=(2, 3))) else ""
        return report(False, f"forward returns the right shape, (2, 3), but not each channel's mean, "
                             f"x.mean(axis=(2, 3)): its values are off by up to "
                             f"{np.abs(out - x.mean(axis=(2, 3))).max():.3g}{sums}")
    dout = rng.standard_normal((2, 3))
    try:
        dx = pool.backward(dout)
    except Exception as exc:
        return report(False, f"backward raised {type(exc).__name__}: {exc}")
    if dx is None:
        return not_done("backward still returns None: return dx, a numpy array of the same shape as the input x")
    if not isinstance(dx, np.ndarray):  # the next layer's backward does array arithmetic on it
        return report(False, f"backward should return dx as a numpy array of the input's shape {x.shape}, got "
                             f"{describe(dx)}")
    if dx.shape != x.shape:
        return report(False, f"backward should return dx of the input's shape {x.shape}, got {describe(dx)}")
    if dx.dtype.kind != "f" or not np.isfinite(dx).all():
        return report(False, f"dx should hold finite floats, got {describe(dx)}")
    right = np.broadcast_to(dout[:, :, None, None] / 20, x.shape)
    if np.allclose(dx, right * 20, atol=1e-12):
        return report(False, "every pixel gets dout, but the mean divides by H * W: each pixel moves the "
                             "mean by 1/(H W) of its own change, so dx = dout / (H W) at every pixel")
    # the gradient check the notebooks use, with the student's layer inside a small CNN
    model = Sequential(Conv2d(1, 3, 3, padding=1, rng=1), pool, Dense(3, 4, rng=2))
    X, y = rng.standard_normal((3, 1, 5, 6)), np.array([0, 3, 1])
    try:
        errors = check_gradients(model, CrossEntropyLoss(), X, y)
    except Exception as exc:
        return report(False, f"check_gradients could not run your layer in a CNN: {type(exc).__name__}: {exc}")
    worst = max(errors, key=errors.get)
    if errors[worst] < GRAD_TOL and np.allclose(dx, right, atol=1e-10):
        table = ", ".join(f"{_grad_name(name, model)} {err:.1e}" for name, err in errors.items())
        return report(True, f"check_gradients agrees (relative errors: {table}): dx = dout / (H W), spread "
                            f"evenly over every pixel of its channel")
    return report(False, f"check_gradients disagrees: relative error {errors[worst]:.1e} for {_grad_name(worst, model)} of the test network "
                         f"({TEST_NETWORK}; a right "
                         f"backward gives about 1e-9). The mean of H x W pixels changes by 1/(H W) of any "
                         f"one pixel's change")
