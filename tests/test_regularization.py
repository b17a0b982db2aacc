"""Dropout: p is the probability of dropping, inverted scaling keeps the mean, eval is the
identity, backward uses the forward's mask, gradients checked with a fixed mask."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlib
from layer_gradcheck import layer_errors

TOL = 1e-7


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_the_fraction_dropped_and_the_mean_are_right_within_statistical_bounds(p):
    n = 200_000
    layer = nnlib.Dropout(p, rng=0)
    x = np.full((n // 100, 100), 3.0)
    out = layer(x)
    dropped = np.mean(out == 0.0)
    # the number dropped is Binomial(n, p): 5 standard deviations either side
    assert abs(dropped - p) < 5 * np.sqrt(p * (1 - p) / n)
    # every kept unit is exactly x / (1 - p), so the mean is 3 (1 - dropped) / (1 - p)
    np.testing.assert_allclose(np.unique(out), [0.0, 3.0 / (1 - p)], rtol=1e-15)
    assert abs(out.mean() - 3.0) < 5 * 3.0 * np.sqrt(p / ((1 - p) * n))


def test_eval_is_the_identity_and_backward_passes_dout_through():
    layer = nnlib.Dropout(0.9, rng=0).eval()
    x = np.random.default_rng(1).standard_normal((4, 3, 2))
    out = layer(x)
    np.testing.assert_array_equal(out, x)
    dout = np.arange(24.0).reshape(4, 3, 2)
    np.testing.assert_array_equal(layer.backward(dout), dout)
    assert layer.mask is None


def test_p_zero_is_the_identity_in_training_too():
    layer = nnlib.Dropout(0.0, rng=0)
    x = np.ones((5, 5))
    np.testing.assert_array_equal(layer(x), x)


def test_backward_uses_the_mask_of_the_forward():
    layer = nnlib.Dropout(0.5, rng=3)
    x = np.random.default_rng(0).standard_normal((50, 4))
    out = layer(x)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    dx = layer.backward(dout)
    kept = out != 0
    np.testing.assert_array_equal(dx[~kept], 0.0)
    np.testing.assert_allclose(dx[kept], 2.0 * dout[kept], rtol=1e-15)
    np.testing.assert_array_equal(dx, dout * layer.mask)


def test_masks_come_from_rng_a_seed_repeats_them_and_each_forward_draws_anew():
    x = np.ones((10, 10))
    a, b = nnlib.Dropout(0.5, rng=7), nnlib.Dropout(0.5, rng=7)
    first = a(x)
    np.testing.assert_array_equal(first, b(x))
    assert not np.array_equal(first, a(x))
    gen = np.random.default_rng(7)
    np.testing.assert_array_equal(nnlib.Dropout(0.5, rng=gen)(x), first)


def test_float32_stays_float32():
    out = nnlib.Dropout(0.25, rng=0)(np.ones((3, 4), dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.75], rtol=1e-7)


@given(n=st.integers(1, 5), d=st.integers(1, 5), extra=st.integers(0, 3),
       p=st.floats(0.05, 0.95), seed=st.integers(0, 2**32 - 1))
def test_gradient_with_a_fixed_mask(n, d, extra, p, seed):
    rng = np.random.default_rng(seed)
    shape = (n, d) + ((extra,) if extra else ())
    layer = nnlib.Dropout(p, rng=rng)
    mask = layer.draw_mask(shape, np.dtype(np.float64))
    layer.draw_mask = lambda shape, dtype: mask  # every forward uses this one mask
    x = rng.standard_normal(shape)
    report = layer_errors(layer, x, rng)
    assert report["input"] < TOL
    layer(x)
    np.testing.assert_array_equal(layer.mask, mask)


def test_in_a_network_check_gradients_passes_with_a_fixed_mask():
    rng = np.random.default_rng(0)
    drop = nnlib.Dropout(0.5, rng=1)
    mask = drop.draw_mask((6, 8), np.dtype(np.float64))
    drop.draw_mask = lambda shape, dtype: mask
    model = nnlib.Sequential(nnlib.Dense(3, 8, rng=2), nnlib.Tanh(), drop, nnlib.Dense(8, 2, rng=3))
    report = nnlib.check_gradients(model, nnlib.CrossEntropyLoss(), rng.standard_normal((6, 3)),
                                   rng.integers(0, 2, 6))
    assert max(report.values()) < TOL


def test_fit_trains_with_dropout_and_evaluates_without():
    X, y = nnlib.moons(200, noise=0.1, rng=0)
    drop = nnlib.Dropout(0.2, rng=1)
    model = nnlib.Sequential(nnlib.Dense(2, 32, rng=2), nnlib.ReLU(), drop, nnlib.Dense(32, 2, rng=3))
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1, momentum=0.9),
                     X, y, epochs=40, batch_size=20, rng=0, X_val=X, y_val=y)
    assert hist.train_loss[-1] < hist.train_loss[0] / 3 and hist.val_acc[-1] > 0.9
    model.eval()
    np.testing.assert_array_equal(model(X), model(X))  # eval: deterministic
    model.train()
    assert not np.array_equal(model(X), model(X))       # train: a new mask each time
