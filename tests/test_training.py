"""fit: deterministic, and it really learns (XOR, moons, digits), all seeded."""
import numpy as np
import pytest

import nnlib


def mlp(sizes, act, rng, init="lecun"):
    return nnlib.mlp(sizes, act, rng=rng, init=init)


def train_moons(seed_data=0, seed_model=1):
    X, y = nnlib.moons(600, noise=0.15, rng=seed_data)
    Xtr, Xte, ytr, yte = nnlib.train_test_split(X, y, test_size=0.3, rng=seed_data)
    model = mlp([2, 16, 16, 2], "tanh", np.random.default_rng(seed_model))
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1, momentum=0.9),
                     Xtr, ytr, epochs=60, batch_size=16, rng=seed_model, X_val=Xte, y_val=yte)
    return model, hist


def test_same_rng_gives_a_bit_identical_history():
    _, h1 = train_moons()
    _, h2 = train_moons()
    assert h1 == h2  # dataclass equality: every float compared exactly
    assert np.array_equal(h1.train_loss, h2.train_loss) and len(h1.train_loss) == 60


def test_another_seed_gives_another_history():
    _, h1 = train_moons(seed_model=1)
    _, h2 = train_moons(seed_model=2)
    assert h1.train_loss != h2.train_loss


def test_xor_2_4_1_reaches_100_percent():
    X, y = nnlib.xor()
    model = mlp([2, 4, 1], "sigmoid", np.random.default_rng(0))
    model.layers.append(nnlib.Sigmoid())  # the notes' style: a sigmoid output and MSE
    nnlib.fit(model, nnlib.MSELoss(), nnlib.SGD(model.parameters(), lr=2.0, momentum=0.9), X, y[:, None],
              epochs=1000, batch_size=4, rng=0)
    pred = (model(X)[:, 0] > 0.5).astype(int)
    assert np.array_equal(pred, y)


def test_moons_at_least_97_percent_held_out():
    _, hist = train_moons()
    assert hist.val_acc[-1] >= 0.97, hist.val_acc[-1]
    assert hist.train_loss[-1] < hist.train_loss[0] / 3


def test_digits_64_64_10_at_least_95_percent_held_out_within_30_epochs():
    X, y = nnlib.digits()
    Xtr, Xte, ytr, yte = nnlib.train_test_split(X, y, test_size=0.25, rng=0)
    model = mlp([64, 64, 10], "relu", np.random.default_rng(0), init="he")
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.05, momentum=0.9),
                     Xtr, ytr, epochs=30, batch_size=32, rng=0, X_val=Xte, y_val=yte)
    assert hist.epochs == 30
    loss, acc = nnlib.evaluate(model, nnlib.CrossEntropyLoss(), Xte, yte)
    assert acc == hist.val_acc[-1] and acc >= 0.95, acc


def test_regression_history_has_no_accuracy_and_loss_falls():
    X, y = nnlib.sine(200, rng=0)
    model = mlp([1, 16, 1], "tanh", np.random.default_rng(0))
    hist = nnlib.fit(model, nnlib.MSELoss(), nnlib.SGD(model.parameters(), lr=0.05, momentum=0.9), X, y,
                     epochs=100, batch_size=16, rng=0, X_val=X, y_val=y)
    assert hist.train_acc == [] and hist.val_acc == []
    assert hist.val_loss[-1] < 0.05 < hist.val_loss[0]


def test_callback_sees_every_epoch_and_can_stop_training():
    X, y = nnlib.xor()
    model = mlp([2, 4, 2], "tanh", np.random.default_rng(0))
    seen = []

    def callback(epoch, history):
        seen.append((epoch, history.epochs))
        return epoch < 5

    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
                     epochs=50, batch_size=2, rng=0, callback=callback)
    assert seen == [(k, k) for k in range(1, 6)] and hist.epochs == 5


def test_fit_prints_nothing(capsys):
    X, y = nnlib.xor()
    model = mlp([2, 3, 2], "tanh", np.random.default_rng(0))
    nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
              epochs=3, batch_size=2, rng=0)
    assert capsys.readouterr() == ("", "")


