"""Convolution, transposed convolution and pooling (issue 13): gradients against finite
differences over shapes, strides, paddings and non-square kernels; equality with plain loops
written here; the adjoint identity between Conv2d and ConvTranspose2d; output shapes against
the formula; im2col/col2im as a pair of adjoint maps."""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nnlib
from layer_gradcheck import layer_errors

TOL = 1e-7
seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 3)
pairs = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
paddings = st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)))


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


# -- references written as plainly as possible ---------------------------------------------------
def conv2d_naive(x, W, b, stride, padding):
    """The definition, six loops deep (CS231n's conv_forward_naive): for every sample, output
    channel and output position, the sum over input channels and kernel rows and columns."""
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    N, C, H, Wd = x.shape
    F, _, kh, kw = W.shape
    xpad = np.zeros((N, C, H + 2 * ph, Wd + 2 * pw))
    xpad[:, :, ph:ph + H, pw:pw + Wd] = x
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (Wd + 2 * pw - kw) // sw + 1
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    total = b[f]
                    for c in range(C):
                        for di in range(kh):
                            for dj in range(kw):
                                total += W[f, c, di, dj] * xpad[n, c, i * sh + di, j * sw + dj]
                    out[n, f, i, j] = total
    return out


def conv_transpose2d_naive(x, W, b, stride, padding, out_hw):
    """Every input pixel scatters its value times the kernel onto the output, which is then
    cropped by ``padding`` on each side (the definition of a transposed convolution)."""
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    N, C, H, Wd = x.shape
    _, F, kh, kw = W.shape
    Ho, Wo = out_hw
    full = np.zeros((N, F, Ho + 2 * ph + kh, Wo + 2 * pw + kw))
    for n in range(N):
        for c in range(C):
            for i in range(H):
                for j in range(Wd):
                    full[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += x[n, c, i, j] * W[c]
    return full[:, :, ph:ph + Ho, pw:pw + Wo] + b.reshape(1, -1, 1, 1)


def pool_naive(x, k, s, reduce):
    (kh, kw), (sh, sw) = pair(k), pair(s)
    N, C, H, W = x.shape
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, c, i, j] = reduce(x[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw])
    return out


# -- a random configuration that fits --------------------------------------------------------------
@st.composite
def conv_setups(draw):
    """(N, C_in, C_out, kernel, stride, padding, H, W) with the kernel fitting the padded input."""
    kernel, stride, padding = draw(pairs), draw(pairs), draw(paddings)
    (kh, kw), (ph, pw) = pair(kernel), pair(padding)
    H = draw(st.integers(max(1, kh - 2 * ph), 6))
    W = draw(st.integers(max(1, kw - 2 * pw), 6))
    return draw(sizes), draw(sizes), draw(sizes), kernel, stride, padding, H, W


def random_conv(cls, c_in, c_out, kernel, stride, padding, rng, **kw):
    layer = cls(c_in, c_out, kernel, stride, padding, rng=rng, **kw)
    layer.b.data[:] = rng.standard_normal(layer.b.data.shape)
    return layer


