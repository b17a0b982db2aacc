"""Batch normalization and spectral normalization: gradients against finite differences (train
mode), the compact backward against the step-by-step one, running statistics, sigma against
the SVD, and numerics at the edges."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlib
from layer_gradcheck import layer_errors, with_top_singular_gap

TOL = 1e-7
seeds = st.integers(0, 2**32 - 1)


def random_affine(bn, rng):
    bn.gamma.data[:] = rng.uniform(0.5, 2.0, bn.num_features)
    bn.beta.data[:] = rng.standard_normal(bn.num_features)
    return bn


# -- batch norm: gradients -----------------------------------------------------------------------
# At least 3 values per channel: with 2, xhat is +-1 whatever x is, dx is nearly 0 and a relative
# error would compare noise with noise.
@given(n=st.integers(3, 6), c=st.integers(1, 4), affine=st.booleans(), seed=seeds)
def test_batchnorm1d_gradients_in_train_mode(n, c, affine, seed):
    rng = np.random.default_rng(seed)
    bn = nnlib.BatchNorm1d(c, affine=affine)
    if affine:
        random_affine(bn, rng)
    # each channel's batch std set to a value in [0.5, 3]: three random draws can lie within
    # 0.01 of each other, and finite differences of x / s then lose digits (truncation ~ h^2 / s^3)
    z = rng.standard_normal((n, c))
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    x = rng.uniform(-3, 3, c) + rng.uniform(0.5, 3, c) * z
    report = layer_errors(bn, x, rng)
    assert bn.training and max(report.values()) < TOL, report
    assert set(report) == ({"gamma", "beta", "input"} if affine else {"input"})


@given(n=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(2, 3), w=st.integers(2, 3), seed=seeds)
def test_batchnorm2d_gradients_in_train_mode(n, c, h, w, seed):
    rng = np.random.default_rng(seed)
    bn = random_affine(nnlib.BatchNorm2d(c), rng)
    x = rng.normal(1.0, 2.0, size=(n, c, h, w))
    report = layer_errors(bn, x, rng)
    assert max(report.values()) < TOL, report


@given(n=st.integers(1, 5), c=st.integers(1, 4), seed=seeds)
def test_batchnorm_gradients_in_eval_mode(n, c, seed):
    rng = np.random.default_rng(seed)
    bn = random_affine(nnlib.BatchNorm1d(c), rng)
    bn._buffers["running_mean"][:] = rng.standard_normal(c)
    bn._buffers["running_var"][:] = rng.uniform(0.5, 2.0, c)
    bn.eval()
    report = layer_errors(bn, rng.standard_normal((n, c)), rng)
    assert max(report.values()) < TOL, report


def staged_backward(x, gamma, beta, eps, dout):
    """Batch norm (N, C) forward and backward one step at a time (the computational graph of
    CS231n's assignment), the reference the compact formula must equal."""
    n = x.shape[0]
    mu = x.sum(axis=0) / n
    xmu = x - mu
    sq = xmu**2
    var = sq.sum(axis=0) / n
    std = np.sqrt(var + eps)
    istd = 1.0 / std
    xhat = xmu * istd
    out = gamma * xhat + beta
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    distd = (dxhat * xmu).sum(axis=0)
    dxmu = dxhat * istd
    dstd = -distd / std**2
    dvar = dstd * 0.5 / std
    dsq = np.ones_like(sq) * dvar / n
    dxmu += 2 * xmu * dsq
    dmu = -dxmu.sum(axis=0)
    dx = dxmu + np.ones_like(x) * dmu / n
    return out, dx, dgamma, dbeta


@given(n=st.integers(2, 8), c=st.integers(1, 5), seed=seeds)
def test_compact_backward_equals_the_step_by_step_one(n, c, seed):
    rng = np.random.default_rng(seed)
    bn = random_affine(nnlib.BatchNorm1d(c, eps=rng.uniform(1e-5, 1e-1)), rng)
    x, dout = rng.normal(2.0, 3.0, size=(n, c)), rng.standard_normal((n, c))
    out = bn(x)
    dx = bn.backward(dout)
    ref_out, ref_dx, ref_dgamma, ref_dbeta = staged_backward(x, bn.gamma.data, bn.beta.data, bn.eps, dout)
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(bn.gamma.grad, ref_dgamma, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bn.beta.grad, ref_dbeta, rtol=1e-12, atol=1e-12)


def test_batchnorm2d_is_batchnorm1d_over_every_pixel():
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 4, 5))
    bn2, bn1 = random_affine(nnlib.BatchNorm2d(3), np.random.default_rng(1)), nnlib.BatchNorm1d(3)
    bn1.load_state_dict(bn2.state_dict())
    flat = lambda a: a.transpose(0, 2, 3, 1).reshape(-1, 3)  # noqa: E731  (N, C, H, W) -> (N*H*W, C)
    np.testing.assert_allclose(flat(bn2(x)), bn1(flat(x)), rtol=1e-13)
    np.testing.assert_allclose(flat(bn2.backward(dout)), bn1.backward(flat(dout)), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(bn2.gamma.grad, bn1.gamma.grad, rtol=1e-12)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(bn2._buffers[name], bn1._buffers[name], rtol=1e-13)


def test_check_gradients_through_a_network_with_batchnorm():
    rng = np.random.default_rng(0)
    model = nnlib.Sequential(nnlib.Dense(3, 5, bias=False, rng=1), random_affine(nnlib.BatchNorm1d(5), rng),
                             nnlib.Tanh(), nnlib.Dense(5, 2, rng=2))
    report = nnlib.check_gradients(model, nnlib.CrossEntropyLoss(), rng.standard_normal((8, 3)),
                                   rng.integers(0, 2, 8))
    assert max(report.values()) < TOL, report


# -- batch norm: what it computes ---------------------------------------------------------------
def test_training_output_has_zero_mean_unit_variance_then_gamma_and_beta():
    rng = np.random.default_rng(0)
    x = rng.normal([5.0, -3.0], [10.0, 0.1], size=(64, 2))
    bn = nnlib.BatchNorm1d(2)
    out = bn(x)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-5), rtol=1e-12)
    bn.gamma.data[:], bn.beta.data[:] = [2.0, 3.0], [1.0, -1.0]
    out = bn(x)
    np.testing.assert_allclose(out.mean(axis=0), [1.0, -1.0], atol=1e-12)


