"""nnlib.seq2seq: the sequence tasks, the encoder-decoder's gradients across the hand-over
(every parameter against finite differences), teacher forcing, greedy decoding, training, and
named bad input."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib.seq2seq import Seq2Seq, position_accuracy, sequence_task, train_seq2seq


@pytest.mark.parametrize("task", ["reverse", "sort"])
def test_sequence_task_targets(task):
    src, target = sequence_task(50, 6, task=task, vocab=7, rng=3)
    assert src.shape == target.shape == (50, 6)
    assert src.min() >= 0 and src.max() < 7 and src.dtype.kind == "i"
    for s, t in zip(src, target):
        want = list(reversed(s)) if task == "reverse" else sorted(s)
        assert list(t) == want
    again, _ = sequence_task(50, 6, task=task, vocab=7, rng=3)
    assert np.array_equal(src, again)
    other, _ = sequence_task(50, 6, task=task, vocab=7, rng=4)
    assert not np.array_equal(src, other)


@pytest.mark.parametrize("kwargs, word", [({"n": 0}, "n"), ({"length": 0}, "length"), ({"vocab": 1}, "vocab"),
                                          ({"task": "copy"}, "task"), ({"n": 2.5}, "n")])
def test_sequence_task_bad_input_is_named(kwargs, word):
    args = {"n": 5, "length": 3, "task": "reverse", "vocab": 10, "rng": 0, **kwargs}
    with pytest.raises((ValueError, TypeError), match=word):
        sequence_task(**args)


def test_position_accuracy():
    target = np.array([[1, 2, 3], [4, 5, 6]])
    pred = np.array([[1, 0, 3], [4, 5, 0]])
    assert np.allclose(position_accuracy(pred, target), [1.0, 0.5, 0.5])
    with pytest.raises(ValueError, match="same shape"):
        position_accuracy(pred[:, :2], target)
    with pytest.raises(TypeError, match="pred"):
        position_accuracy(pred.astype(float), target)


def test_decoder_inputs_are_the_target_shifted_right_after_the_start_token():
    model = Seq2Seq(vocab=5, embed_dim=3, hidden_size=4, rng=0)
    target = np.array([[1, 2, 3], [4, 0, 2]])
    assert model.decoder_inputs(target).tolist() == [[5, 1, 2], [5, 4, 0]]


def seq2seq_errors(model, src, target, dlogits=None):
    """{parameter name: relative error} of backward against finite differences of the loss
    (or of sum(dlogits * logits) when dlogits is given)."""
    if dlogits is None:
        def loss(_):
            return model.loss(src, target)
    else:
        def loss(_):
            return float(np.sum(dlogits * model.forward(src, target)))
    model.zero_grad()
    loss(None)
    model.backward(dlogits)
    return {name: nnlib.rel_error(p.grad, nnlib.numerical_gradient(loss, p.data))
            for name, p in model.named_parameters()}


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_gradients_across_the_pair_match_finite_differences(n, t_in, t_out, seed):
    rng = np.random.default_rng(seed)
    model = Seq2Seq(vocab=4, embed_dim=3, hidden_size=3, rng=rng)
    for p in model.parameters():  # nonzero biases: every gate term matters
        p.data += 0.3 * rng.standard_normal(p.shape)
    src = rng.integers(0, 4, (n, t_in))
    target = rng.integers(0, 4, (n, t_out))
    errors = seq2seq_errors(model, src, target)
    assert {"encoder.Wx", "encoder.Wh", "src_embed.W", "decoder.Wh", "out.W"} <= set(errors)
    assert max(errors.values()) < 1e-7, errors
    dlogits = rng.standard_normal((n, t_out, 4))
    errors = seq2seq_errors(model, src, target, dlogits)
    assert max(errors.values()) < 1e-7, errors


def test_without_the_hand_over_the_encoder_would_learn_nothing():
    """The encoder's gradient arrives only through decoder.dh0 and dc0: backward gives the
    encoder exactly what a backward fed with those two arrays gives, and they are not zero."""
    rng = np.random.default_rng(1)
    model = Seq2Seq(vocab=6, embed_dim=4, hidden_size=5, rng=rng)
    src, target = sequence_task(7, 4, vocab=6, rng=rng)
    model.zero_grad()
    model.loss(src, target)
    model.backward()
    got = model.encoder.Wh.grad.copy()
    assert np.abs(model.decoder.dh0).sum() > 0 and np.abs(model.decoder.dc0).sum() > 0
    model.encoder.zero_grad()
    model.encoder.backward(None, dh_n=model.decoder.dh0, dc_n=model.decoder.dc0)
    assert np.allclose(model.encoder.Wh.grad, got)
    model.encoder.zero_grad()
    model.encoder.backward(None, dh_n=model.decoder.dh0)  # the cell state's half left out
    assert not np.allclose(model.encoder.Wh.grad, got)


def test_greedy_decode_feeds_back_its_own_guesses():
    """Teacher-forcing the greedy output reproduces it: each step's argmax, given the previous
    guesses as inputs, is the next guess."""
    rng = np.random.default_rng(2)
    model = Seq2Seq(vocab=5, embed_dim=4, hidden_size=6, rng=rng)
    src, _ = sequence_task(20, 4, vocab=5, rng=rng)
    pred = model.greedy_decode(src, length=6)
    assert pred.shape == (20, 6) and pred.min() >= 0 and pred.max() < 5
    assert np.array_equal(model.forward(src, pred).argmax(axis=-1), pred)
    assert model.greedy_decode(src).shape == (20, 4)


def test_training_learns_to_reverse_short_sequences():
    src, target = sequence_task(600, 3, vocab=5, rng=0)
    test_src, test_target = sequence_task(200, 3, vocab=5, rng=1)
    model = Seq2Seq(vocab=5, embed_dim=6, hidden_size=24, rng=0)
    before = position_accuracy(model.greedy_decode(test_src), test_target).mean()
    losses = train_seq2seq(model, nnlib.Adam(model.parameters(), lr=0.01), src, target,
                           epochs=12, batch_size=32, rng=0, max_norm=5.0)
    assert len(losses) == 12 and losses[-1] < 0.3 * losses[0]
    after = position_accuracy(model.greedy_decode(test_src), test_target)
    assert after.min() > 0.9 and before < 0.5


def test_float32_model_runs_in_float32():
    model = Seq2Seq(vocab=4, embed_dim=2, hidden_size=3, rng=0, dtype=np.float32)
    src, target = sequence_task(3, 2, vocab=4, rng=0)
    assert model.forward(src, target).dtype == np.float32
    assert all(p.data.dtype == np.float32 for p in model.parameters())
    assert model.config()["dtype"] == "float32"


@pytest.mark.parametrize("src, target, error, word", [
    (np.array([[0, 4]]), np.array([[1, 2]]), ValueError, "src"),
    (np.array([[0, 1]]), np.array([[-1, 2]]), ValueError, "target"),
    (np.array([[0.0, 1.0]]), np.array([[1, 2]]), TypeError, "src"),
    (np.array([0, 1]), np.array([[1, 2]]), ValueError, "src"),
    (np.array([[0, 1], [1, 2]]), np.array([[1, 2]]), ValueError, "same number of sequences"),
    (np.zeros((1, 0), dtype=int), np.array([[1, 2]]), ValueError, "src"),
])
def test_bad_sequences_are_named_and_change_nothing(src, target, error, word):
    model = Seq2Seq(vocab=4, embed_dim=2, hidden_size=3, rng=0)
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(error, match=word):
        model.loss(src, target)
    assert all(np.array_equal(b, p.data) for b, p in zip(before, model.parameters()))


def test_backward_before_forward_and_bad_constructor_arguments():
    with pytest.raises(RuntimeError, match="before forward"):
        Seq2Seq(vocab=4, rng=0).backward()
    with pytest.raises(ValueError, match="vocab"):
        Seq2Seq(vocab=1)
    with pytest.raises(ValueError, match="hidden_size"):
        Seq2Seq(hidden_size=0)
    with pytest.raises(TypeError, match="dtype"):
        Seq2Seq(dtype=np.int32)
    with pytest.raises(TypeError, match="model"):
        train_seq2seq(object(), None, [[1]], [[1]], epochs=1, batch_size=1, rng=0)


def test_save_and_load_give_the_same_model(tmp_path):
    model = Seq2Seq(vocab=6, embed_dim=3, hidden_size=4, rng=5, dtype=np.float32)
    src, target = sequence_task(5, 3, vocab=6, rng=6)
    nnlib.save(model, tmp_path / "s2s.npz")
    again = nnlib.load(tmp_path / "s2s.npz")
    assert type(again) is Seq2Seq and again.config() == model.config()
    assert np.array_equal(again.forward(src, target), model.forward(src, target))
    assert np.array_equal(again.greedy_decode(src), model.greedy_decode(src))
