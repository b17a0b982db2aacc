"""The Layer contract of issue 11: inputs each layer checks itself, backward(dout, input_grad) on
every layer, any input rank through fit / evaluate / check_gradients, a trial forward without side
effects, a layer used twice refused, buffers and state_dict, one derivative per activation."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlib
from layer_zoo import Flatten, Lookup, Recorder, RunningMean, Scale, Square

TOL = 1e-7


# -- inputs -----------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", [nnlib.Dense(2, 2, rng=0), nnlib.Tanh(), nnlib.ReLU(), Square(),
                                   nnlib.Sequential(nnlib.Dense(2, 2, rng=0), nnlib.Sigmoid()),
                                   nnlib.Flatten(), nnlib.Reshape(2)])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_calling_any_layer_refuses_nan_and_inf(layer, bad):
    x = np.ones((3, 2))
    x[1, 0] = bad
    with pytest.raises(ValueError, match="x contains NaN or inf"):
        layer(x)


def test_dense_takes_any_leading_axes_as_torch_linear():
    layer = nnlib.Dense(3, 4, rng=0)
    x = np.random.default_rng(1).standard_normal((5, 2, 3))
    z = layer(x)
    assert z.shape == (5, 2, 4)
    np.testing.assert_array_equal(z[:, 1], layer(x[:, 1]))  # each (N, in) slice as a batch
    with pytest.raises(ValueError, match=r"shape \(N, 3\) or \(N, \.\.\., 3\)"):
        layer(np.ones((5, 2, 2)))
    with pytest.raises(ValueError, match="at least 2-D"):
        layer(np.ones(3))


def test_dense_gradients_on_a_3d_input_are_the_sum_over_every_leading_index():
    rng = np.random.default_rng(0)
    layer = nnlib.Dense(3, 2, rng=1)
    x, dout = rng.standard_normal((4, 5, 3)), rng.standard_normal((4, 5, 2))
    layer(x)
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    np.testing.assert_allclose(layer.W.grad, np.einsum("nto,nti->oi", dout, x), rtol=1e-12)
    np.testing.assert_allclose(layer.b.grad, dout.sum(axis=(0, 1)), rtol=1e-12)


def test_an_index_layer_takes_integers_and_refuses_floats():
    emb = Lookup(5, 3, rng=0)
    assert emb(np.array([4, 0])).shape == (2, 3)
    with pytest.raises(TypeError, match="integer indices"):
        emb(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"\[0, 5\)"):
        emb(np.array([5]))
    with pytest.raises(ValueError, match="1-D"):
        emb(np.array([[1]]))


def test_fit_evaluate_and_check_gradients_take_integer_input():
    rng = np.random.default_rng(0)
    model = nnlib.Sequential(Lookup(6, 4, rng=1), nnlib.Tanh(), nnlib.Dense(4, 2, rng=2))
    idx, y = rng.integers(0, 6, size=40), rng.integers(0, 2, size=40)
    report = nnlib.check_gradients(model, nnlib.CrossEntropyLoss(), idx[:6], y[:6])
    assert set(report) == {"0.W", "2.W", "2.b"} and max(report.values()) < TOL  # no "input"
    y = idx % 2  # learnable: the parity of the index
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.5), idx, y,
                     epochs=30, batch_size=8, rng=0)
    loss, acc = nnlib.evaluate(model, nnlib.CrossEntropyLoss(), idx, y)
    assert acc == 1.0 and hist.train_loss[-1] < hist.train_loss[0] / 5
    with pytest.raises(TypeError, match="X must be an array of integer indices"):
        nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.5),
                  idx.astype(float), y, epochs=1, batch_size=8, rng=0)


def test_fit_and_evaluate_train_sequence_models_of_nnlibs_own_layers():
    """Embedding -> LSTM -> LastTimeStep -> Dense classifies integer sequences (the class is the
    first symbol's parity: the LSTM must carry it to the end); and with (N, T) labels, padding
    ignored, fit trains a per-position model and reports no accuracy."""
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 4, size=(64, 5))
    y = idx[:, 0] % 2
    model = nnlib.Sequential(nnlib.Embedding(4, 4, rng=1), nnlib.LSTM(4, 8, rng=2), nnlib.LastTimeStep(),
                             nnlib.Dense(8, 2, rng=3))
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.Adam(model.parameters(), lr=0.05), idx, y,
                     epochs=25, batch_size=16, rng=0, X_val=idx, y_val=y)
    assert hist.val_acc[-1] == 1.0 and hist.train_loss[-1] < hist.train_loss[0] / 5
    labels = idx.copy()  # per position: the symbol itself, the last two positions padding
    labels[:, 3:] = -100
    seq = nnlib.Sequential(nnlib.Embedding(4, 4, rng=1), nnlib.RNN(4, 8, rng=2), nnlib.Dense(8, 4, rng=3))
    loss = nnlib.CrossEntropyLoss(ignore_index=-100)
    hist = nnlib.fit(seq, loss, nnlib.Adam(seq.parameters(), lr=0.05), idx, labels, epochs=10, batch_size=16,
                     rng=0, X_val=idx, y_val=labels)
    assert hist.train_acc == [] and hist.val_acc == [] and hist.val_loss[-1] < hist.val_loss[0] / 5
    assert nnlib.evaluate(seq, loss, idx, labels)[1] is None
    bad = labels.copy()
    bad[0, 0] = 4
    with pytest.raises(ValueError, match=r"target labels must be in \[0, 4\) \(or ignore_index=-100\)"):
        nnlib.fit(seq, loss, nnlib.SGD(seq.parameters(), lr=0.1), idx, bad, epochs=1, batch_size=16, rng=0)


def test_fit_evaluate_and_check_gradients_take_a_3d_input():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2, 3))  # (N, T, D): two steps of three features
    y = (X[:, 0, 0] * X[:, 1, 1] > 0).astype(int)
    model = nnlib.Sequential(nnlib.Dense(3, 8, rng=1), nnlib.Tanh(), Flatten(), nnlib.Dense(16, 2, rng=2))
    report = nnlib.check_gradients(model, nnlib.CrossEntropyLoss(), X[:5], y[:5])
    assert max(report.values()) < TOL and "input" in report
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.3, momentum=0.9),
                     X, y, epochs=60, batch_size=10, rng=0, X_val=X, y_val=y)
    assert hist.val_acc[-1] >= 0.9
    assert nnlib.evaluate(model, nnlib.CrossEntropyLoss(), X, y)[1] == hist.val_acc[-1]


# -- backward(dout, input_grad) ---------------------------------------------------------------
@pytest.mark.parametrize("layer", [nnlib.Dense(3, 3, rng=0), *[cls() for cls in nnlib.ACTIVATIONS.values()],
                                   nnlib.mlp([3, 4, 3], "tanh", rng=0), Scale(), Square(),
                                   nnlib.Flatten(), nnlib.Reshape(3)])
def test_every_layer_takes_input_grad(layer):
    x = np.random.default_rng(0).standard_normal((4, 3))
    layer(x)
    full = layer.backward(np.ones((4, 3)))
    layer(x)
    skipped = layer.backward(np.ones((4, 3)), input_grad=False)
    assert skipped is None or np.array_equal(skipped, full)


def test_fit_asks_any_first_layer_to_skip_dx_without_special_cases():
    class Flagged(Scale):
        def backward(self, dout, input_grad=True):
            flags.append(input_grad)
            dx = super().backward(dout)
            return dx if input_grad else None

    flags = []
    X, y = np.ones((6, 2)), np.zeros((6, 2))
    for model in (Flagged(), nnlib.Sequential(Flagged(), nnlib.Tanh())):
        nnlib.fit(model, nnlib.MSELoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y, epochs=1, batch_size=3, rng=0)
    assert flags == [False] * 4


def test_a_student_layer_works_in_sequential_fit_and_check_gradients():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(30, 2))
    y = nnlib.Sequential(nnlib.Dense(2, 1, rng=7), Square(), Scale(1.5))(X)  # a teacher of the same form
    model = nnlib.Sequential(nnlib.Dense(2, 1, rng=1), Square(), Scale(1.0))
    assert [name for name, _ in model.named_parameters()] == ["0.W", "0.b", "2.a"]
    report = nnlib.check_gradients(model, nnlib.MSELoss(), X[:4], y[:4])
    assert max(report.values()) < TOL
    first = nnlib.Sequential(Scale(3.0), nnlib.Dense(2, 1, rng=0))  # a student layer first
    first(X)
    assert first.backward(np.ones((30, 1)), input_grad=False).shape == (30, 2)
    hist = nnlib.fit(model, nnlib.MSELoss(), nnlib.SGD(model.parameters(), lr=0.2, momentum=0.9), X, y,
                     epochs=200, batch_size=10, rng=0)
    assert hist.train_loss[-1] < 1e-10 < hist.train_loss[0]


def test_a_layer_whose_backward_is_broken_is_caught_by_check_gradients():
    class WrongScale(Scale):
        def backward(self, dout):
            self.a.grad += np.sum(dout * self.x)
            return dout  # forgot the factor a

    model = nnlib.Sequential(nnlib.Dense(2, 2, rng=0), WrongScale(3.0))
    rng = np.random.default_rng(1)
    report = nnlib.check_gradients(model, nnlib.MSELoss(), rng.standard_normal((4, 2)), rng.standard_normal((4, 2)))
    assert report["0.W"] > 0.1 and report["1.a"] < TOL


def test_a_layer_holding_layers_as_attributes_is_a_container():
    class Residual(nnlib.Layer):
        """x + f(x): the inner layer is an attribute, so its parameters and mode are found."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return x + self.inner.forward(x)

        def backward(self, dout, input_grad=True):
            return dout + self.inner.backward(dout)

    model = nnlib.Sequential(Residual(nnlib.Dense(3, 3, rng=0)), nnlib.Tanh())
    assert [n for n, _ in model.named_parameters()] == ["0.inner.W", "0.inner.b"]
    model.eval()
    assert not model[0].inner.training
    rng = np.random.default_rng(1)
    report = nnlib.check_gradients(model, nnlib.MSELoss(), rng.standard_normal((4, 3)), rng.standard_normal((4, 3)))
    assert max(report.values()) < TOL


# -- a layer used twice ---------------------------------------------------------------------------
def test_a_layer_used_twice_is_refused_everywhere():
    d = nnlib.Dense(3, 3, rng=0)
    with pytest.raises(ValueError, match="layer 2 .*same instance as layer 0"):
        nnlib.Sequential(d, nnlib.Tanh(), d)
    inner = nnlib.Sequential(d, nnlib.Tanh())
    with pytest.raises(ValueError, match=r"layer 1\.0 .*same instance as layer 0"):
        nnlib.Sequential(d, inner)
    model = nnlib.Sequential(d, nnlib.Tanh())
    model.layers.append(d)  # behind the constructor's back
    X, y = np.ones((4, 3)), np.zeros((4, 3))
    before = d.W.data.copy()
    with pytest.raises(ValueError, match="same instance"):
        nnlib.fit(model, nnlib.MSELoss(), nnlib.SGD([d.W, d.b], lr=0.1), X, y, epochs=1, batch_size=2, rng=0)
    with pytest.raises(ValueError, match="same instance"):
        nnlib.check_gradients(model, nnlib.MSELoss(), X, y)
    np.testing.assert_array_equal(d.W.data, before)


def test_two_layers_sharing_a_parameter_get_the_summed_gradient():
    """What to do instead of using a layer twice: two instances, one shared Parameter."""
    a, b = nnlib.Dense(3, 3, rng=0), nnlib.Dense(3, 3, rng=1)
    b.W = b._params["W"] = a.W
    model = nnlib.Sequential(a, nnlib.Tanh(), b)
    assert [n for n, _ in model.named_parameters()] == ["0.W", "0.b", "2.b"]
    rng = np.random.default_rng(2)
    report = nnlib.check_gradients(model, nnlib.MSELoss(), rng.standard_normal((5, 3)), rng.standard_normal((5, 3)))
    assert max(report.values()) < TOL


# -- fit's trial forward, modes ------------------------------------------------------------------
def test_fit_checks_with_a_trial_forward_in_eval_mode_and_trains_in_train_mode():
    rec = Recorder()
    model = nnlib.Sequential(nnlib.Dense(2, 2, rng=0), rec)
    model.eval()
    X, y = np.random.default_rng(0).standard_normal((10, 2)), np.arange(10) % 2
    nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
              epochs=2, batch_size=4, rng=0, X_val=X, y_val=y)
    # trial forwards for X and X_val (eval), then 3 batches (train) and a validation pass (eval) per epoch
    assert rec.modes == [False, False] + ([True] * 3 + [False]) * 2
    assert model.training and rec.training