def test_running_statistics_start_at_0_and_1_and_converge_to_the_data():
    rng = np.random.default_rng(0)
    mean, std = np.array([3.0, -2.0, 0.5]), np.array([2.0, 0.5, 4.0])
    bn = nnlib.BatchNorm2d(3, momentum=0.1)
    np.testing.assert_array_equal(bn._buffers["running_mean"], 0.0)
    np.testing.assert_array_equal(bn._buffers["running_var"], 1.0)
    for _ in range(300):
        bn(rng.normal(mean[None, :, None, None], std[None, :, None, None], size=(8, 3, 4, 4)))
    # 128 values a batch: the running figures average about 19 batches, so they are within a few %
    np.testing.assert_allclose(bn._buffers["running_mean"], mean, atol=0.1)
    np.testing.assert_allclose(bn._buffers["running_var"], std**2, rtol=0.1)


def test_running_var_uses_the_unbiased_variance_and_momentum():
    x = np.array([[1.0, 10.0], [2.0, 10.0], [6.0, 10.0]])
    bn = nnlib.BatchNorm1d(2, momentum=0.25)
    bn(x)
    np.testing.assert_allclose(bn._buffers["running_mean"], 0.75 * 0.0 + 0.25 * x.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(bn._buffers["running_var"], 0.75 * 1.0 + 0.25 * x.var(axis=0, ddof=1), rtol=1e-15)


def test_eval_uses_the_running_statistics_and_changes_no_buffer():
    bn = random_affine(nnlib.BatchNorm1d(2), np.random.default_rng(0))
    bn._buffers["running_mean"][:] = [1.0, -1.0]
    bn._buffers["running_var"][:] = [4.0, 0.25]
    bn.eval()
    x = np.array([[3.0, 0.0]])  # one sample is fine in eval mode
    out = bn(x)
    expected = bn.gamma.data * (x - [1.0, -1.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5) + bn.beta.data
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    np.testing.assert_array_equal(bn._buffers["running_mean"], [1.0, -1.0])
    np.testing.assert_array_equal(bn._buffers["running_var"], [4.0, 0.25])


def test_a_training_batch_of_one_sample_is_a_clear_error_and_changes_nothing():
    bn = nnlib.BatchNorm1d(3)
    before = bn.state_dict()
    with pytest.raises(ValueError, match=r"one value per channel, a batch of one sample.*model\.eval\(\)"):
        bn(np.ones((1, 3)))
    model = nnlib.Sequential(nnlib.Dense(2, 3, rng=0), bn)  # deep in a network, where forward is not checked
    with pytest.raises(ValueError, match="a batch of one sample"):
        model(np.ones((1, 2)))
    for name, value in bn.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
    assert nnlib.BatchNorm2d(2)(np.ones((1, 2, 2, 1))).shape == (1, 2, 2, 1)  # 2 values per channel


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("value", [0.0, 1e6, -1e-300])
def test_a_constant_feature_gives_zeros_and_finite_gradients(value):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3))
    x[:, 1] = value
    bn = nnlib.BatchNorm1d(3)
    out = bn(x)
    np.testing.assert_allclose(out[:, 1], 0.0, atol=1e-9)
    dx = bn.backward(rng.standard_normal(out.shape))
    assert np.isfinite(dx).all() and np.isfinite(bn.gamma.grad).all()
    # xhat = 0 and s = sqrt(eps): dx is dout's deviation from its mean, / sqrt(eps) (true, if steep)
    dout = bn._check_dout(rng.standard_normal(out.shape), out.shape)
    bn.zero_grad()
    dx = bn.backward(dout)
    np.testing.assert_allclose(dx[:, 1], (dout[:, 1] - dout[:, 1].mean()) / np.sqrt(1e-5), rtol=1e-10)


