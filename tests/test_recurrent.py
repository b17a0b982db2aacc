"""RNN and LSTM: gradients against finite differences (every weight, x, h0, c0, and a gradient
passed into the final state), one step against the formulas written out, the whole sequence
against a plain step-by-step loop, LastTimeStep, and the encoder -> decoder hand-over."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nnlib

TOL = 1e-7
seeds = st.integers(0, 2**32 - 1)


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def random_bias(layer, rng):
    if layer.b is not None:
        layer.b.data[:] = 0.5 * rng.standard_normal(layer.b.shape)
    return layer


def run(layer, x, states):
    return layer.forward(x, *states)


def recurrent_errors(layer, x, states, rng):
    """Relative errors of every gradient backward gives, against finite differences of
    loss = sum(R * h) + sum(Rh * h_n) (+ sum(Rc * c_n) for the LSTM)."""
    lstm = isinstance(layer, nnlib.LSTM)
    out = run(layer, x, states)
    R = rng.standard_normal(out.shape)
    Rh = rng.standard_normal(layer.h_n.shape)
    Rc = rng.standard_normal(layer.h_n.shape)

    def loss(_):
        total = np.sum(R * run(layer, x, states)) + np.sum(Rh * layer.h_n)
        return total + (np.sum(Rc * layer.c_n) if lstm else 0.0)

    layer.zero_grad()
    run(layer, x, states)
    extra = {"dh_n": Rh, "dc_n": Rc} if lstm else {"dh_n": Rh}
    dx = layer.backward(R, **extra)
    report = {name: nnlib.rel_error(p.grad, nnlib.numerical_gradient(loss, p.data))
              for name, p in layer.named_parameters()}
    report["x"] = nnlib.rel_error(dx, nnlib.numerical_gradient(loss, x))
    report["h0"] = nnlib.rel_error(layer.dh0, nnlib.numerical_gradient(loss, states[0]))
    if lstm:
        report["c0"] = nnlib.rel_error(layer.dc0, nnlib.numerical_gradient(loss, states[1]))
    return report


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 3), t=st.integers(1, 5), d=st.integers(1, 4), h=st.integers(1, 4),
       nonlinearity=st.sampled_from(["tanh", "relu"]), bias=st.booleans(), seed=seeds)
def test_rnn_gradients_including_h0_and_dh_n(n, t, d, h, nonlinearity, bias, seed):
    rng = np.random.default_rng(seed)
    layer = random_bias(nnlib.RNN(d, h, nonlinearity=nonlinearity, bias=bias, rng=rng), rng)
    x, h0 = rng.standard_normal((n, t, d)), rng.standard_normal((n, h))
    # at a relu pre-activation within the finite-difference step of 0 the numerical derivative
    # straddles the kink and is no derivative at all
    assume(nonlinearity == "tanh" or not _near_kink(layer, x, h0))
    report = recurrent_errors(layer, x, [h0], rng)
    assert max(report.values()) < TOL, report
    assert set(report) == {*(p for p, _ in layer.named_parameters()), "x", "h0"}


def _near_kink(layer, x, h0):
    """True when some relu pre-activation lies within 1e-4 of 0."""
    a, h = [], h0
    for t in range(x.shape[1]):
        pre = x[:, t] @ layer.Wx.data.T + h @ layer.Wh.data.T
        if layer.b is not None:
            pre = pre + layer.b.data
        a.append(pre)
        h = np.maximum(pre, 0)
    return np.min(np.abs(a)) < 1e-4


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 3), t=st.integers(1, 5), d=st.integers(1, 4), h=st.integers(1, 4),
       bias=st.booleans(), seed=seeds)
def test_lstm_gradients_including_h0_c0_and_dh_n_dc_n(n, t, d, h, bias, seed):
    rng = np.random.default_rng(seed)
    layer = random_bias(nnlib.LSTM(d, h, bias=bias, rng=rng), rng)
    x = rng.standard_normal((n, t, d))
    states = [rng.standard_normal((n, h)), rng.standard_normal((n, h))]
    report = recurrent_errors(layer, x, states, rng)
    assert max(report.values()) < TOL, report
    assert set(report) == {*(p for p, _ in layer.named_parameters()), "x", "h0", "c0"}


def test_embedding_lstm_last_step_dense_is_one_model_with_correct_gradients():
    rng = np.random.default_rng(0)
    model = nnlib.Sequential(nnlib.Embedding(7, 3, rng=1), nnlib.LSTM(3, 4, rng=2), nnlib.LastTimeStep(),
                             nnlib.Dense(4, 2, rng=3))
    idx = rng.integers(0, 7, (5, 6))
    y = rng.integers(0, 2, 5)
    report = nnlib.check_gradients(model, nnlib.CrossEntropyLoss(), idx, y)
    assert set(report) == {"0.W", "1.Wx", "1.Wh", "1.b", "3.W", "3.b"}
    assert max(report.values()) < TOL, report
    assert model(idx).shape == (5, 2)


# -- the forward pass against the formulas ----------------------------------------------------
def test_one_rnn_step_is_the_formula():
    rng = np.random.default_rng(1)
    layer = random_bias(nnlib.RNN(3, 4, rng=rng), rng)
    x, h0 = rng.standard_normal((2, 1, 3)), rng.standard_normal((2, 4))
    h1 = layer(x, h0)
    for n in range(2):  # one sample as a column vector, as the notes write it
        want = np.tanh(layer.Wx.data @ x[n, 0] + layer.Wh.data @ h0[n] + layer.b.data)
        np.testing.assert_allclose(h1[n, 0], want, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(layer.h_n, h1[:, 0])
    relu = nnlib.RNN(3, 4, nonlinearity="relu", rng=2)
    np.testing.assert_allclose(relu(x, h0)[:, 0], np.maximum(x[:, 0] @ relu.Wx.data.T + h0 @ relu.Wh.data.T, 0),
                               rtol=1e-12, atol=1e-14)


def test_one_lstm_step_is_the_formula_with_gates_in_pytorch_order():
    rng = np.random.default_rng(2)
    H = 3
    layer = random_bias(nnlib.LSTM(2, H, rng=rng), rng)
    x, h0, c0 = rng.standard_normal((4, 1, 2)), rng.standard_normal((4, H)), rng.standard_normal((4, H))
    h1 = layer(x, h0, c0)
    a = x[:, 0] @ layer.Wx.data.T + h0 @ layer.Wh.data.T + layer.b.data
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c1 = f * c0 + i * g
    np.testing.assert_allclose(layer.c_n, c1, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h1[:, 0], o * np.tanh(c1), rtol=1e-12, atol=1e-14)
    gates = layer.gates()
    for name, want in zip("ifgo", (i, f, g, o)):
        np.testing.assert_allclose(gates[name][:, 0], want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.cells()[:, 0], c1, rtol=1e-12, atol=1e-14)


def reference_loop(layer, x, states):
    """The textbook loop, one step at a time, in plain numpy (no buffers, no time-major tricks)."""
    H = layer.hidden_size
    h = states[0]
    c = states[1] if len(states) > 1 else None
    out = []
    for t in range(x.shape[1]):
        a = x[:, t] @ layer.Wx.data.T + h @ layer.Wh.data.T + (0 if layer.b is None else layer.b.data)
        if isinstance(layer, nnlib.LSTM):
            i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
            c = f * c + i * g
            h = o * np.tanh(c)
        else:
            h = np.tanh(a) if layer.nonlinearity == "tanh" else np.maximum(a, 0)
        out.append(h)
    return np.stack(out, axis=1), h, c


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 4), t=st.integers(1, 8), d=st.integers(1, 5), h=st.integers(1, 5),
       lstm=st.booleans(), given_states=st.booleans(), seed=seeds)
def test_the_whole_sequence_equals_the_step_by_step_loop(n, t, d, h, lstm, given_states, seed):
    rng = np.random.default_rng(seed)
    layer = random_bias((nnlib.LSTM if lstm else nnlib.RNN)(d, h, rng=rng), rng)
    x = rng.standard_normal((n, t, d))
    k = 2 if lstm else 1
    states = [rng.standard_normal((n, h)) for _ in range(k)] if given_states else [np.zeros((n, h))] * k
    out = layer(x, *states) if given_states else layer(x)
    want, h_n, c_n = reference_loop(layer, x, states)
    np.testing.assert_allclose(out, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.h_n, h_n, rtol=1e-10, atol=1e-12)
    if lstm:
        np.testing.assert_allclose(layer.c_n, c_n, rtol=1e-10, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(t1=st.integers(1, 4), t2=st.integers(1, 4), lstm=st.booleans(), seed=seeds)
def test_an_encoder_hands_its_final_state_and_gets_the_decoders_gradient_back(t1, t2, lstm, seed):
    """Encoder on x[:, :t1], decoder (the same weights) on x[:, t1:] from the encoder's final state,
    and backward(None, dh_n=decoder.dh0, ...) into the encoder: the same outputs and gradients as
    one layer over the whole sequence."""
    rng = np.random.default_rng(seed)
    cls = nnlib.LSTM if lstm else nnlib.RNN
    whole, enc, dec = (random_bias(cls(3, 4, rng=seed), np.random.default_rng(seed)) for _ in range(3))
    x = rng.standard_normal((2, t1 + t2, 3))
    dout = rng.standard_normal((2, t1 + t2, 4))
    out = whole(x)
    dx = whole.backward(dout)
    enc_out = enc(x[:, :t1])
    dec_out = dec(x[:, t1:], enc.h_n, enc.c_n) if lstm else dec(x[:, t1:], enc.h_n)
    np.testing.assert_allclose(np.concatenate([enc_out, dec_out], axis=1), out, rtol=1e-12, atol=1e-14)
    dx_dec = dec.backward(dout[:, t1:])
    handed = {"dh_n": dec.dh0, "dc_n": dec.dc0} if lstm else {"dh_n": dec.dh0}
    dx_enc = enc.backward(dout[:, :t1], **handed)
    np.testing.assert_allclose(np.concatenate([dx_enc, dx_dec], axis=1), dx, rtol=1e-10, atol=1e-12)
    for (name, p), p_enc, p_dec in zip(whole.named_parameters(), enc.parameters(), dec.parameters()):
        np.testing.assert_allclose(p_enc.grad + p_dec.grad, p.grad, rtol=1e-10, atol=1e-12, err_msg=name)
    # an encoder whose per-step outputs are not used: dout None, only the final state's gradient
    enc.zero_grad()
    enc(x[:, :t1])
    dx_none = enc.backward(None, **handed)
    enc.zero_grad()
    enc(x[:, :t1])
    dx_zeros = enc.backward(np.zeros((2, t1, 4)), **handed)
    np.testing.assert_array_equal(dx_none, dx_zeros)


def test_the_lstm_cell_path_carries_the_gradient_where_the_rnn_loses_it():
    """The module docstring's claim, measured: the gradient of the last output with respect to
    the first input, over 40 steps, with small weights; the LSTM's forget bias at 3 (f ~ 0.95)."""
    T, D, H = 40, 2, 8
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, T, D))
    rnn, lstm = nnlib.RNN(D, H, rng=1), nnlib.LSTM(D, H, rng=1)
    lstm.b.data[H:2 * H] = 3.0
    norms = {}
    for name, layer in (("rnn", rnn), ("lstm", lstm)):
        dout = np.zeros((1, T, H))
        dout[0, -1] = 1.0
        layer(x)
        dx = layer.backward(dout)
        norms[name] = np.linalg.norm(dx[0, 0]) / np.linalg.norm(dx[0, -1])
    assert norms["rnn"] < 1e-6 and norms["lstm"] > 1e3 * norms["rnn"], norms


