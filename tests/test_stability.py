"""Extreme inputs: no NaN, no inf, and no numpy warning (warnings are errors in this module)."""
import numpy as np
import pytest

import nnlib

pytestmark = pytest.mark.filterwarnings("error")


def test_sigmoid_at_plus_minus_1000():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    s = nnlib.sigmoid(x)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert np.all(np.isfinite(nnlib.sigmoid_prime(x)))
    layer = nnlib.Sigmoid()
    out = layer(x[None, :])
    assert np.all(np.isfinite(layer.backward(np.ones_like(out))))


def test_tanh_at_plus_minus_1000():
    x = np.array([[-1000.0, 1000.0]])
    assert np.array_equal(nnlib.tanh(x), [[-1.0, 1.0]])
    assert np.all(np.isfinite(nnlib.tanh_prime(x)))


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_softmax_and_log_softmax_with_huge_logits(scale):
    z = scale * np.array([[1.0, 0.0, -1.0], [0.5, 0.5, -2.0]])
    p = nnlib.softmax(z)
    logp = nnlib.log_softmax(z)
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1.0)
    assert np.all(np.isfinite(logp[p > 0]))  # ln of an underflowed probability is a huge -number
    assert np.all(logp <= 0)


@pytest.mark.parametrize("scale", [1e4, -1e4])
@pytest.mark.parametrize("target", ["right", "wrong"])
def test_cross_entropy_with_huge_logits(scale, target):
    z = scale * np.array([[1.0, 0.0, -1.0]])
    label = np.array([int(np.argmax(z))]) if target == "right" else np.array([int(np.argmin(z))])
    loss = nnlib.CrossEntropyLoss()
    value = loss.forward(z, label)
    assert np.isfinite(value) and value >= 0
    grad = loss.backward()
    assert np.all(np.isfinite(grad)) and abs(grad.sum()) < 1e-12
    if target == "right":
        assert value == 0.0
    else:
        assert value == pytest.approx(2 * abs(scale))  # z_max - z_label, exactly what LSE gives


def test_naive_softmax_would_overflow():
    """The reason log-sum-exp exists: e^1000 is inf in float64."""
    with pytest.warns(RuntimeWarning, match="overflow"):
        naive = np.exp(np.array([1000.0, 0.0]))
    assert np.isinf(naive[0])
    assert np.allclose(nnlib.softmax(np.array([1000.0, 0.0])), [1.0, 0.0])


def test_training_with_far_too_large_learning_rate_stops_cleanly():
    X, y = nnlib.sine(64, rng=0)
    model = nnlib.Sequential(nnlib.Dense(1, 16, rng=0), nnlib.ReLU(), nnlib.Dense(16, 1, rng=1))
    hist = nnlib.fit(model, nnlib.MSELoss(), nnlib.SGD(model.parameters(), lr=1e3), X, y,
                     epochs=50, batch_size=8, rng=0)
    assert hist.diverged
    assert all(np.isfinite(hist.train_loss))
    assert hist.epochs < 50