@pytest.mark.filterwarnings("error")
def test_batchnorm_of_huge_and_tiny_inputs_is_finite():
    bn = nnlib.BatchNorm1d(2)
    x = np.array([[1e150, 1e-150], [-1e150, 3e-150], [5e149, -2e-150]])
    out = bn(x)
    assert np.isfinite(out).all() and np.isfinite(bn.backward(np.ones_like(out))).all()
    np.testing.assert_allclose(out[:, 0], (x[:, 0] - x[:, 0].mean()) / x[:, 0].std(), rtol=1e-12)


def test_batchnorm_lets_a_deep_sigmoid_network_train():
    """Eight sigmoid layers: plain SGD barely moves in this budget; with batch norm it learns."""
    X, y = nnlib.moons(200, noise=0.1, rng=0)

    def deep(bn):
        rng, layers, width = np.random.default_rng(1), [], 2
        for _ in range(8):
            layers += [nnlib.Dense(width, 16, bias=not bn, rng=rng)] + ([nnlib.BatchNorm1d(16)] if bn else [])
            layers.append(nnlib.Sigmoid())
            width = 16
        return nnlib.Sequential(*layers, nnlib.Dense(16, 2, rng=rng))

    losses = {}
    for bn in (False, True):
        model = deep(bn)
        hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
                         epochs=30, batch_size=20, rng=0)
        losses[bn] = hist.train_loss[-1]
    assert losses[False] > 0.6 and losses[True] < 0.35, losses


