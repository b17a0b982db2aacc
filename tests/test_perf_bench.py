"""The benchmark's own code (benchmarks/) is correct on tiny data: nnlib's loop and fit make the
same updates, the hand-written numpy loop agrees with nnlib, every system learns, the gradient
check passes and the report is written. Nothing here is timed; `make bench` measures."""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


wl = load("workloads")


@pytest.fixture(scope="module")
def tiny():
    return {w.key: w for w in wl.make_workloads(scale=0.03)}


@pytest.mark.parametrize("key", ["W1", "W2", "W3-f64", "W3-f32"])
def test_loop_fit_and_numpy_do_the_same_training(tiny, key):
    w = tiny[key]
    runs = {}
    for system in (wl.NnlibLoop(), wl.NnlibFit(), wl.NumpyLoop()):
        state = system.prepare(w)
        system.train(state)
        runs[system.name] = (system, state)
    loop, fit = runs["nnlib loop"][1]["model"], runs["nnlib fit"][1]["model"]
    for p, q in zip(loop.parameters(), fit.parameters()):
        assert p.data.tobytes() == q.data.tobytes()
    numpy_state = runs["numpy loop"][1]
    tol = 1e-4 if w.dtype == np.float32 else 1e-9
    for W, p in zip(numpy_state["Ws"], [d.W for d in loop if hasattr(d, "W")]):
        np.testing.assert_allclose(W, p.data, rtol=tol, atol=tol)
    loss, acc = runs["nnlib loop"][0].evaluate(runs["nnlib loop"][1])
    assert np.isfinite(loss)


def test_workloads_match_the_issue():
    full = {w.key: w for w in wl.make_workloads(("W1", "W2"))}
    assert full["W1"].sizes == [2, 3, 1] and full["W1"].batch_size == 1 and full["W1"].steps == 10_000
    assert not full["W1"].bias and full["W1"].activation == "sigmoid"
    assert full["W2"].sizes == [64, 128, 10] and full["W2"].batch_size == 32 and full["W2"].epochs == 20


def test_flops_per_sample_counts_forward_dw_and_dx_but_not_the_datas_gradient(tiny):
    w = tiny["W3-f64"]
    pairs = [(784, 512), (512, 512), (512, 10)]
    want = sum(2 * 2 * i * o for i, o in pairs) + sum(2 * i * o for i, o in pairs[1:])
    assert w.flops_per_sample() == want


def test_scikit_learn_learns_on_w2(tiny):
    w = tiny["W2"]
    system = wl.SklearnMLP()
    state = system.prepare(w)
    system.train(state)
    loss, acc = system.evaluate(state)
    assert np.isfinite(loss) and 0 <= acc <= 1


def test_gradient_check_on_the_benchmark_models(tiny):
    assert wl.gradient_check(tiny["W1"]) < 1e-6
    assert wl.gradient_check(tiny["W3-f64"], entries=3) < 1e-6


def test_quick_run_writes_the_report(tmp_path, monkeypatch):
    bench = load("bench")
    monkeypatch.setattr(wl, "torch_available", lambda: False)  # keep the test light
    monkeypatch.setattr(bench.wl, "torch_available", lambda: False)
    bench.main(["--quick", "--repeats", "1", "--workloads", "W1,W2", "--out", str(tmp_path)])
    report = json.loads((tmp_path / "bench.json").read_text())
    assert set(report["workloads"]) == {"W1", "W2"}
    assert report["workloads"]["W1"]["loop_equals_fit"]
    text = (tmp_path / "bench.txt").read_text()
    assert "nnlib loop" in text and "scikit-learn" in text and "limit" in text
    assert (tmp_path / "bench.png").read_bytes().startswith(b"\x89PNG")


def test_widget_redraws_are_timed_while_a_control_really_changes():
    course = load("course")
    from nnlib import widgets as W

    seen, curves = {}, []
    original, original_loss = W.Explorer.redraw, W.Playground.redraw_loss

    def counting(self):
        seen.setdefault(self._draw.__name__, []).append(tuple(self.values().values()))
        return original(self)

    def counting_loss(self, history, epochs):
        curves.append(history.epochs)
        return original_loss(self, history, epochs)

    repeats = 3
    W.Explorer.redraw, W.Playground.redraw_loss = counting, counting_loss
    try:
        times = course.widget_times(repeats=repeats)
    finally:
        W.Explorer.redraw, W.Playground.redraw_loss = original, original_loss
    assert set(times) == {"draw_neuron", "draw_activation", "draw_network", "draw_softmax",
                          "draw_loss", "draw_result", "draw_units"}
    assert all(t["draw"] > 0 and t["redraw"] > 0 for t in times.values())
    # each explorer: the first drawing, then a warm-up and `repeats` moves, all to new values
    assert set(seen) == {"draw_neuron", "draw_activation", "draw_network", "draw_softmax"}
    for name, values in seen.items():
        assert len(values) == 2 + repeats and len(set(values)) == len(values), (name, values)
    # the live loss curve: two trainings' redraws, then warm-up + repeats curves, each longer
    timed = curves[-(1 + repeats):]
    assert timed == sorted(set(timed)), curves