# -- LastTimeStep -----------------------------------------------------------------------------
def test_last_time_step_forward_and_backward():
    rng = np.random.default_rng(3)
    layer = nnlib.LastTimeStep()
    x = rng.standard_normal((2, 5, 3))
    out = layer(x)
    np.testing.assert_array_equal(out, x[:, -1])
    out[0, 0] = 99.0  # a copy: changing the output does not change the input
    assert x[0, -1, 0] != 99.0
    dout = rng.standard_normal((2, 3))
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dx[:, -1], dout)
    np.testing.assert_array_equal(dx[:, :-1], 0.0)
    assert repr(layer) == "LastTimeStep()"


# -- the Layer contract -------------------------------------------------------------------------
def test_reprs_parameters_and_dtypes():
    rnn = nnlib.RNN(3, 5, rng=0)
    assert repr(rnn) == "RNN(input_size=3, hidden_size=5, nonlinearity='tanh', bias=True)"
    assert [(n, p.shape) for n, p in rnn.named_parameters()] == [("Wx", (5, 3)), ("Wh", (5, 5)), ("b", (5,))]
    lstm = nnlib.LSTM(3, 5, bias=False, rng=0, dtype=np.float32)
    assert repr(lstm) == "LSTM(input_size=3, hidden_size=5, bias=False, dtype='float32')"
    assert [(n, p.shape) for n, p in lstm.named_parameters()] == [("Wx", (20, 3)), ("Wh", (20, 5))]
    k = 1 / np.sqrt(5)
    assert np.abs(rnn.Wx.data).max() <= k and np.abs(rnn.Wh.data).max() <= k and np.all(rnn.b.data == 0)
    assert np.abs(rnn.Wh.data).max() > 0.8 * k  # uniform over the whole interval
    np.testing.assert_array_equal(nnlib.RNN(3, 5, rng=0).Wh.data, rnn.Wh.data)
    assert not np.array_equal(nnlib.RNN(3, 5, rng=1).Wh.data, rnn.Wh.data)