# -- spectral norm -------------------------------------------------------------------------------
@given(out=st.integers(1, 6), inp=st.integers(1, 6), seed=seeds)
def test_sigma_matches_the_svd_after_enough_iterations(out, inp, seed):
    rng = np.random.default_rng(seed)
    dense = nnlib.Dense(inp, out, rng=rng)
    dense.W.data[:] = with_top_singular_gap(rng.standard_normal((out, inp)), rng, top=1.5)
    sn = nnlib.SpectralNorm(dense, rng=rng)
    x = rng.standard_normal((3, inp))
    for _ in range(60):  # one power step per forward, as in training; (1/1.5)^120 ~ 1e-21
        sn(x)
    true = np.linalg.svd(dense.W.data, compute_uv=False)[0]
    assert sn.sigma == pytest.approx(true, rel=1e-12)
    np.testing.assert_allclose(sn(x), x @ (dense.W.data / true).T + dense.b.data, rtol=1e-10, atol=1e-12)


def test_sigma_of_a_random_matrix_converges_to_the_svd_and_never_overshoots():
    rng = np.random.default_rng(0)
    dense = nnlib.Dense(8, 5, rng=rng)
    sn = nnlib.SpectralNorm(dense, rng=1)
    true = np.linalg.svd(dense.W.data, compute_uv=False)[0]
    errors = []
    for _ in range(40):
        sn(np.ones((1, 8)))
        errors.append(true - sn.sigma)
    assert all(e >= -1e-12 for e in errors)  # a Rayleigh-quotient estimate: never above sigma_1
    assert errors[0] > 1e-3 and errors[-1] < 1e-12


@given(out=st.integers(1, 5), inp=st.integers(1, 5), n=st.integers(1, 4), seed=seeds)
def test_spectral_norm_gradients_in_train_mode(out, inp, n, seed):
    """Converged u (a singular gap and enough iterations per forward): the u-v-fixed gradient is
    then the true one, and each forward's own power iteration follows the perturbed W."""
    rng = np.random.default_rng(seed)
    dense = nnlib.Dense(inp, out, rng=rng)
    dense.W.data[:] = with_top_singular_gap(rng.standard_normal((out, inp)), rng)
    dense.b.data[:] = rng.standard_normal(out)
    sn = nnlib.SpectralNorm(dense, n_power_iterations=40, rng=rng)
    report = layer_errors(sn, rng.standard_normal((n, inp)), rng)
    assert sn.training and max(report.values()) < TOL, report
    assert set(report) == {"layer.W", "layer.b", "input"}


@given(out=st.integers(1, 5), inp=st.integers(1, 5), seed=seeds)
def test_spectral_norm_gradients_in_eval_mode_are_exact_for_any_u(out, inp, seed):
    rng = np.random.default_rng(seed)
    sn = nnlib.SpectralNorm(nnlib.Dense(inp, out, rng=rng), rng=rng).eval()  # u as drawn: far from converged
    # scaled so that the sigma used, ||W^T u||, is 1: a small one (0.25 happens for a 1 x 2 W) makes
    # W / sigma so curved that finite differences with h = 1e-5 lose digits (the error falls as h^2)
    sn.layer.W.data /= np.linalg.norm(sn.layer.W.data.T @ sn._buffers["u"])
    report = layer_errors(sn, rng.standard_normal((3, inp)), rng)
    assert max(report.values()) < TOL, report


@given(out=st.integers(1, 5), inp=st.integers(1, 5), seed=seeds)
def test_gradient_matches_finite_differences_of_w_over_its_svd_sigma(out, inp, seed):
    """dloss/dW of loss = sum(G * W / sigma_1(W)), sigma_1 from np.linalg.svd, against the
    layer's backward after its power iteration has converged."""
    rng = np.random.default_rng(seed)
    dense = nnlib.Dense(inp, out, bias=False, rng=rng)
    dense.W.data[:] = with_top_singular_gap(rng.standard_normal((out, inp)), rng)
    sn = nnlib.SpectralNorm(dense, n_power_iterations=60, rng=rng)
    x = rng.standard_normal((4, inp))
    dout = rng.standard_normal((4, out))
    sn(x)
    sn.backward(dout)
    W = dense.W.data.copy()
    G = dout.T @ x  # dloss/dW_sn of loss = sum(dout * x W_sn^T)

    def loss(_):
        return float(np.sum(G * W / np.linalg.svd(W, compute_uv=False)[0]))

    assert nnlib.rel_error(dense.W.grad, nnlib.numerical_gradient(loss, W)) < TOL


