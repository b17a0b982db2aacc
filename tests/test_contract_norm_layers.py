"""Dropout, BatchNorm1d, BatchNorm2d, SpectralNorm, RNN, LSTM and LastTimeStep under the engine's Layer contract (issue 11):
checked input, backward(dout, input_grad), errors before forward and on a wrong dout, modes
reaching inner layers, fit's trial forward without side effects, save/load with buffers exact."""
import numpy as np
import pytest

import nnlib

# name: (a fresh layer, always the same, and an input it takes)
LAYERS = {
    "Dropout": (lambda: nnlib.Dropout(0.3, rng=0), (4, 3)),
    "BatchNorm1d": (lambda: nnlib.BatchNorm1d(3), (4, 3)),
    "BatchNorm1d no affine": (lambda: nnlib.BatchNorm1d(3, affine=False), (4, 3)),
    "BatchNorm2d": (lambda: nnlib.BatchNorm2d(3, eps=1e-3, momentum=0.5), (2, 3, 2, 2)),
    "SpectralNorm": (lambda: nnlib.SpectralNorm(nnlib.Dense(3, 3, rng=1), n_power_iterations=2, rng=0), (4, 3)),
    "RNN": (lambda: nnlib.RNN(3, 4, rng=0), (2, 5, 3)),
    "RNN relu no bias": (lambda: nnlib.RNN(3, 2, nonlinearity="relu", bias=False, rng=0), (2, 5, 3)),
    "LSTM": (lambda: nnlib.LSTM(3, 4, rng=0), (2, 5, 3)),
    "LSTM float32": (lambda: nnlib.LSTM(3, 4, rng=0, dtype=np.float32), (2, 5, 3)),
    "LastTimeStep": (lambda: nnlib.LastTimeStep(), (2, 5, 3)),
}


def data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


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
    x = data(shape)
    dout = data(full(x).shape, seed=1)
    dx = full.backward(dout)
    skipped(x)
    dx_skipped = skipped.backward(dout, input_grad=False)
    assert dx.shape == x.shape and (dx_skipped is None or np.array_equal(dx_skipped, dx))
    for (n1, p1), (n2, p2) in zip(full.named_parameters(), skipped.named_parameters()):
        assert n1 == n2
        np.testing.assert_array_equal(p1.grad, p2.grad)


@pytest.mark.parametrize("name", LAYERS)
def test_backward_before_forward_and_a_wrong_dout_raise(name):
    make, shape = LAYERS[name]
    layer = make()
    with pytest.raises(RuntimeError, match=r"\.backward called before forward"):
        layer.backward(np.ones(shape))
    layer(data(shape))
    wrong = (shape[0] + 1,) + shape[1:]
    with pytest.raises(ValueError, match=r"dout must have the output's shape"):
        layer.backward(np.ones(wrong))


@pytest.mark.parametrize("name", LAYERS)
def test_round_trip_through_save_and_load_is_exact_with_buffers(name, tmp_path):
    make, shape = LAYERS[name]
    model = nnlib.Sequential(make(), nnlib.Tanh())
    rng = np.random.default_rng(5)
    for p in model.parameters():
        p.data += rng.standard_normal(p.data.shape)
    for seed in range(3):  # moves the running statistics and u away from their start
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
    x = data(shape, 9)
    np.testing.assert_array_equal(loaded(x), model(x))


def test_buffers_are_named_and_saved():
    model = nnlib.Sequential(nnlib.SpectralNorm(nnlib.Dense(2, 3, rng=0), rng=0), nnlib.BatchNorm1d(3),
                             nnlib.Dropout(0.1, rng=0))
    assert [n for n, _ in model.named_buffers()] == ["0.u", "1.running_mean", "1.running_var"]
    assert [n for n, _ in model.named_parameters()] == ["0.layer.W", "0.layer.b", "1.gamma", "1.beta"]
    assert list(model.state_dict()) == ["0.layer.W", "0.layer.b", "1.gamma", "1.beta",
                                        "0.u", "1.running_mean", "1.running_var"]


def test_modes_reach_the_layer_inside_spectral_norm():
    model = nnlib.Sequential(nnlib.SpectralNorm(nnlib.Dense(2, 2, rng=0), rng=0))
    model.eval()
    assert not model[0].training and not model[0].layer.training
    model.train()
    assert model[0].layer.training


def test_fit_trial_forward_and_evaluate_leave_the_buffers_alone():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 2)) + 3.0, np.arange(8) % 2
    sn = nnlib.SpectralNorm(nnlib.Dense(2, 2, rng=1), rng=2)
    u0 = sn._buffers["u"].copy()
    W0 = sn.layer.W.data.copy()
    bn = nnlib.BatchNorm1d(2, momentum=0.5)
    model = nnlib.Sequential(bn, sn)
    nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
              epochs=1, batch_size=8, rng=0)
    # one training batch of all 8 samples: each buffer moved exactly once
    np.testing.assert_allclose(bn._buffers["running_mean"], 0.5 * X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn._buffers["running_var"], 0.5 + 0.5 * X.var(axis=0, ddof=1), rtol=1e-12)
    v = W0.T @ u0 / np.linalg.norm(W0.T @ u0)
    np.testing.assert_allclose(sn._buffers["u"], W0 @ v / np.linalg.norm(W0 @ v), rtol=1e-12)
    state = model.state_dict()
    nnlib.evaluate(model, nnlib.CrossEntropyLoss(), X, y)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, state[key])
    assert model.training and bn.training and sn.training


def test_a_spectral_norm_layer_saved_alone_and_its_u_is_refused_if_forged(tmp_path):
    sn = nnlib.SpectralNorm(nnlib.Dense(3, 2, rng=0), rng=0)
    path = tmp_path / "sn.npz"
    nnlib.save(sn, path)
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["buffer:u"] = np.zeros(3)
    np.savez(tmp_path / "forged.npz", **arrays)
    with pytest.raises(ValueError, match=r"buffer:u has shape \(3,\)"):
        nnlib.load(tmp_path / "forged.npz")