# -- Conv2d ----------------------------------------------------------------------------------------
@given(setup=conv_setups(), seed=seeds)
def test_conv2d_equals_the_six_loop_definition_and_its_shape_the_formula(setup, seed):
    n, c_in, c_out, kernel, stride, padding, H, W = setup
    rng = np.random.default_rng(seed)
    conv = random_conv(nnlib.Conv2d, c_in, c_out, kernel, stride, padding, rng)
    x = rng.standard_normal((n, c_in, H, W))
    out = conv(x)
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel), pair(stride), pair(padding)
    assert out.shape == (n, c_out, (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1)
    assert out.shape[2:] == (nnlib.conv_output_size(H, kh, sh, ph), nnlib.conv_output_size(W, kw, sw, pw))
    np.testing.assert_allclose(out, conv2d_naive(x, conv.W.data, conv.b.data, stride, padding),
                               rtol=1e-12, atol=1e-12)


@given(setup=conv_setups(), bias=st.booleans(), seed=seeds)
def test_conv2d_gradients(setup, bias, seed):
    n, c_in, c_out, kernel, stride, padding, H, W = setup
    rng = np.random.default_rng(seed)
    conv = nnlib.Conv2d(c_in, c_out, kernel, stride, padding, bias=bias, rng=rng)
    report = layer_errors(conv, rng.standard_normal((n, c_in, H, W)), rng)
    assert set(report) == ({"W", "b", "input"} if bias else {"W", "input"})
    assert max(report.values()) < TOL, report


def test_conv2d_worked_example_by_hand():
    """A 3x3 image, a 2x2 kernel: each output is the sum of a 2x2 patch times the kernel."""
    x = np.arange(9.0).reshape(1, 1, 3, 3)      # 0 1 2 / 3 4 5 / 6 7 8
    conv = nnlib.Conv2d(1, 1, 2, rng=0)
    conv.W.data[...] = [[[[1.0, 0.0], [0.0, -1.0]]]]  # top-left minus bottom-right
    conv.b.data[...] = 0.5
    np.testing.assert_array_equal(conv(x), [[[[0 - 4 + 0.5, 1 - 5 + 0.5], [3 - 7 + 0.5, 4 - 8 + 0.5]]]])


# -- ConvTranspose2d -------------------------------------------------------------------------------
@st.composite
def transpose_setups(draw):
    """(N, C_in, C_out, kernel, stride, padding, output_padding, H, W) with a non-empty output."""
    kernel, stride, padding = draw(pairs), draw(pairs), draw(paddings)
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel), pair(stride), pair(padding)
    op = (draw(st.integers(0, sh - 1)), draw(st.integers(0, sw - 1)))
    H, W = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    assume((H - 1) * sh - 2 * ph + kh + op[0] >= 1 and (W - 1) * sw - 2 * pw + kw + op[1] >= 1)
    return draw(sizes), draw(sizes), draw(sizes), kernel, stride, padding, op, H, W


@given(setup=transpose_setups(), seed=seeds)
def test_conv_transpose2d_equals_the_scatter_definition_and_its_shape_the_formula(setup, seed):
    n, c_in, c_out, kernel, stride, padding, op, H, W = setup
    rng = np.random.default_rng(seed)
    layer = random_conv(nnlib.ConvTranspose2d, c_in, c_out, kernel, stride, padding, rng, output_padding=op)
    x = rng.standard_normal((n, c_in, H, W))
    out = layer(x)
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel), pair(stride), pair(padding)
    assert out.shape == (n, c_out, (H - 1) * sh - 2 * ph + kh + op[0], (W - 1) * sw - 2 * pw + kw + op[1])
    np.testing.assert_allclose(out, conv_transpose2d_naive(x, layer.W.data, layer.b.data, stride, padding,
                                                           out.shape[2:]), rtol=1e-12, atol=1e-12)


@given(setup=transpose_setups(), bias=st.booleans(), seed=seeds)
def test_conv_transpose2d_gradients(setup, bias, seed):
    n, c_in, c_out, kernel, stride, padding, op, H, W = setup
    rng = np.random.default_rng(seed)
    layer = nnlib.ConvTranspose2d(c_in, c_out, kernel, stride, padding, op, bias=bias, rng=rng)
    report = layer_errors(layer, rng.standard_normal((n, c_in, H, W)), rng)
    assert max(report.values()) < TOL, report


@given(setup=conv_setups(), seed=seeds)
def test_adjoint_identity_conv_and_transpose_share_one_weight(setup, seed):
    """<Conv2d(x), y> = <x, ConvTranspose2d(y)> with the same W: the transposed convolution is
    the convolution's transpose; and its forward equals Conv2d's backward exactly."""
    n, c_in, c_out, kernel, stride, padding, H, W = setup
    rng = np.random.default_rng(seed)
    conv = nnlib.Conv2d(c_in, c_out, kernel, stride, padding, bias=False, rng=rng)
    x = rng.standard_normal((n, c_in, H, W))
    y = rng.standard_normal(conv(x).shape)
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel), pair(stride), pair(padding)
    op = ((H + 2 * ph - kh) % sh, (W + 2 * pw - kw) % sw)  # which of the sizes Conv2d maps to y's
    tconv = nnlib.ConvTranspose2d(c_out, c_in, kernel, stride, padding, op, bias=False, rng=0)
    tconv.W.data = conv.W.data
    back = tconv(y)
    assert back.shape == x.shape
    assert np.isclose(np.sum(conv(x) * y), np.sum(x * back), rtol=1e-12, atol=1e-12)
    conv(x)
    np.testing.assert_allclose(conv.backward(y), back, rtol=1e-12, atol=1e-12)