def test_spectral_norm_makes_a_dense_layer_1_lipschitz():
    rng = np.random.default_rng(0)
    dense = nnlib.Dense(6, 4, rng=1)
    dense.W.data *= 10.0
    sn = nnlib.SpectralNorm(dense, n_power_iterations=30, rng=2)
    x = rng.standard_normal((200, 6))
    sn(x)
    sn.eval()
    a, b = x[:100], x[100:]
    ratio = np.linalg.norm(sn(a) - sn(b), axis=1) / np.linalg.norm(a - b, axis=1)
    plain = np.linalg.norm(dense(a) - dense(b), axis=1) / np.linalg.norm(a - b, axis=1)
    assert ratio.max() <= 1.0 + 1e-12 and plain.max() > 3.0


def test_u_changes_in_training_only_and_w_stays_the_same_array():
    dense = nnlib.Dense(3, 4, rng=0)
    W = dense.W.data
    before = W.copy()
    sn = nnlib.SpectralNorm(dense, rng=1)
    u0 = sn._buffers["u"].copy()
    sn.eval()
    sn(np.ones((2, 3)))
    np.testing.assert_array_equal(sn._buffers["u"], u0)
    sn.train()
    sn(np.ones((2, 3)))
    sn.backward(np.ones((2, 4)))
    assert not np.array_equal(sn._buffers["u"], u0) and np.linalg.norm(sn._buffers["u"]) == pytest.approx(1.0)
    assert dense.W.data is W and dense.W.grad.shape == W.shape
    np.testing.assert_array_equal(W, before)  # the layer keeps the unnormalized weight


def test_spectral_norm_trains_with_fit_and_adds_to_existing_grads():
    X, y = nnlib.moons(100, noise=0.1, rng=0)
    model = nnlib.Sequential(nnlib.SpectralNorm(nnlib.Dense(2, 16, rng=1), rng=2), nnlib.Tanh(),
                             nnlib.SpectralNorm(nnlib.Dense(16, 2, rng=3), rng=4))
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.5, momentum=0.9),
                     X, y, epochs=30, batch_size=10, rng=0)
    # a 1-Lipschitz network has small logits, so its cross-entropy stays high; it still learns
    assert hist.train_loss[-1] < hist.train_loss[0] and nnlib.evaluate(model, nnlib.CrossEntropyLoss(), X, y)[1] > 0.8
    sn = model[0].eval()  # u fixed: two identical passes
    sn.zero_grad()
    sn(X[:4])
    sn.backward(np.ones((4, 16)))
    once = sn.layer.W.grad.copy()
    sn(X[:4])
    sn.backward(np.ones((4, 16)))
    np.testing.assert_allclose(sn.layer.W.grad, 2 * once, rtol=1e-12)


@pytest.mark.filterwarnings("error")
def test_an_all_zero_weight_stays_zero_without_nan():
    dense = nnlib.Dense(3, 2, rng=0)
    dense.W.data[:] = 0.0
    sn = nnlib.SpectralNorm(dense, rng=0)
    out = sn(np.ones((2, 3)))
    np.testing.assert_array_equal(out, 0.0)
    sn.backward(np.ones((2, 2)))
    assert np.isfinite(dense.W.grad).all()


def test_spectral_norm_of_a_float32_layer_stays_float32():
    sn = nnlib.SpectralNorm(nnlib.Dense(3, 2, rng=0, dtype=np.float32), rng=0)
    out = sn(np.ones((2, 3), dtype=np.float32))
    assert out.dtype == np.float32
    sn.backward(np.ones((2, 2), dtype=np.float32))
    assert sn.layer.W.grad.dtype == np.float32
