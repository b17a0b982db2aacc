"""Embedding (one-hot times W, forward and backward; bad indices), the sequence cross-entropy with
ignore_index (the mean over the real positions), and clip_grad_norm."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib

seeds = st.integers(0, 2**32 - 1)


def one_hot(idx, v):
    return np.eye(v)[idx]  # (..., V)


# -- Embedding ----------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(v=st.integers(1, 6), d=st.integers(1, 4), shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       seed=seeds)
def test_embedding_is_one_hot_times_w_forward_and_backward(v, d, shape, seed):
    rng = np.random.default_rng(seed)
    emb = nnlib.Embedding(v, d, rng=rng)
    idx = rng.integers(0, v, shape)  # small V: indices repeat, so the gradient must add them up
    out = emb(idx)
    assert out.shape == (*shape, d)
    np.testing.assert_allclose(out, one_hot(idx, v) @ emb.W.data, rtol=1e-12, atol=1e-14)
    dout = rng.standard_normal(out.shape)
    assert emb.backward(dout) is None
    dW = one_hot(idx, v).reshape(-1, v).T @ dout.reshape(-1, d)  # the Dense layer's dW = x^T dout
    np.testing.assert_allclose(emb.W.grad, dW, rtol=1e-12, atol=1e-12)


def test_embedding_gradient_checks_inside_a_model_and_repeated_indices_add_up():
    emb = nnlib.Embedding(3, 2, rng=0)
    emb(np.array([1, 1, 1]))
    emb.backward(np.ones((3, 2)))
    np.testing.assert_array_equal(emb.W.grad, [[0, 0], [3, 3], [0, 0]])  # 3 uses: 3, not 1
    model = nnlib.Sequential(nnlib.Embedding(5, 3, rng=1), nnlib.Tanh(), nnlib.Dense(3, 2, rng=2))
    idx = np.random.default_rng(3).integers(0, 5, 8)
    report = nnlib.check_gradients(model, nnlib.CrossEntropyLoss(), idx, idx % 2)
    assert set(report) == {"0.W", "2.W", "2.b"} and max(report.values()) < 1e-7, report


def test_embedding_repr_init_dtype_and_save_load(tmp_path):
    emb = nnlib.Embedding(50, 40, rng=7)
    assert repr(emb) == "Embedding(num_embeddings=50, embedding_dim=40)"
    assert emb.W.shape == (50, 40) and abs(emb.W.data.std() - 1.0) < 0.05  # N(0, 1), as PyTorch
    np.testing.assert_array_equal(nnlib.Embedding(50, 40, rng=7).W.data, emb.W.data)
    e32 = nnlib.Embedding(4, 3, rng=0, dtype=np.float32)
    assert e32(np.array([[0, 3]])).dtype == np.float32
    assert repr(e32) == "Embedding(num_embeddings=4, embedding_dim=3, dtype='float32')"
    model = nnlib.Sequential(nnlib.Embedding(6, 3, rng=1), nnlib.LSTM(3, 4, rng=2), nnlib.LastTimeStep(),
                             nnlib.Dense(4, 2, rng=3))
    nnlib.save(model, tmp_path / "m.npz")
    loaded = nnlib.load(tmp_path / "m.npz")
    assert repr(loaded) == repr(model)
    idx = np.random.default_rng(0).integers(0, 6, (3, 5))
    np.testing.assert_array_equal(loaded(idx), model(idx))


def test_the_output_is_not_a_view_of_w_and_x_is_not_kept_by_reference():
    emb = nnlib.Embedding(4, 2, rng=0)
    w = emb.W.data.copy()
    idx = np.array([0, 1, 2])
    out = emb(idx)
    out[...] = 0.0
    np.testing.assert_array_equal(emb.W.data, w)
    idx[...] = 3  # backward uses the indices of the forward, not the caller's array now
    emb.backward(np.ones((3, 2)))
    np.testing.assert_array_equal(emb.W.grad, [[1, 1], [1, 1], [1, 1], [0, 0]])


@pytest.mark.parametrize("x, exc, message", [
    (np.array([0.0, 1.0]), TypeError, "x must be an array of integer indices, got dtype float64"),
    (np.array([True, False]), TypeError, "x must be an array of integer indices, got dtype bool"),
    ("ab", TypeError, "x must be an array of numbers, got a string: 'ab'"),
    (np.array([0, 4]), ValueError, "x must hold indices in [0, 4) (num_embeddings=4), got values from 0 to 4"),
    (np.array([[-1, 2]]), ValueError, "x must hold indices in [0, 4) (num_embeddings=4), got values from -1 to 2"),
])
def test_bad_indices_are_named_and_change_nothing(x, exc, message):
    emb = nnlib.Embedding(4, 2, rng=0)
    emb(np.array([1, 2]))
    kept = emb._x
    # forward checks the dtype and the range too: inside a Sequential it is called directly
    for call in (emb, emb.forward) if isinstance(x, np.ndarray) else (emb,):
        with pytest.raises(exc) as info:
            call(x)
        assert str(info.value) == message
    assert emb._x is kept
    emb.backward(np.ones((2, 2)))
    np.testing.assert_array_equal(emb.W.grad, [[0, 0], [1, 1], [1, 1], [0, 0]])


@pytest.mark.parametrize("call, exc, message", [
    (lambda: nnlib.Embedding(0, 2), ValueError, "num_embeddings must be >= 1, got 0"),
    (lambda: nnlib.Embedding(3, 2.5), TypeError, "embedding_dim must be an int, got float 2.5"),
    (lambda: nnlib.Embedding(3, 2, dtype=np.int64), TypeError, "dtype must be float32 or float64, got int64"),
    (lambda: nnlib.Embedding(3, 2).backward(np.ones((1, 2))), RuntimeError, "Embedding.backward called before forward"),
])
def test_embedding_constructor_messages(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message


# -- CrossEntropyLoss over sequences -------------------------------------------------------------
def per_position_losses(scores, labels):
    """-ln softmax(scores)[label] at every position, the plain way (no log-sum-exp)."""
    p = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)
    return -np.log(np.take_along_axis(p, labels[..., None], axis=-1)[..., 0])


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 4), t=st.integers(1, 5), c=st.integers(2, 5), seed=seeds,
       ignore_index=st.sampled_from([-100, -1, 0]))
def test_sequence_cross_entropy_is_the_mean_over_the_unpadded_positions(n, t, c, seed, ignore_index):
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((n, t, c))
    labels = rng.integers(0, c, (n, t))
    if ignore_index >= 0:  # a real class used as padding: its positions drop out as well
        labels[labels == ignore_index] = 1
    lengths = rng.integers(1, t + 1, n)  # every sequence at least one real step
    padded = labels.copy()
    real = np.arange(t)[None, :] < lengths[:, None]
    padded[~real] = ignore_index
    loss_fn = nnlib.CrossEntropyLoss(ignore_index=ignore_index)
    loss = loss_fn(scores, padded)
    want = per_position_losses(scores, labels)[real].mean()
    np.testing.assert_allclose(loss, want, rtol=1e-12)
    # the gradient: finite differences of the loss, zero at every padded position
    dz = loss_fn.backward()
    assert dz.shape == scores.shape
    np.testing.assert_array_equal(dz[~real], 0.0)
    num = nnlib.numerical_gradient(lambda s: nnlib.CrossEntropyLoss(ignore_index=ignore_index)(s, padded), scores)
    assert nnlib.rel_error(dz, num) < 1e-7
    # "sum": the same terms, not divided
    summed = nnlib.CrossEntropyLoss(reduction="sum", ignore_index=ignore_index)
    np.testing.assert_allclose(summed(scores, padded), per_position_losses(scores, labels)[real].sum(), rtol=1e-12)
    np.testing.assert_allclose(summed.backward(), dz * real.sum(), rtol=1e-12, atol=1e-15)


def test_sequence_cross_entropy_without_padding_is_the_2d_loss_on_every_position():
    rng = np.random.default_rng(0)
    scores, labels = rng.standard_normal((3, 4, 5)), rng.integers(0, 5, (3, 4))
    seq, flat = nnlib.CrossEntropyLoss(), nnlib.CrossEntropyLoss()
    assert seq(scores, labels) == pytest.approx(flat(scores.reshape(12, 5), labels.reshape(12)), rel=1e-14)
    np.testing.assert_allclose(seq.backward(), flat.backward().reshape(3, 4, 5), rtol=1e-14)
    # and ignore_index on (N, C) rows works the same way
    rows = nnlib.CrossEntropyLoss(ignore_index=-1)
    y = labels.reshape(12).copy()
    y[::3] = -1
    keep = y != -1
    assert rows(scores.reshape(12, 5), y) == pytest.approx(flat(scores.reshape(12, 5)[keep], y[keep]), rel=1e-14)
    assert repr(rows) == "CrossEntropyLoss(reduction='mean', ignore_index=-1)"
    assert repr(seq) == "CrossEntropyLoss(reduction='mean')"


def test_a_character_model_trains_through_the_sequence_loss():
    """Embedding -> LSTM -> Dense on (N, T, V) scores, next-character labels with padding: the
    loss falls (the layers and the loss fit together in fit's loop)."""
    text = np.array([0, 1, 2, 3] * 10)
    x = np.stack([text[s:s + 8] for s in range(16)])
    y = np.stack([text[s + 1:s + 9] for s in range(16)])
    y[::2, 6:] = -100  # padding on half the rows
    model = nnlib.Sequential(nnlib.Embedding(4, 5, rng=1), nnlib.LSTM(5, 8, rng=2), nnlib.Dense(8, 4, rng=3))
    loss_fn = nnlib.CrossEntropyLoss(ignore_index=-100)
    opt = nnlib.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        model.zero_grad()
        losses.append(loss_fn(model(x), y))
        model.backward(loss_fn.backward(), input_grad=False)
        nnlib.clip_grad_norm(model.parameters(), 1.0)
        opt.step()
    assert losses[0] > 1.2 and losses[-1] < 0.1 * losses[0], losses[::5]


@pytest.mark.parametrize("call, exc, message", [
    (lambda: nnlib.CrossEntropyLoss(ignore_index=1.5), TypeError, "ignore_index must be an int or None, got float 1.5"),
    (lambda: nnlib.CrossEntropyLoss(ignore_index=True), TypeError, "ignore_index must be an int or None, got bool True"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((2, 3, 4)), np.zeros((2, 4), int)), ValueError,
     "target must have shape (2, 3) (pred's shape without the class axis), got (2, 4)"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((2, 3, 4)), np.zeros((2, 3))), TypeError,
     "target labels must be integers, got dtype float64"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((2, 3, 4)), np.full((2, 3), 4)), ValueError,
     "target labels must be in [0, 4), got values from 4 to 4"),
    (lambda: nnlib.CrossEntropyLoss(ignore_index=-1)(np.zeros((1, 2, 4)), np.array([[-1, 7]])), ValueError,
     "target labels must be in [0, 4) (or ignore_index=-1), got values from 7 to 7"),
    (lambda: nnlib.CrossEntropyLoss(ignore_index=-1)(np.zeros((1, 2, 4)), np.array([[-1, -1]])), ValueError,
     "every target label is ignore_index=-1: no position to compute a loss on"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((2, 3, 4)), "abc"), TypeError,
     "target must be integer labels, got a string: 'abc'"),
])
def test_sequence_loss_messages(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message


# -- clip_grad_norm ---------------------------------------------------------------------------------
def grads(model, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.grad[...] = scale * rng.standard_normal(p.shape)
    return [p.grad.copy() for p in model.parameters()]


def total_norm(gs):
    return np.sqrt(sum(np.sum(g * g) for g in gs))


def test_clip_grad_norm_caps_the_total_norm_and_keeps_the_direction():
    model = nnlib.mlp([3, 4, 2], rng=0)
    before = grads(model, scale=10.0)
    norm = nnlib.clip_grad_norm(model.parameters(), 1.0)
    assert isinstance(norm, float) and norm == pytest.approx(total_norm(before), rel=1e-12)
    after = [p.grad for p in model.parameters()]
    assert total_norm(after) == pytest.approx(1.0, rel=1e-5)
    for a, b in zip(after, before):  # every gradient scaled by the same factor
        np.testing.assert_allclose(a, b / (norm + 1e-6), rtol=1e-12)
    # below the cap nothing changes
    small = grads(model, seed=1, scale=0.01)
    assert nnlib.clip_grad_norm(model.parameters(), 5.0) == pytest.approx(total_norm(small), rel=1e-12)
    for p, g in zip(model.parameters(), small):
        np.testing.assert_array_equal(p.grad, g)


def test_clip_grad_norm_one_parameter_shared_twice_float32_and_nan():
    p = nnlib.Parameter(np.zeros(4, dtype=np.float32))
    p.grad[...] = [3.0, 4.0, 0.0, 0.0]
    assert nnlib.clip_grad_norm(p, 1.0) == pytest.approx(5.0)
    assert p.grad.dtype == np.float32 and np.linalg.norm(p.grad) == pytest.approx(1.0, rel=1e-5)
    p.grad[...] = [3.0, 4.0, 0.0, 0.0]
    assert nnlib.clip_grad_norm([p, p], 10.0) == pytest.approx(5.0)  # counted once, not sqrt(50)
    p.grad[...] = [np.nan, 1.0, 0.0, 0.0]
    assert np.isnan(nnlib.clip_grad_norm([p], 1.0))
    assert p.grad[1] == 1.0  # left as it was


@pytest.mark.parametrize("call, exc, message", [
    (lambda m: nnlib.clip_grad_norm(m, 1.0), TypeError,
     "params must be a list of Parameters (model.parameters()), got Sequential"),
    (lambda m: nnlib.clip_grad_norm([m.parameters()[0], "w"], 1.0), TypeError,
     "params[1] must be an nnlib Parameter, got str"),
    (lambda m: nnlib.clip_grad_norm(m.parameters(), 0.0), ValueError, "max_norm must be in (0.0, inf], got 0.0"),
    (lambda m: nnlib.clip_grad_norm(m.parameters(), "1"), TypeError, "max_norm must be a real number, got str '1'"),
])
def test_clip_grad_norm_messages_and_a_failed_call_changes_nothing(call, exc, message):
    model = nnlib.mlp([2, 3, 1], rng=0)
    before = grads(model, scale=100.0)
    with pytest.raises(exc) as info:
        call(model)
    assert str(info.value) == message
    for p, g in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.grad, g)