def test_fit_trial_forward_leaves_the_buffers_alone():
    rm = RunningMean(2)
    model = nnlib.Sequential(rm, nnlib.Dense(2, 2, rng=0))
    X = np.random.default_rng(0).standard_normal((8, 2)) + 3.0
    y = np.arange(8) % 2
    nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
              epochs=1, batch_size=8, rng=0)
    # one training batch of all 8 samples: the running mean moved once, from 0 halfway to the mean
    np.testing.assert_allclose(rm._buffers["running_mean"], 0.5 * X.mean(axis=0), rtol=1e-12)


def test_evaluate_puts_every_layers_mode_back():
    model = nnlib.Sequential(nnlib.Dense(2, 2, rng=0), Recorder())
    X, y = np.ones((3, 2)), np.array([0, 1, 0])
    nnlib.evaluate(model, nnlib.CrossEntropyLoss(), X, y)
    assert model.training and model[0].training and model[1].training
    assert model[1].modes == [False]
    model[0].eval()  # a mixed model stays mixed
    nnlib.evaluate(model, nnlib.CrossEntropyLoss(), X, y)
    assert model.training and not model[0].training and model[1].training
    model.eval()
    nnlib.evaluate(model, nnlib.CrossEntropyLoss(), X, y)
    assert not model.training and not model[1].training


