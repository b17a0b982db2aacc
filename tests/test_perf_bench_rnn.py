"""W6's benchmark code (benchmarks/workloads_rnn.py) is correct on tiny data: nnlib's loop and fit
make the same updates, the plain numpy RNN/LSTM trains the same weights to the same numbers, the
gradient checks pass, the FLOP count is the step's products, and a quick run writes W6 into the
report. Nothing here is timed; `make bench` measures."""
import json

import numpy as np
import pytest

from test_perf_bench import load

wr = load("workloads_rnn")


@pytest.fixture(scope="module")
def tiny():
    return {w.key: w for w in wr.make_workloads(scale=0.03)}


def test_the_workloads_are_the_ones_the_report_names():
    full = {w.key: w for w in wr.make_workloads()}
    for key, cell in (("W6-lstm", "lstm"), ("W6-rnn", "rnn")):
        w = full[key]
        assert (w.cell, w.T, w.D, w.H, w.batch_size, w.dtype) == (cell, 32, 16, 128, 64, np.float32)
        assert w.X.shape[1:] == (32, 16) and w.X.dtype == np.float32


@pytest.mark.parametrize("key", ["W6-lstm", "W6-rnn"])
def test_loop_fit_and_plain_numpy_do_the_same_training(tiny, key):
    w = tiny[key]
    states = {}
    for system in (wr.NnlibLoop(), wr.NnlibFit(), wr.NumpyLoop()):
        state = system.prepare(w)
        system.train(state)
        states[system.name] = state
    loop, fit, plain = states["nnlib loop"]["model"], states["nnlib fit"]["model"], states["numpy loop"]
    for p, q in zip(loop.parameters(), fit.parameters()):
        assert p.data.tobytes() == q.data.tobytes()
    rnn, head = loop[0], loop[2]
    np.testing.assert_allclose(plain["W"], np.concatenate([rnn.Wx.data, rnn.Wh.data], axis=1), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(plain["b"], rnn.b.data, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(plain["V"], head.W.data, rtol=1e-4, atol=1e-5)
    fresh = wr.nnlib_model(w)[0]  # and training moved the weights
    assert not np.allclose(fresh[0].Wh.data, rnn.Wh.data)
    loss, acc = wr.NnlibLoop().evaluate(states["nnlib loop"])
    assert np.isfinite(loss) and 0 <= acc <= 1


@pytest.mark.parametrize("key", ["W6-lstm", "W6-rnn"])
def test_gradient_and_float32_checks(tiny, key):
    assert wr.gradient_check(tiny[key], entries=4) < 1e-6
    err, dtypes = wr.float32_check(tiny[key])
    assert err < 1e-4 and dtypes == ["float32"]
    assert wr.same_steps_check(tiny[key])


def test_flops_per_sample_are_the_steps_matrix_products(tiny):
    w = tiny["W6-lstm"]
    B, T, D, H, C = 64, 32, 16, 128, 4
    G = 4 * H
    forward = 2 * B * T * D * G + T * 2 * B * H * G + 2 * B * H * C
    backward = T * 2 * B * G * H + 2 * G * B * T * D + 2 * G * B * T * H + 2 * 2 * B * H * C
    assert w.flops_per_sample() == (forward + backward) / B


def test_quick_run_writes_w6_into_the_report(tmp_path, monkeypatch):
    bench = load("bench")
    monkeypatch.setattr(bench.wl, "torch_available", lambda: False)  # keep the test light
    bench.main(["--quick", "--repeats", "1", "--workloads", "W6-rnn", "--cpu-time", "--out", str(tmp_path)])
    report = json.loads((tmp_path / "bench.json").read_text())
    assert set(report["workloads"]) == {"W6-rnn"} and report["timer"] == "CPU time of this process"
    assert bench.TIMER is bench.time.process_time
    block = report["workloads"]["W6-rnn"]
    assert block["loop_equals_fit"] and block["gradcheck"] < 1e-6
    assert set(block["systems"]) == {"nnlib loop", "nnlib fit", "numpy loop", "limit"}
    text = (tmp_path / "bench.txt").read_text()
    assert "W6-rnn: RNN (tanh) T 32" in text and "W6-rnn: nnlib fit within 10 % of the loop" in text
    assert "timed by the CPU time of this process" in text