def test_stride_2_transpose_makes_the_checkerboard():
    """An all-ones input through a 3x3, stride-2 transposed convolution of ones: output pixels
    under two or four overlapping patches get 2 or 4, the others 1 (the checkerboard)."""
    layer = nnlib.ConvTranspose2d(1, 1, 3, stride=2, bias=False, rng=0)
    layer.W.data[...] = 1.0
    out = layer(np.ones((1, 1, 3, 3)))[0, 0]
    assert out.shape == (7, 7)
    even = np.array([1, 1, 2, 1, 2, 1, 1])  # rows/columns 2 and 4 lie under two patches
    np.testing.assert_array_equal(out, np.outer(even, even))


# -- im2col / col2im -------------------------------------------------------------------------------
@given(setup=conv_setups(), seed=seeds)
def test_im2col_rows_are_the_patches_and_col2im_is_its_adjoint(setup, seed):
    n, c, _, kernel, stride, padding, H, W = setup
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, H, W))
    cols = nnlib.im2col(x, kernel, stride, padding)
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel), pair(stride), pair(padding)
    Ho, Wo = nnlib.conv_output_size(H, kh, sh, ph), nnlib.conv_output_size(W, kw, sw, pw)
    assert cols.shape == (n * Ho * Wo, c * kh * kw)
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    i, j = Ho - 1, Wo - 1  # the last patch of the last sample
    np.testing.assert_array_equal(cols[-1], xpad[-1, :, i * sh:i * sh + kh, j * sw:j * sw + kw].ravel())
    other = rng.standard_normal(cols.shape)
    back = nnlib.col2im(other, x.shape, kernel, stride, padding)
    assert back.shape == x.shape
    assert np.isclose(np.sum(cols * other), np.sum(x * back), rtol=1e-12, atol=1e-12)


# -- pooling -------------------------------------------------------------------------------------
@st.composite
def pool_setups(draw):
    kernel = draw(pairs)
    stride = draw(st.one_of(st.none(), pairs))
    kh, kw = pair(kernel)
    return draw(sizes), draw(sizes), kernel, stride, draw(st.integers(kh, 7)), draw(st.integers(kw, 7))


@given(setup=pool_setups(), seed=seeds)
def test_pooling_equals_the_loops_and_its_gradients_check(setup, seed):
    n, c, kernel, stride, H, W = setup
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, H, W))  # continuous: no ties, the max is differentiable
    for cls, reduce in ((nnlib.MaxPool2d, np.max), (nnlib.AvgPool2d, np.mean)):
        layer = cls(kernel, stride)
        np.testing.assert_allclose(layer(x), pool_naive(x, kernel, kernel if stride is None else stride, reduce),
                                   rtol=1e-12, atol=1e-15)
        report = layer_errors(layer, x, rng)
        assert max(report.values()) < TOL, (cls, report)


def test_maxpool_stride_defaults_to_the_kernel():
    assert nnlib.MaxPool2d(2).stride == (2, 2) and nnlib.AvgPool2d((2, 3)).stride == (2, 3)
    assert nnlib.MaxPool2d(3, 1).stride == (1, 1)
    assert nnlib.MaxPool2d(2)(np.ones((1, 1, 5, 4))).shape == (1, 1, 2, 2)  # the last row is dropped


def test_maxpool_ties_send_the_whole_gradient_to_the_first_maximum():
    x = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])  # two maxima: (0, 1) comes first in row-major order
    pool = nnlib.MaxPool2d(2)
    assert pool(x)[0, 0, 0, 0] == 3.0
    np.testing.assert_array_equal(pool.backward(np.array([[[[5.0]]]])), [[[[0.0, 5.0], [0.0, 0.0]]]])
    flat = nnlib.MaxPool2d(2)
    flat(np.zeros((1, 1, 2, 2)))  # all four tie
    np.testing.assert_array_equal(flat.backward(np.ones((1, 1, 1, 1))), [[[[1.0, 0.0], [0.0, 0.0]]]])


