"""Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, Flatten and Reshape under the Layer contract
(issue 13): bad input raises an error naming the argument and changes nothing; input_grad=False;
backward before forward and a wrong dout; save/load round-trips (float32 too, SpectralNorm
around a convolution); reprs with the sizes; a CNN through fit and evaluate."""
import numpy as np
import pytest

import nnlib
from layer_gradcheck import layer_errors, with_top_singular_gap

TOL = 1e-7

# name: (a fresh layer, always the same, and an input it takes)
LAYERS = {
    "Conv2d": (lambda: nnlib.Conv2d(2, 3, 3, padding=1, rng=0), (2, 2, 4, 5)),
    "Conv2d non-square, strided, no bias": (lambda: nnlib.Conv2d(2, 3, (2, 3), stride=(2, 1), padding=(1, 0),
                                                                 bias=False, rng=0), (2, 2, 5, 4)),
    "Conv2d float32": (lambda: nnlib.Conv2d(1, 2, 3, rng=0, dtype=np.float32), (2, 1, 4, 4)),
    "ConvTranspose2d": (lambda: nnlib.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1, rng=0),
                        (2, 2, 3, 3)),
    "ConvTranspose2d non-square float32": (lambda: nnlib.ConvTranspose2d(2, 1, (3, 2), stride=(1, 2), rng=0,
                                                                         dtype=np.float32), (2, 2, 3, 3)),
    "MaxPool2d": (lambda: nnlib.MaxPool2d(2), (2, 3, 4, 5)),
    "MaxPool2d overlapping": (lambda: nnlib.MaxPool2d((3, 2), stride=1), (2, 3, 4, 5)),
    "AvgPool2d": (lambda: nnlib.AvgPool2d(2, stride=(1, 2)), (2, 3, 4, 5)),
    "Flatten": (lambda: nnlib.Flatten(), (2, 3, 2, 2)),
    "Reshape": (lambda: nnlib.Reshape(3, 4), (2, 12)),
    "SpectralNorm(Conv2d)": (lambda: nnlib.SpectralNorm(nnlib.Conv2d(2, 3, 3, padding=1, rng=1), rng=0),
                             (2, 2, 4, 4)),
    "SpectralNorm(ConvTranspose2d)": (lambda: nnlib.SpectralNorm(nnlib.ConvTranspose2d(2, 3, 2, stride=2, rng=1),
                                                                 rng=0), (2, 2, 3, 3)),
}