def test_minibatches_cover_every_sample_once():
    batches = list(nnlib.minibatches(10, 4, rng=0))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(range(10))
    assert list(np.concatenate(batches)) != list(range(10))  # once each, but shuffled


def test_minibatches_are_shuffled_by_rng():
    """In the order of one permutation drawn from rng: not 0, 1, 2, ..., and another each epoch."""
    order = np.concatenate(list(nnlib.minibatches(50, 8, rng=0)))
    np.testing.assert_array_equal(order, np.random.default_rng(0).permutation(50))
    assert not np.array_equal(order, np.arange(50))
    rng = np.random.default_rng(3)
    first, second = (np.concatenate(list(nnlib.minibatches(50, 8, rng))) for _ in range(2))
    assert not np.array_equal(first, second)  # one generator, two epochs: two orders


def test_train_acc_counts_the_right_answers_before_each_update():
    """One batch of all samples, one epoch: train_acc is the accuracy of the initial model."""
    X, y = nnlib.moons(40, noise=0.3, rng=0)
    model = mlp([2, 3, 2], "tanh", np.random.default_rng(4))
    before = nnlib.accuracy(model(X), y)
    assert 0 < before < 1
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
                     epochs=1, batch_size=40, rng=0)
    assert hist.train_acc == [before]
    loss_before = nnlib.CrossEntropyLoss()(mlp([2, 3, 2], "tanh", np.random.default_rng(4))(X), y)
    assert hist.train_loss == [loss_before]


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_train_loss_is_per_sample_for_both_reductions(reduction):
    X, y = nnlib.sine(12, rng=0)
    model = mlp([1, 3, 1], "tanh", np.random.default_rng(0))
    start = nnlib.MSELoss()(model(X), y)
    hist = nnlib.fit(model, nnlib.MSELoss(reduction=reduction), nnlib.SGD(model.parameters(), lr=1e-12),
                     X, y, epochs=1, batch_size=5, rng=0)
    assert hist.train_loss[0] == pytest.approx(start, rel=1e-9)


def test_an_infinite_loss_stops_training_before_any_step():
    """The loss overflows to inf (not NaN): fit stops at once and leaves the weights alone."""
    model = nnlib.Dense(1, 1, rng=0)
    model.W.data[:] = 1e200
    before = model.W.data.copy()
    X, y = np.ones((4, 1)), np.zeros((4, 1))
    with np.errstate(over="ignore"):
        assert nnlib.MSELoss()(model(X), y) == np.inf
    hist = nnlib.fit(model, nnlib.MSELoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
                     epochs=3, batch_size=2, rng=0)
    assert hist.diverged and hist.epochs == 0 and hist.train_loss == []
    np.testing.assert_array_equal(model.W.data, before)


def test_fit_trains_in_train_mode_whatever_mode_the_model_was_in():
    X, y = nnlib.xor()
    for start_in_eval in (False, True):
        model = mlp([2, 3, 2], "tanh", np.random.default_rng(0))
        if start_in_eval:
            model.eval()
        seen = []
        forward = model.forward

        def spy(x, forward=forward, model=model):
            seen.append(model[1].training)
            return forward(x)

        model.forward = spy
        nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
                  epochs=2, batch_size=2, rng=0)
        assert seen == [False] + [True] * 4  # the trial forward in eval mode, then 2 x 2 batches
        assert model.training


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_step_matches_the_update_rule(momentum):
    p = nnlib.Parameter(np.array([1.0, -2.0]))
    opt = nnlib.SGD([p], lr=0.1, momentum=momentum)
    p.grad[:] = [0.5, 1.0]
    opt.step()
    np.testing.assert_allclose(p.data, [0.95, -2.1])
    opt.step()  # the same gradient again: momentum adds 0.9 of the last step
    expected = [0.90, -2.2] if momentum == 0 else [0.95 - 0.05 * 1.9, -2.1 - 0.1 * 1.9]
    np.testing.assert_allclose(p.data, expected)