def test_overlapping_maxpool_adds_the_gradients_of_every_window_an_element_wins():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1.0  # the centre wins all four 2x2 windows of stride 1
    pool = nnlib.MaxPool2d(2, stride=1)
    pool(x)
    dx = pool.backward(np.arange(1.0, 5.0).reshape(1, 1, 2, 2))
    assert dx[0, 0, 1, 1] == 10.0 and dx.sum() == 10.0


# -- Flatten and Reshape ---------------------------------------------------------------------------
def test_flatten_and_reshape_are_inverse_per_sample_and_pass_gradients_back(rng):
    x = rng.standard_normal((3, 2, 4, 5))
    flat = nnlib.Flatten()
    v = flat(x)
    assert v.shape == (3, 40)
    np.testing.assert_array_equal(v[1], x[1].ravel())
    back = nnlib.Reshape(2, 4, 5)
    np.testing.assert_array_equal(back(v), x)
    np.testing.assert_array_equal(nnlib.Reshape((2, 4, 5))(v), x)
    dout = rng.standard_normal((3, 2, 4, 5))
    np.testing.assert_array_equal(flat.backward(back.backward(dout)), dout)


def test_a_decoder_from_a_vector_back_to_an_image_checks_its_gradients():
    model = nnlib.Sequential(nnlib.Dense(3, 2 * 2 * 2, rng=0), nnlib.Reshape(2, 2, 2), nnlib.Tanh(),
                             nnlib.ConvTranspose2d(2, 1, 3, stride=2, padding=1, output_padding=1, rng=1))
    X = np.random.default_rng(0).standard_normal((4, 3))
    assert model(X).shape == (4, 1, 4, 4)
    model.layers.append(nnlib.Flatten())  # MSELoss takes (N, D)
    Y = np.random.default_rng(1).standard_normal((4, 16))
    report = nnlib.check_gradients(model, nnlib.MSELoss(), X, Y)
    assert max(report.values()) < TOL, report


def test_a_small_cnn_checks_its_gradients_through_every_layer():
    model = nnlib.Sequential(nnlib.Conv2d(1, 3, 3, padding=1, rng=0), nnlib.ReLU(), nnlib.MaxPool2d(2),
                             nnlib.Conv2d(3, 4, (2, 3), padding=(0, 1), rng=1), nnlib.Tanh(),
                             nnlib.AvgPool2d((1, 2)), nnlib.Flatten(), nnlib.Dense(8, 3, rng=2))
    X = np.random.default_rng(2).standard_normal((5, 1, 6, 4))
    y = np.arange(5) % 3
    report = nnlib.check_gradients(model, nnlib.CrossEntropyLoss(), X, y)
    assert set(report) == {"0.W", "0.b", "3.W", "3.b", "7.W", "7.b", "input"}
    assert max(report.values()) < TOL, report


# -- float32 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda dt: nnlib.Conv2d(2, 3, 3, stride=2, padding=1, rng=0, dtype=dt),
    lambda dt: nnlib.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1, rng=0, dtype=dt),
])
def test_float32_layers_stay_float32_and_agree_with_float64(make):
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 5))
    single, double = make(np.float32), make(np.float64)
    assert single.W.data.dtype == single.b.data.dtype == np.float32
    out = single(x.astype(np.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, double(x), rtol=1e-5, atol=1e-5)
    dout = np.ones(out.shape, np.float32)
    dx = single.backward(dout)
    assert dx.dtype == single.W.grad.dtype == np.float32
    np.testing.assert_allclose(dx, double.backward(dout.astype(np.float64)), rtol=1e-5, atol=1e-5)
    for pool in (nnlib.MaxPool2d(2), nnlib.AvgPool2d(2), nnlib.Flatten()):
        y = pool(out)
        assert y.dtype == np.float32 and pool.backward(np.ones_like(y)).dtype == np.float32