# -- buffers and state -------------------------------------------------------------------------
def test_buffers_are_state_but_not_parameters():
    model = nnlib.Sequential(nnlib.Dense(2, 2, rng=0), RunningMean(2))
    assert [n for n, _ in model.named_buffers()] == ["1.running_mean"]
    assert len(model.parameters()) == 2  # the buffer is not given to an optimiser
    state = model.state_dict()
    assert list(state) == ["0.W", "0.b", "1.running_mean"]
    state["0.W"][0, 0] = 99.0  # a copy: changing it changes nothing
    assert model[0].W.data[0, 0] != 99.0
    other = nnlib.Sequential(nnlib.Dense(2, 2, rng=5), RunningMean(2))
    other[1]._buffers["running_mean"][:] = [1.0, 2.0]
    model.load_state_dict(other.state_dict())
    np.testing.assert_array_equal(model[0].W.data, other[0].W.data)
    np.testing.assert_array_equal(model[1]._buffers["running_mean"], [1.0, 2.0])
    with pytest.raises(ValueError, match="already a parameter"):
        model[0].register_buffer("W", np.zeros(2))


@pytest.mark.parametrize("spoil, exc, words", [
    (lambda s: s.pop("0.b"), ValueError, "the model needs"),
    (lambda s: s.update({"0.W": np.zeros((3, 2))}), ValueError, "has shape (3, 2)"),
    (lambda s: s.update({"0.W": np.zeros((2, 2), np.float32)}), TypeError, "float64"),
    (lambda s: s.update({"0.W": np.full((2, 2), np.nan)}), ValueError, "NaN"),
    (lambda s: s.update({"1.running_mean": np.array([np.inf, 0.0])}), ValueError, "NaN or inf"),
])
def test_load_state_dict_checks_everything_before_changing_anything(spoil, exc, words):
    model = nnlib.Sequential(nnlib.Dense(2, 2, rng=0), RunningMean(2))
    before = model.state_dict()
    state = nnlib.Sequential(nnlib.Dense(2, 2, rng=1), RunningMean(2)).state_dict()
    spoil(state)
    with pytest.raises(exc) as info:
        model.load_state_dict(state)
    assert words in str(info.value)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


