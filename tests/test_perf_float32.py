"""float32 end to end (issue 6): a float32 network stays float32 through forward, loss, backward
and SGD, and learns what the float64 one learns. Correctness only; speed is measured in
benchmarks/, never asserted here."""
import numpy as np
import pytest

import nnlib


def digits_split():
    X, y = nnlib.digits()
    return nnlib.train_test_split(X, y, test_size=0.25, rng=0)


def test_mlp_dtype_makes_every_parameter_float32_with_the_same_draws():
    m32 = nnlib.mlp([4, 5, 3], "relu", rng=0, dtype=np.float32)
    m64 = nnlib.mlp([4, 5, 3], "relu", rng=0)
    for p, q in zip(m32.parameters(), m64.parameters()):
        assert p.data.dtype == np.float32 and p.grad.dtype == np.float32
        np.testing.assert_array_equal(p.data, q.data.astype(np.float32))


@pytest.mark.parametrize("loss_fn, target", [
    (nnlib.CrossEntropyLoss(), np.array([0, 2, 1, 2, 0, 1])),  # integer labels
    (nnlib.CrossEntropyLoss(), np.eye(3)[[0, 2, 1, 2, 0, 1]]),  # one-hot rows (float64)
    (nnlib.MSELoss(), np.linspace(-1, 1, 18).reshape(6, 3)),  # float64 targets
])
def test_a_float32_step_never_turns_into_float64(loss_fn, target):
    model = nnlib.mlp([4, 8, 3], "tanh", rng=1, dtype=np.float32)
    X = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    out = model.forward(X)
    assert out.dtype == np.float32
    loss_fn.forward(out, target)
    dout = loss_fn.backward()
    assert dout.dtype == np.float32  # before the fix, a float64 target made this float64
    dX = model.backward(dout)
    assert dX.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


def test_float32_gradients_agree_with_float64_ones():
    X, y = nnlib.digits()
    m32 = nnlib.mlp([64, 32, 10], "relu", rng=2, dtype=np.float32)
    m64 = nnlib.mlp([64, 32, 10], "relu", rng=2)
    for model, x in ((m32, X[:50].astype(np.float32)), (m64, X[:50])):
        loss = nnlib.CrossEntropyLoss()
        loss.forward(model.forward(x), y[:50])
        model.backward(loss.backward())
    for p, q in zip(m32.parameters(), m64.parameters()):
        assert nnlib.rel_error(p.grad, q.grad) < 1e-5


def test_one_hot_target_takes_the_logits_dtype():
    y = nnlib.CrossEntropyLoss.one_hot_target(np.array([1, 0]), 2, 3, dtype=np.float32)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, [[0, 1, 0], [1, 0, 0]])
    assert nnlib.CrossEntropyLoss.one_hot_target(np.array([1, 0]), 2, 3).dtype == np.float64


def test_float32_fit_learns_digits_like_float64():
    X_tr, X_te, y_tr, y_te = digits_split()
    accs = {}
    for dtype in (np.float32, np.float64):
        model = nnlib.mlp([64, 64, 10], "relu", rng=0, dtype=dtype)
        hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1),
                         X_tr.astype(dtype), y_tr, epochs=10, batch_size=32, rng=0)
        assert all(p.data.dtype == dtype for p in model.parameters())
        assert hist.train_loss[-1] < 0.3 < np.log(10)
        _, accs[dtype] = nnlib.evaluate(model, nnlib.CrossEntropyLoss(), X_te.astype(dtype), y_te)
    assert accs[np.float32] > 0.9
    assert abs(accs[np.float32] - accs[np.float64]) < 0.02
