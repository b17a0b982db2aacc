"""BCEWithLogitsLoss: the textbook formula where that is safe, two-class cross-entropy, the
gradient against finite differences, the reduction convention, and logits of +-1e4."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlib

TOL = 1e-7
seeds = st.integers(0, 2**32 - 1)


def textbook(z, y):
    p = 1.0 / (1.0 + np.exp(-z))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


@given(n=st.integers(1, 6), d=st.integers(1, 4), reduction=st.sampled_from(["mean", "sum"]), seed=seeds)
def test_equals_the_textbook_formula_summed_per_sample(n, d, reduction, seed):
    rng = np.random.default_rng(seed)
    z, y = rng.uniform(-8, 8, (n, d)), rng.uniform(0, 1, (n, d))
    loss = nnlib.BCEWithLogitsLoss(reduction=reduction)(z, y)
    want = textbook(z, y).sum() / (n if reduction == "mean" else 1)
    assert loss == pytest.approx(want, rel=1e-12)


@given(n=st.integers(1, 6), d=st.integers(1, 4), reduction=st.sampled_from(["mean", "sum"]),
       hard=st.booleans(), seed=seeds)
def test_gradient_against_finite_differences(n, d, reduction, hard, seed):
    rng = np.random.default_rng(seed)
    z = rng.uniform(-6, 6, (n, d))
    y = rng.integers(0, 2, (n, d)).astype(float) if hard else rng.uniform(0, 1, (n, d))
    loss = nnlib.BCEWithLogitsLoss(reduction=reduction)
    loss.forward(z, y)
    dz = loss.backward()
    assert nnlib.rel_error(dz, nnlib.numerical_gradient(lambda _: loss.forward(z, y), z)) < TOL


@given(n=st.integers(1, 6), seed=seeds)
def test_one_logit_is_two_class_cross_entropy_with_logits_0_and_z(n, seed):
    rng = np.random.default_rng(seed)
    z, labels = rng.uniform(-20, 20, (n, 1)), rng.integers(0, 2, n)
    bce, ce = nnlib.BCEWithLogitsLoss(), nnlib.CrossEntropyLoss()
    two = np.hstack([np.zeros((n, 1)), z])
    assert bce(z, labels) == pytest.approx(ce(two, labels), rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(bce.backward()[:, 0], ce.backward()[:, 1], rtol=1e-12, atol=1e-15)


def test_mean_divides_by_samples_not_by_outputs_and_1d_targets_work_for_one_output():
    rng = np.random.default_rng(0)
    z, y = rng.standard_normal((5, 3)), rng.uniform(0, 1, (5, 3))
    total = nnlib.BCEWithLogitsLoss(reduction="sum")(z, y)
    assert nnlib.BCEWithLogitsLoss()(z, y) == pytest.approx(total / 5, rel=1e-15)
    z1, y1 = z[:, :1], np.array([0, 1, 1, 0, 1])
    assert nnlib.BCEWithLogitsLoss()(z1, y1) == nnlib.BCEWithLogitsLoss()(z1, y1[:, None].astype(float))


def test_the_gradient_vanishes_where_sigmoid_equals_a_soft_target():
    y = np.array([[0.9, 0.1, 0.5]])
    z = np.log(y / (1 - y))  # logit(y)
    loss = nnlib.BCEWithLogitsLoss()
    loss(z, y)
    np.testing.assert_allclose(loss.backward(), 0.0, atol=1e-15)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_huge_logits_give_exact_finite_losses_and_gradients(scale):
    z = np.array([[scale], [scale], [1e-300 * scale]])
    right, wrong = float(scale > 0), float(scale < 0)
    loss = nnlib.BCEWithLogitsLoss(reduction="sum")
    assert loss(z[:1], [right]) == 0.0
    assert loss(z[:1], [wrong]) == 1e4  # |z|: the exact value, not inf
    value = loss(z, [right, wrong, 1.0])
    assert value == pytest.approx(1e4 + np.log(2), rel=1e-15)
    dz = loss.backward()
    np.testing.assert_array_equal(dz[:2, 0], [0.0, 1.0 if scale > 0 else -1.0])
    assert np.isfinite(dz).all()


def test_check_gradients_and_fit_with_a_one_output_classifier():
    X, y = nnlib.moons(200, noise=0.1, rng=0)
    model = nnlib.mlp([2, 16, 1], "tanh", rng=1)
    report = nnlib.check_gradients(model, nnlib.BCEWithLogitsLoss(), X[:6], y[:6])
    assert max(report.values()) < TOL
    hist = nnlib.fit(model, nnlib.BCEWithLogitsLoss(), nnlib.Adam(model.parameters(), lr=0.02), X, y,
                     epochs=60, batch_size=20, rng=0)
    assert hist.train_loss[-1] < hist.train_loss[0] / 4
    assert np.mean((model(X)[:, 0] > 0) == y) > 0.95


def test_target_is_copied_and_nan_logits_give_a_nan_loss():
    loss = nnlib.BCEWithLogitsLoss()
    y = np.array([[1.0], [0.0]])
    loss(np.array([[2.0], [-1.0]]), y)
    before = loss.backward()
    y[:] = 0.5
    np.testing.assert_array_equal(loss.backward(), before)
    with np.errstate(invalid="ignore"):
        assert np.isnan(loss(np.array([[np.nan], [0.0]]), [1.0, 0.0]))