# -- one derivative per activation -----------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(nnlib.ACTIVATIONS))
def test_each_activation_has_one_derivative_for_training_plots_and_exercises(name, monkeypatch):
    cls = nnlib.ACTIVATIONS[name]
    z = np.linspace(-3, 3, 13)[None, :]
    monkeypatch.setattr(cls, "grad", lambda self, dout, z, h: dout * 7.0)  # a planted bug
    layer = cls()
    layer(z)
    assert np.all(layer.backward(np.ones_like(z)) == 7.0)  # training
    assert np.all(layer.dphi(z) == 7.0)                    # plots and exercises
    assert np.all(getattr(nnlib, name + "_prime")(z) == 7.0)  # the functions


@given(name=st.sampled_from(sorted(nnlib.ACTIVATIONS)), seed=st.integers(0, 2**32 - 1))
def test_backward_is_dout_times_dphi(name, seed):
    rng = np.random.default_rng(seed)
    z, dout = rng.uniform(-5, 5, size=(4, 3)), rng.standard_normal((4, 3))
    layer = nnlib.get_activation(name)
    layer(z)
    np.testing.assert_allclose(layer.backward(dout), dout * layer.dphi(z), rtol=1e-15, atol=0)


def test_an_activation_written_with_dphi_only_still_trains():
    class Softplus(nnlib.Activation):
        def phi(self, z):
            return np.logaddexp(0.0, z)

        def dphi(self, z):
            return nnlib.sigmoid(z)

    layer = Softplus()
    z = np.linspace(-2, 2, 5)[None, :]
    layer(z)
    np.testing.assert_allclose(layer.backward(2 * np.ones_like(z)), 2 * nnlib.sigmoid(z))

    class Nothing(nnlib.Activation):
        def phi(self, z):
            return z

    with pytest.raises(NotImplementedError, match="grad"):
        Nothing().dphi(z)