def test_notebook_times_runs_each_in_a_fresh_kernel_and_reports_a_failure(tmp_path, monkeypatch):
    import nbformat

    course = load("course")
    good = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 6 * 7\nassert x == 42")])
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("assert 'x' not in dir()"),
                                          nbformat.v4.new_code_cell("1 / 0")])
    nbformat.write(good, tmp_path / "a-good.ipynb")
    nbformat.write(bad, tmp_path / "b-bad.ipynb")  # 'x' of a-good must not leak into it
    monkeypatch.setattr(course, "NOTEBOOKS", tmp_path)
    messages = []
    times = course.notebook_times(messages.append)
    assert list(times) == ["a-good.ipynb", "b-bad.ipynb"]
    assert times["a-good.ipynb"] > 0 and times["b-bad.ipynb"] is None
    assert any("ZeroDivisionError" in m for m in messages)


# -- W4 and W5 (benchmarks/workloads_conv.py) --------------------------------------------------------
wlc = None


def conv_workloads():
    global wlc
    if wlc is None:
        sys.path.insert(0, str(BENCH))
        try:
            wlc = load("workloads_conv")
        finally:
            sys.path.remove(str(BENCH))
    return wlc


def test_conv_workloads_match_the_issue_and_count_their_matrix_products():
    wlc = conv_workloads()
    w4, w5 = wlc.make_workloads()
    assert w4.batch_size == 64 and w4.X.shape[1:] == (1, 8, 8) and w4.X.dtype == np.float32
    model = wlc.cnn(w4)
    assert [type(layer).__name__ for layer in model] == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU",
                                                         "MaxPool2d", "Flatten", "Dense"]
    assert (model[0].out_channels, model[3].out_channels, model[0].padding, model[7].in_features) == (16, 32, (1, 1), 128)
    assert w5.X.shape == (64, 32, 16, 16) and wlc.w5_layer(w5).W.data.shape == (64, 32, 3, 3)
    # W5: forward, dW and dx, each 2 * C_out * (C_in * 9) * (16 * 16 * 64) FLOPs
    assert w5.flops_per_sample() * 64 == 3 * 2 * 64 * 288 * 16 * 16 * 64
    # W4: the first convolution has no dx (nobody needs the gradient of the data)
    assert len(w4.gemms()) == 2 + 3 + 3


def test_conv_workloads_check_themselves_and_their_loop_equals_fit():
    wlc = conv_workloads()
    w4, w5 = wlc.make_workloads(scale=0.05)
    c4 = w4.checks()
    assert c4["loop_equals_fit"] and c4["gradcheck"] < 1e-6 and c4["float32_vs_float64"] < 1e-4
    assert c4["float32_grad_dtypes"] == ["float32"]
    c5 = wlc.w5_checks(w5, entries=3)
    assert c5["gradcheck"] < 1e-6 and c5["float32_vs_float64"] < 1e-4
    # the layout W5 hands nnlib's layer is the same numbers as the data
    x = wlc.as_inside_a_network(w5.X)
    assert np.array_equal(x, w5.X) and x.transpose(1, 2, 3, 0).flags.c_contiguous


def test_conv_workload_systems_learn_and_the_quick_run_reports_them(tmp_path, monkeypatch):
    wlc = conv_workloads()
    w4 = wlc.make_workloads(("W4",), scale=0.5)[0]  # 674 digits, 10 epochs
    system = wlc.NnlibCNNLoop()
    state = system.prepare(w4)
    system.train(state)
    loss, acc = system.evaluate(state)
    assert loss < 0.5 * w4.baseline()[0] and acc > 0.8
    bench = load("bench")
    monkeypatch.setattr(bench.wl, "torch_available", lambda: False)
    bench.main(["--quick", "--repeats", "1", "--workloads", "W4,W5", "--out", str(tmp_path)])
    report = json.loads((tmp_path / "bench.json").read_text())
    assert set(report["workloads"]) == {"W4", "W5"}
    assert report["workloads"]["W4"]["loop_equals_fit"]
    text = (tmp_path / "bench.txt").read_text()
    assert "W5: nnlib loop >= 0.5x limit" in text and "W4: nnlib fit within 10 % of the loop" in text