@pytest.mark.parametrize("lstm", [False, True])
def test_float32_stays_float32_and_agrees_with_float64(lstm):
    cls = nnlib.LSTM if lstm else nnlib.RNN
    l64, l32 = cls(3, 4, rng=0), cls(3, 4, rng=0, dtype=np.float32)
    x = np.random.default_rng(1).standard_normal((2, 6, 3))
    out64, out32 = l64(x), l32(x.astype(np.float32))
    assert out32.dtype == np.float32 and l32.h_n.dtype == np.float32
    np.testing.assert_allclose(out32, out64, rtol=1e-5, atol=1e-6)
    dout = np.ones_like(out64)
    dx64, dx32 = l64.backward(dout), l32.backward(dout.astype(np.float32))
    assert dx32.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in l32.parameters())
    np.testing.assert_allclose(dx32, dx64, rtol=1e-4, atol=1e-5)
    for p32, p64 in zip(l32.parameters(), l64.parameters()):
        np.testing.assert_allclose(p32.grad, p64.grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("lstm", [False, True])
def test_backward_adds_to_grad_and_input_grad_false_skips_dx(lstm):
    cls = nnlib.LSTM if lstm else nnlib.RNN
    layer = cls(2, 3, rng=0)
    x = np.random.default_rng(1).standard_normal((2, 4, 2))
    dout = np.random.default_rng(2).standard_normal((2, 4, 3))
    layer(x)
    dx = layer.backward(dout)
    once = [p.grad.copy() for p in layer.parameters()]
    assert layer.backward(dout, input_grad=False) is None
    for p, g in zip(layer.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g)
    assert dx.shape == x.shape


def test_the_output_is_not_a_view_of_what_backward_needs():
    layer = nnlib.LSTM(2, 3, rng=0)
    x = np.random.default_rng(1).standard_normal((2, 4, 2))
    dout = np.ones((2, 4, 3))
    out = layer(x)
    dx = layer.backward(dout)
    out[...] = 0.0
    x[...] = 0.0  # the caller's x is not kept either (it was transposed into a copy)
    layer.zero_grad()
    fresh = nnlib.LSTM(2, 3, rng=0)
    fresh(np.random.default_rng(1).standard_normal((2, 4, 2)))
    np.testing.assert_array_equal(layer.backward(dout), dx)
    np.testing.assert_array_equal(fresh.backward(dout), dx)


def layers_and_inputs():
    rng = np.random.default_rng(0)
    return (nnlib.RNN(3, 4, rng=0), nnlib.LSTM(3, 4, rng=0)), rng.standard_normal((2, 5, 3))


BAD_CALLS = {
    "x 2-D": (lambda l, x: l(x[0]), ValueError, "x must be 3-D, got shape (5, 3)"),
    "x of wrong width": (lambda l, x: l(x[:, :, :2]), ValueError, "x must have shape (N, T, 3), got (2, 5, 2)"),
    "x with no steps": (lambda l, x: l(x[:, :0]), ValueError, "x has no time steps (T = 0): shape (2, 0, 3)"),
    "x NaN": (lambda l, x: l(np.where(x > 1, np.nan, x)), ValueError, "x contains NaN or inf"),
    "x a string": (lambda l, x: l("abc"), TypeError, "x must be an array of numbers, got a string: 'abc'"),
    "h0 of wrong shape": (lambda l, x: l.forward(x, np.zeros((2, 3))), ValueError,
                          "h0 must have shape (N, hidden_size) = (2, 4), got (2, 3)"),
    "h0 NaN": (lambda l, x: l.forward(x, np.full((2, 4), np.nan)), ValueError, "h0 contains NaN or inf"),
    "h0 1-D": (lambda l, x: l.forward(x, np.zeros(4)), ValueError, "h0 must be 2-D, got shape (4,) (a single sample of shape (D,) is h0.reshape(1, -1))"),
}


@pytest.mark.parametrize("case", BAD_CALLS)
@pytest.mark.parametrize("which", [0, 1])
def test_bad_input_is_named_and_a_failed_call_changes_nothing(case, which):
    layer = layers_and_inputs()[0][which]
    x = layers_and_inputs()[1]
    good = layer(x)
    h_n, cache = layer.h_n.copy(), layer._cache
    call, exc, message = BAD_CALLS[case]
    with pytest.raises(exc) as info:
        call(layer, x)
    assert str(info.value) == message
    assert layer._cache is cache
    np.testing.assert_array_equal(layer.h_n, h_n)
    np.testing.assert_array_equal(layer.backward(np.ones_like(good)), _dx_of_fresh(which, x))


def _dx_of_fresh(which, x):
    fresh = layers_and_inputs()[0][which]
    out = fresh(x)
    return fresh.backward(np.ones_like(out))


def test_lstm_c0_and_backward_arguments_are_checked():
    (_, lstm), x = layers_and_inputs()
    with pytest.raises(ValueError, match=r"^c0 must have shape \(N, hidden_size\) = \(2, 4\), got \(3, 4\)$"):
        lstm.forward(x, None, np.zeros((3, 4)))
    with pytest.raises(RuntimeError, match="LSTM.backward called before forward"):
        lstm.backward(np.ones((2, 5, 4)))
    with pytest.raises(RuntimeError, match="LSTM.gates called before forward"):
        lstm.gates()
    lstm(x)
    with pytest.raises(ValueError, match=r"^dout must have the output's shape \(2, 5, 4\), got \(2, 4, 4\)$"):
        lstm.backward(np.ones((2, 4, 4)))
    with pytest.raises(ValueError, match=r"^dc_n must have shape \(2, 4\), got \(4,\)$"):
        lstm.backward(np.ones((2, 5, 4)), dc_n=np.ones(4))
    with pytest.raises(ValueError, match="dout, dh_n and dc_n are all None"):
        lstm.backward(None)
    assert all(np.all(p.grad == 0) for p in lstm.parameters())  # nothing was added on the way


@pytest.mark.parametrize("call, exc, message", [
    (lambda: nnlib.RNN(0, 3), ValueError, "input_size must be >= 1, got 0"),
    (lambda: nnlib.RNN(2, 3.0), TypeError, "hidden_size must be an int, got float 3.0"),
    (lambda: nnlib.RNN(2, 3, nonlinearity="sigmoid"), ValueError,
     "nonlinearity must be one of ('tanh', 'relu'), got 'sigmoid'"),
    (lambda: nnlib.LSTM(2, 3, bias=1), TypeError, "bias must be True or False, got int 1"),
    (lambda: nnlib.LSTM(2, 3, dtype=np.int32), TypeError, "dtype must be float32 or float64, got int32"),
    (lambda: nnlib.LSTM(2, 3, rng="seed"), TypeError, "rng must be an int seed or a numpy Generator, got str"),
    (lambda: nnlib.RNN(2, 3).backward(np.ones((1, 1, 3))), RuntimeError, "RNN.backward called before forward"),
    (lambda: nnlib.LastTimeStep()(np.ones((2, 3))), ValueError, "x must be 3-D, got shape (2, 3)"),
    (lambda: nnlib.LastTimeStep().backward(np.ones((2, 3))), RuntimeError,
     "LastTimeStep.backward called before forward"),
])
def test_constructor_and_call_messages_in_full(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize("make", [lambda: nnlib.RNN(3, 4, nonlinearity="relu", bias=False, rng=0),
                                  lambda: nnlib.LSTM(3, 4, rng=0, dtype=np.float32)])
def test_save_and_load_round_trip_exactly(make, tmp_path):
    model = nnlib.Sequential(make(), nnlib.LastTimeStep(), nnlib.Dense(4, 2, rng=1))
    rng = np.random.default_rng(4)
    for p in model.parameters():
        p.data += rng.standard_normal(p.shape).astype(p.data.dtype)
    nnlib.save(model, tmp_path / "m.npz")
    loaded = nnlib.load(tmp_path / "m.npz")
    assert repr(loaded) == repr(model)
    x = rng.standard_normal((3, 6, 3))
    np.testing.assert_array_equal(loaded(x), model(x))