def data(shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def dtype_of(layer):
    params = layer.parameters()
    return params[0].data.dtype if params else np.float64


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_calling_refuses_nan_and_inf_and_changes_nothing(name, bad):
    make, shape = LAYERS[name]
    layer = make()
    before = layer.state_dict()
    x = data(shape)
    x.flat[1] = bad
    with pytest.raises(ValueError, match="x contains NaN or inf"):
        layer(x)
    for key, value in layer.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


@pytest.mark.parametrize("name", LAYERS)
def test_input_grad_false_gives_none_or_the_same_dx_and_the_same_grads(name):
    make, shape = LAYERS[name]
    full, skipped = make(), make()
    x = data(shape, dtype=dtype_of(full))
    dout = data(full(x).shape, seed=1, dtype=dtype_of(full))
    dx = full.backward(dout)
    skipped(x)
    dx_skipped = skipped.backward(dout, input_grad=False)
    assert dx.shape == x.shape and dx.dtype == x.dtype
    assert dx_skipped is None or np.array_equal(dx_skipped, dx)
    if full.parameters():  # a layer with weights has no use for dx when asked not to compute it
        assert dx_skipped is None
    for (n1, p1), (n2, p2) in zip(full.named_parameters(), skipped.named_parameters()):
        assert n1 == n2
        np.testing.assert_array_equal(p1.grad, p2.grad)


@pytest.mark.parametrize("name", LAYERS)
def test_backward_before_forward_and_a_wrong_dout_raise(name):
    make, shape = LAYERS[name]
    layer = make()
    with pytest.raises(RuntimeError, match=r"\.backward called before forward"):
        layer.backward(np.ones(shape))
    out = layer(data(shape))
    wrong = (out.shape[0] + 1,) + out.shape[1:]
    with pytest.raises(ValueError, match=r"dout must have the output's shape"):
        layer.backward(np.ones(wrong))


@pytest.mark.parametrize("name", LAYERS)
def test_round_trip_through_save_and_load_is_exact(name, tmp_path):
    make, shape = LAYERS[name]
    model = nnlib.Sequential(make(), nnlib.Tanh())
    rng = np.random.default_rng(5)
    for p in model.parameters():
        p.data += rng.standard_normal(p.data.shape).astype(p.data.dtype)
    for seed in range(3):  # moves SpectralNorm's u away from its start
        model(data(shape, seed))
    nnlib.save(model, tmp_path / "m.npz")
    loaded = nnlib.load(tmp_path / "m.npz")
    assert repr(loaded) == repr(model)
    state, back = model.state_dict(), loaded.state_dict()
    assert list(back) == list(state)
    for key in state:
        assert back[key].dtype == state[key].dtype
        np.testing.assert_array_equal(back[key], state[key])
    model.eval()
    loaded.eval()
    x = data(shape, 9, dtype=dtype_of(model))
    np.testing.assert_array_equal(loaded(x), model(x))


def test_reprs_name_the_sizes():
    assert repr(nnlib.Conv2d(1, 16, 3, padding=1, rng=0)) == \
        "Conv2d(in_channels=1, out_channels=16, kernel_size=3, stride=1, padding=1, bias=True)"
    assert repr(nnlib.Conv2d(2, 4, (3, 5), stride=(1, 2), bias=False, rng=0, dtype=np.float32)) == \
        "Conv2d(in_channels=2, out_channels=4, kernel_size=(3, 5), stride=(1, 2), padding=0, bias=False, dtype='float32')"
    assert repr(nnlib.ConvTranspose2d(8, 1, 4, stride=2, padding=1, rng=0)) == \
        ("ConvTranspose2d(in_channels=8, out_channels=1, kernel_size=4, stride=2, padding=1, output_padding=0, "
         "bias=True)")
    assert repr(nnlib.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2)"
    assert repr(nnlib.AvgPool2d((2, 3), 1)) == "AvgPool2d(kernel_size=(2, 3), stride=1)"
    assert repr(nnlib.Flatten()) == "Flatten()" and repr(nnlib.Reshape(16, 4, 4)) == "Reshape(16, 4, 4)"
    model = nnlib.Sequential(nnlib.Conv2d(1, 16, 3, padding=1, rng=0), nnlib.Flatten(), nnlib.Dense(1024, 10, rng=0))
    assert "parameters: 10410" in repr(model)  # 16*9 + 16 + 1024*10 + 10


def test_shapes_init_and_seeds():
    conv = nnlib.Conv2d(4, 8, (3, 5), rng=7)
    assert conv.W.data.shape == (8, 4, 3, 5) and conv.b.data.shape == (8,) and np.all(conv.b.data == 0)
    np.testing.assert_array_equal(conv.W.data, nnlib.Conv2d(4, 8, (3, 5), rng=7).W.data)
    assert not np.array_equal(conv.W.data, nnlib.Conv2d(4, 8, (3, 5), rng=8).W.data)
    wide = nnlib.Conv2d(20, 30, 3, rng=0, init="he").W.data
    assert abs(wide.std() - np.sqrt(2 / (20 * 9))) < 0.005  # fan_in = C_in kH kW
    assert abs(nnlib.Conv2d(20, 30, 3, rng=0).W.data.std() - np.sqrt(1 / 180)) < 0.003
    assert abs(nnlib.Conv2d(20, 30, 3, rng=0, init="xavier").W.data.std() - np.sqrt(2 / (180 + 270))) < 0.003
    tconv = nnlib.ConvTranspose2d(4, 8, 3, bias=False, rng=0)
    assert tconv.W.data.shape == (4, 8, 3, 3) and tconv.b is None and tconv.parameters() == [tconv.W]
    assert nnlib.Conv2d.param_shapes(4, 8, (3, 5)) == {"W": (8, 4, 3, 5), "b": (8,)}
    assert nnlib.ConvTranspose2d.param_shapes(4, 8, 3, bias=False) == {"W": (4, 8, 3, 3)}


# -- bad input: a clear error naming the argument, and nothing changed -----------------------------
def things():
    """Fresh layers for each case to spoil, each after one good forward (so a failed call that
    touched the cache would be caught by the backward that follows)."""
    t = {"conv": nnlib.Conv2d(2, 3, 3, padding=1, rng=0),
         "tconv": nnlib.ConvTranspose2d(3, 2, 3, stride=2, rng=0),
         "pool": nnlib.MaxPool2d(2), "avg": nnlib.AvgPool2d(3),
         "flat": nnlib.Flatten(), "reshape": nnlib.Reshape(2, 3)}
    t["inputs"] = {"conv": data((2, 2, 4, 4)), "tconv": data((2, 3, 2, 2)), "pool": data((2, 2, 4, 4)),
                   "avg": data((2, 2, 4, 4)), "flat": data((2, 2, 3)), "reshape": data((2, 6))}
    for name, x in t["inputs"].items():
        t[name](x)
    return t


CASES = {
    # name: (call(t), exception, the whole message)
    "Conv2d channel mismatch": (lambda t: t["conv"](np.ones((2, 3, 4, 4))), ValueError,
                                "x must have 2 channels on axis 1 (in_channels=2), got shape (2, 3, 4, 4)"),
    "Conv2d kernel larger than the padded input": (
        lambda t: nnlib.Conv2d(1, 1, 5, padding=1, rng=0)(np.ones((1, 1, 2, 6))), ValueError,
        "kernel_size (5, 5) is larger than the padded input (4, 8) (x of shape (1, 1, 2, 6) with padding (1, 1))"),
    "Conv2d non-4-D input": (lambda t: t["conv"](np.ones((2, 4, 4))), ValueError,
                             "x must be 4-D, got shape (2, 4, 4)"),
    "Conv2d a flat batch": (lambda t: t["conv"](np.ones((2, 32))), ValueError, "x must be 4-D, got shape (2, 32)"),
    "Conv2d stride 0": (lambda t: nnlib.Conv2d(1, 1, 3, stride=0), ValueError, "stride must be >= 1, got 0"),
    "Conv2d stride (1, 0)": (lambda t: nnlib.Conv2d(1, 1, 3, stride=(1, 0)), ValueError, "stride must be >= 1, got 0"),
    "Conv2d padding -1": (lambda t: nnlib.Conv2d(1, 1, 3, padding=-1), ValueError, "padding must be >= 0, got -1"),
    "Conv2d kernel 0": (lambda t: nnlib.Conv2d(1, 1, 0), ValueError, "kernel_size must be >= 1, got 0"),
    "Conv2d kernel a triple": (lambda t: nnlib.Conv2d(1, 1, (3, 3, 3)), ValueError,
                               "kernel_size must be an int or a pair of ints, got (3, 3, 3)"),
    "Conv2d kernel a float": (lambda t: nnlib.Conv2d(1, 1, 2.5), TypeError, "kernel_size must be an int, got float 2.5"),
    "Conv2d in_channels 0": (lambda t: nnlib.Conv2d(0, 1, 3), ValueError, "in_channels must be >= 1, got 0"),
    "Conv2d out_channels a string": (lambda t: nnlib.Conv2d(1, "8", 3), TypeError, "out_channels must be an int, got str '8'"),
    "Conv2d unknown init": (lambda t: nnlib.Conv2d(1, 1, 3, init="glorot"), ValueError,
                            "init must be one of ('lecun', 'he', 'xavier'), got 'glorot'"),
    "Conv2d int dtype": (lambda t: nnlib.Conv2d(1, 1, 3, dtype=np.int32), TypeError,
                         "dtype must be float32 or float64, got int32"),
    "Conv2d rng a string": (lambda t: nnlib.Conv2d(1, 1, 3, rng="0"), TypeError,
                            "rng must be an int seed or a numpy Generator, got str"),
    "Conv2d objects as input": (lambda t: t["conv"](np.ones((2, 2, 4, 4), dtype=object)), TypeError,
                                 "x must be an array of real numbers, got dtype object"),
    "Conv2d dout of wrong shape": (lambda t: t["conv"].backward(np.ones((2, 3, 3, 4))), ValueError,
                                   "dout must have the output's shape (2, 3, 4, 4), got (2, 3, 3, 4)"),
    "ConvTranspose2d channel mismatch": (lambda t: t["tconv"](np.ones((2, 2, 2, 2))), ValueError,
                                         "x must have 3 channels on axis 1 (in_channels=3), got shape (2, 2, 2, 2)"),
    "ConvTranspose2d non-4-D input": (lambda t: t["tconv"](np.ones((3, 2, 2))), ValueError,
                                      "x must be 4-D, got shape (3, 2, 2)"),
    "ConvTranspose2d stride 0": (lambda t: nnlib.ConvTranspose2d(1, 1, 3, stride=0), ValueError,
                                 "stride must be >= 1, got 0"),
    "ConvTranspose2d output_padding not below stride": (
        lambda t: nnlib.ConvTranspose2d(1, 1, 3, stride=2, output_padding=2), ValueError,
        "output_padding must be smaller than stride (2, 2), got (2, 2)"),
    "ConvTranspose2d empty output": (
        lambda t: nnlib.ConvTranspose2d(1, 1, 2, padding=1, rng=0)(np.ones((1, 1, 1, 1))), ValueError,
        "x of shape (1, 1, 1, 1) gives an empty output (0, 0): padding (1, 1) cuts off more than the kernel (2, 2) adds"),
    "MaxPool2d kernel larger than the input": (lambda t: t["pool"](np.ones((1, 1, 1, 4))), ValueError,
                                               "kernel_size (2, 2) is larger than the padded input (1, 4) "
                                               "(x of shape (1, 1, 1, 4) with padding (0, 0))"),
    "MaxPool2d non-4-D input": (lambda t: t["pool"](np.ones((4, 4))), ValueError, "x must be 4-D, got shape (4, 4)"),
    "MaxPool2d stride 0": (lambda t: nnlib.MaxPool2d(2, stride=0), ValueError, "stride must be >= 1, got 0"),
    "AvgPool2d kernel 0": (lambda t: nnlib.AvgPool2d(0), ValueError, "kernel_size must be >= 1, got 0"),
    "AvgPool2d dout of wrong shape": (lambda t: t["avg"].backward(np.ones((2, 2, 2, 1))), ValueError,
                                      "dout must have the output's shape (2, 2, 1, 1), got (2, 2, 2, 1)"),
    "Flatten 1-D input": (lambda t: t["flat"](np.ones(4)), ValueError,
                          "x must be at least 2-D, got shape (4,) (a single sample of shape (D,) is x.reshape(1, -1))"),
    "Reshape wrong size": (lambda t: t["reshape"](np.ones((2, 5))), ValueError,
                           "x of shape (2, 5) has 5 numbers per sample; shape (2, 3) needs 6"),
    "Reshape no shape": (lambda t: nnlib.Reshape(), ValueError, "shape must have at least one size, e.g. Reshape(16, 4, 4)"),
    "Reshape size 0": (lambda t: nnlib.Reshape(4, 0), ValueError, "shape must be >= 1, got 0"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_a_clear_error_and_changes_nothing(case):
    call, exc, message = CASES[case]
    t = things()
    state = {name: (t[name].state_dict(), [p.grad.copy() for p in t[name].parameters()]) for name in t["inputs"]}
    with pytest.raises(exc) as info:
        call(t)
    assert str(info.value) == message
    for name, x in t["inputs"].items():
        layer = t[name]
        before, grads = state[name]
        for key, value in layer.state_dict().items():
            np.testing.assert_array_equal(value, before[key])
        for p, g in zip(layer.parameters(), grads):
            np.testing.assert_array_equal(p.grad, g)
        # the cache still holds the last good forward: backward fits it and gives its dx
        fresh = type(layer).from_config(layer.config())
        fresh.load_state_dict(layer.state_dict())
        out = fresh.forward(x)
        dout = np.random.default_rng(3).standard_normal(out.shape)
        np.testing.assert_array_equal(layer.backward(dout), fresh.backward(dout))


# -- SpectralNorm around a convolution ------------------------------------------------------------
def test_spectral_norm_of_a_conv_divides_by_the_top_singular_value_of_w_as_a_matrix():
    """The (C_out, C_in, kH, kW) weight is viewed as (C_out, C_in kH kW), as PyTorch does."""
    rng = np.random.default_rng(0)
    conv = nnlib.Conv2d(3, 4, 3, padding=1, rng=1)
    conv.W.data[...] = with_top_singular_gap(conv.W.data.reshape(4, -1), rng, top=1.5).reshape(conv.W.data.shape)
    sn = nnlib.SpectralNorm(conv, rng=2)
    x = rng.standard_normal((2, 3, 5, 5))
    for _ in range(60):
        out = sn(x)
    sigma = np.linalg.svd(conv.W.data.reshape(4, -1), compute_uv=False)[0]
    assert sn.sigma == pytest.approx(sigma, rel=1e-12)
    plain = nnlib.Conv2d(3, 4, 3, padding=1, rng=1)
    plain.W.data[...] = conv.W.data / sigma
    np.testing.assert_allclose(out, plain(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(conv.W.data.shape, (4, 3, 3, 3))  # its own W is left as it was


@pytest.mark.parametrize("dim, rows", [(None, 3), (1, 3), (0, 2)])
def test_spectral_norm_of_a_transposed_conv_views_w_with_its_output_channels_as_rows(dim, rows):
    """ConvTranspose2d's W is (C_in, C_out, kH, kW); by default its matrix is (C_out, C_in kH kW),
    as torch.nn.utils.spectral_norm does (dim=1); dim=0 asks for the (C_in, C_out kH kW) view."""
    rng = np.random.default_rng(0)
    deconv = nnlib.ConvTranspose2d(2, 3, 2, stride=2, rng=1)
    sn = nnlib.SpectralNorm(deconv, dim=dim, rng=2)
    matrix = np.moveaxis(deconv.W.data, 1 if dim is None else dim, 0).reshape(rows, -1)
    x = rng.standard_normal((2, 2, 3, 3))
    for _ in range(200):
        out = sn(x)
    other = np.moveaxis(deconv.W.data, 0 if rows == 3 else 1, 0).reshape(5 - rows, -1)
    sigma = np.linalg.svd(matrix, compute_uv=False)[0]
    assert sn.state_dict()["u"].shape == (rows,)
    assert sn.sigma == pytest.approx(sigma, rel=1e-9)
    assert abs(sigma - np.linalg.svd(other, compute_uv=False)[0]) > 1e-3  # the two views differ here
    plain = nnlib.ConvTranspose2d(2, 3, 2, stride=2, rng=1)
    plain.W.data[...] = deconv.W.data / sigma
    np.testing.assert_allclose(out, plain(x), rtol=1e-8, atol=1e-12)
    restored = nnlib.SpectralNorm.from_config(sn.config())
    assert restored.dim == sn.dim == (1 if dim is None else dim)


@pytest.mark.parametrize("dim", [4, -1, 1.0, True, "1"])
def test_spectral_norm_refuses_a_dim_that_is_not_an_axis_of_w(dim):
    conv = nnlib.Conv2d(2, 3, 3, rng=1)
    with pytest.raises(ValueError, match=r"dim must be an axis of W \(an int from 0 to 3; W has shape \(3, 2, 3, 3\)\)"):
        nnlib.SpectralNorm(conv, dim=dim)


@pytest.mark.parametrize("make, shape", [
    (lambda: nnlib.Conv2d(2, 3, (2, 3), stride=2, padding=1, rng=1), (2, 2, 4, 5)),
    (lambda: nnlib.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1, rng=1), (2, 2, 2, 3)),
])
def test_spectral_norm_around_a_convolution_checks_its_gradients_in_eval_mode(make, shape):
    rng = np.random.default_rng(4)
    sn = nnlib.SpectralNorm(make(), rng=0)
    x = rng.standard_normal(shape)
    for _ in range(3):
        sn(x)
    sn.eval()  # sigma = ||W^T u|| with u fixed: the backward is the exact derivative
    report = layer_errors(sn, x, rng)
    assert set(report) == {"layer.W", "layer.b", "input"}
    assert max(report.values()) < TOL, report


# -- through fit and evaluate -----------------------------------------------------------------------
def test_a_small_cnn_learns_to_tell_horizontal_from_vertical_bars():
    rng = np.random.default_rng(0)
    X = 0.1 * rng.standard_normal((80, 1, 6, 6))
    y = np.arange(80) % 2
    for n in range(80):
        k = rng.integers(0, 6)
        if y[n]:
            X[n, 0, :, k] += 1.0   # a vertical bar
        else:
            X[n, 0, k, :] += 1.0   # a horizontal bar
    model = nnlib.Sequential(nnlib.Conv2d(1, 4, 3, padding=1, rng=1), nnlib.ReLU(), nnlib.MaxPool2d(2),
                             nnlib.Flatten(), nnlib.Dense(36, 2, rng=2))
    before = nnlib.evaluate(model, nnlib.CrossEntropyLoss(), X, y)[0]
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1, momentum=0.9),
                     X[:60], y[:60], epochs=15, batch_size=10, rng=0, X_val=X[60:], y_val=y[60:])
    assert hist.train_loss[-1] < 0.5 * before
    assert hist.val_acc[-1] >= 0.9, hist.val_acc
