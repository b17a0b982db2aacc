"""Notebook 08's figures and widgets: each control changes the picture, and what is drawn is
nnlib's own computation (read back from the matplotlib artists)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import nnlib  # noqa: E402
from nnlib import plotting_regularization as PR  # noqa: E402
from nnlib import widgets_regularization as WR  # noqa: E402
from nnlib.valley import NarrowValley  # noqa: E402
from widget_helpers import assert_redraws, shown_png  # noqa: E402


@pytest.mark.parametrize("name, lr", [("SGD", 0.03), ("momentum", 0.02), ("RMSprop", 0.1), ("Adam", 0.1)])
def test_optimizer_explorer_draws_the_optimisers_own_path(name, lr):
    e = WR.optimizer_explorer()
    if name != "SGD":
        assert_redraws(e, "optimizer", name)
    if lr != 0.03:
        assert_redraws(e, "lr", lr)
    assert_redraws(e, "steps", 50)
    path_line = [line for line in e.figure.axes[0].lines if len(line.get_xdata()) > 1][0]
    expected = WR.VALLEY.path((name, e.controls["lr"].value), start=WR.START, steps=50)
    np.testing.assert_allclose(np.c_[path_line.get_xdata(), path_line.get_ydata()], expected, atol=0)
    assert f"theta = ({expected[-1, 0]:+.4f}" in e.caption.value


def test_optimizer_explorer_says_when_sgd_diverges():
    e = WR.optimizer_explorer()
    e.controls["lr"].value = 0.05  # above 2/b = 0.04
    assert "diverging" in e.caption.value and "0.040" in e.caption.value
    e.controls["lr"].value = 1.0
    e.controls["steps"].value = 300
    assert "diverged" in e.caption.value


def test_plot_paths_labels_each_path_with_its_final_loss():
    valley = NarrowValley(1.0, 10.0)
    paths = {"SGD a": valley.path(("SGD", 0.05), steps=20), "Adam b": valley.path(("Adam", 0.1), steps=20)}
    fig = Figure()
    ax = PR.plot_paths(fig.add_subplot(), valley, paths)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [f"{k}: loss {float(valley(p[-1])):.2g} after 20 steps" for k, p in paths.items()]
    assert ax.lines[1].get_color() == PR.OPTIMIZER_COLORS["SGD"]  # lines[0]: the minimum's star


def deep_outputs():
    X, _ = nnlib.moons(40, noise=0.1, rng=0)
    outputs = {}
    for bn in (False, True):
        layers = [nnlib.Dense(2, 8, rng=1)] + ([nnlib.BatchNorm1d(8)] if bn else []) + [nnlib.Sigmoid(),
                  nnlib.Dense(8, 8, rng=2), nnlib.Sigmoid()]
        model = nnlib.Sequential(*layers)
        outputs[(bn, "before training")] = PR.layer_outputs(model, X, training=True)
        outputs[(bn, "after training")] = PR.layer_outputs(model, X)
    return X, outputs


def test_layer_outputs_are_the_activations_and_leave_the_buffers_alone():
    X, _ = nnlib.moons(30, noise=0.1, rng=0)
    model = nnlib.Sequential(nnlib.Dense(2, 4, rng=1), nnlib.BatchNorm1d(4), nnlib.Tanh(), nnlib.Dense(4, 1, rng=2))
    outs = PR.layer_outputs(model, X, training=True)
    z = X @ model[0].W.data.T + model[0].b.data
    np.testing.assert_allclose(outs[0], np.tanh((z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5)), atol=1e-12)
    assert np.array_equal(model[1]._buffers["running_mean"], np.zeros(4)) and model.training
    model.eval()
    (eval_out,) = PR.layer_outputs(model, X)
    np.testing.assert_allclose(eval_out, np.tanh(z / np.sqrt(1 + 1e-5)), atol=1e-12)
    assert not model.training


def test_batchnorm_explorer_switches_between_the_stored_outputs():
    _, outputs = deep_outputs()
    e = WR.batchnorm_explorer(outputs)
    assert_redraws(e, "batch_norm", True)
    assert_redraws(e, "when", "before training")
    spreads = [WR.unit_spread(h) for h in outputs[(True, "before training")]]
    assert " ".join(f"{s:.3f}" for s in spreads) in e.caption.value
    # the histogram drawn for layer 1 is the one of the stored outputs
    edges = np.linspace(0, 1, 41)
    counts, _ = np.histogram(np.ravel(outputs[(True, "before training")][0]), bins=edges)
    drawn = e.figure.axes[0].lines[0].get_ydata()
    np.testing.assert_allclose(drawn, 0.85 * counts / counts.max(), atol=1e-12)


def test_batchnorm_explorer_needs_every_pair():
    _, outputs = deep_outputs()
    del outputs[(True, "after training")]
    with pytest.raises(ValueError, match="missing"):
        WR.batchnorm_explorer(outputs)


def test_unit_spread_is_zero_for_units_that_ignore_the_input():
    h = np.tile(np.array([0.2, 0.7]), (10, 1))
    assert WR.unit_spread(h) < 1e-15
    assert WR.unit_spread(np.c_[np.arange(4.0), np.zeros(4)]) == pytest.approx(np.std(np.arange(4.0)) / 2)


def test_dropout_passes_use_the_rate_asked_and_restore_the_model():
    X, y = nnlib.sine(20, noise=0.1, rng=0)
    model = WR.dropout_regressor(X, y, p=0.2, width=8, epochs=5, rng=0)
    drops = [layer for layer in model if isinstance(layer, nnlib.Dropout)]
    rngs = [d.rng for d in drops]
    model.eval()
    outs = WR.dropout_passes(model, X, 0.5, passes=7, rng=3)
    assert outs.shape == (7, 20, 1)
    assert [d.p for d in drops] == [0.2, 0.2] and [d.rng for d in drops] == rngs and not model.training
    assert not np.allclose(outs[0], outs[1])  # every pass drops other units
    assert np.array_equal(outs, WR.dropout_passes(model, X, 0.5, passes=7, rng=3))  # seeded
    none = WR.dropout_passes(model, X, 0.0, passes=2)
    np.testing.assert_allclose(none[0], model.forward(X), atol=1e-12)  # p = 0 is evaluation mode
    with pytest.raises(ValueError, match="no Dropout"):
        WR.dropout_passes(nnlib.Sequential(nnlib.Dense(1, 1, rng=0)), X, 0.5)
    with pytest.raises(ValueError, match="p must be in"):
        WR.dropout_passes(model, X, 1.0)


def test_dropout_explorer_spread_grows_with_p():
    X, y = nnlib.sine(20, noise=0.1, rng=0)
    model = WR.dropout_regressor(X, y, p=0.2, width=16, epochs=50, rng=0)
    e = WR.dropout_explorer(model, X, y, p=0.1)
    narrow = float(e.caption.value.split("band ")[1].split(";")[0])
    assert_redraws(e, "p", 0.6)
    wide = float(e.caption.value.split("band ")[1].split(";")[0])
    assert wide > 2 * narrow
    eval_line = [line for line in e.figure.axes[0].lines if line.get_color() == "k"][0]
    grid = eval_line.get_xdata()[:, None]
    model.eval()
    np.testing.assert_allclose(eval_line.get_ydata(), model.forward(grid)[:, 0], atol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "momentum"])
def test_lr_limit_is_where_the_optimiser_starts_to_diverge(name):
    valley = NarrowValley(1.0, 50.0)
    limit = valley.lr_limit(name)
    below = valley(valley.path((name, 0.98 * limit), steps=400))
    above = valley(valley.path((name, 1.02 * limit), steps=400))
    assert below[-1] < below[0] and above[-1] > above[0]


def test_each_optimiser_gets_its_own_stability_hint():
    e = WR.optimizer_explorer(optimizer="momentum", lr=0.08)
    limit = 2 * (1 + 0.9) / 50
    assert f"{limit:.3f}" in e.caption.value and "momentum 0.9" in e.caption.value
    assert "2(1 + m)/b" in e.caption.value  # the notebook's symbol m, as in 07, not mu
    assert "2/b = 0.040" not in e.caption.value
    e.controls["lr"].value = 0.07  # above plain SGD's limit, below momentum's: it converges
    assert "<pre>after 100 steps" in e.caption.value
    assert NarrowValley(1.0, 50.0).lr_limit("Adam") is None
    for name in ("RMSprop", "Adam"):
        assert "no such limit" in WR.stability_note(name)
    with pytest.raises(ValueError, match="name must be one of"):
        WR.VALLEY.lr_limit("Nesterov")


def test_rmsprop_that_climbs_back_up_is_flagged():
    e = WR.optimizer_explorer(optimizer="RMSprop", lr=1.0, steps=300)
    losses = WR.VALLEY(WR.VALLEY.path(("RMSprop", 1.0), steps=300))
    assert "<pre>unstable" in e.caption.value and "RMSprop has no such limit" in e.caption.value
    assert f"{losses.min():.3g}" in e.caption.value and f"climbed back to {losses[-1]:.3g}" in e.caption.value


def test_a_path_that_leaves_the_view_is_marked_where_it_leaves():
    valley = NarrowValley(1.0, 50.0)
    points = valley.path(("RMSprop", 1.0), steps=5)  # the first step is 10 lr long: out of view
    ax = PR.plot_paths(Figure().add_subplot(), valley, {"RMSprop": points})
    (text,) = [t.get_text() for t in ax.texts]
    assert text == "leaves the view at step 1"
    marker = [line for line in ax.lines if line.get_marker() == "x"][0]
    np.testing.assert_allclose(np.c_[marker.get_xdata(), marker.get_ydata()], points[:1])
    inside = PR.plot_paths(Figure().add_subplot(), valley, {"Adam": valley.path(("Adam", 0.1), steps=20)})
    assert not inside.texts


def test_each_dropout_pass_is_one_sub_network_over_the_whole_batch():
    X, y = nnlib.sine(20, noise=0.1, rng=0)
    model = WR.dropout_regressor(X, y, p=0.2, width=8, epochs=5, rng=0)
    grid = np.linspace(-4, 4, 50)[:, None]
    outs = WR.dropout_passes(model, grid, 0.5, passes=3, rng=5)
    # the same pass, recomputed row by row with the masks it used: one mask for all rows
    rng = np.random.default_rng(5)
    drops = [layer for layer in model if isinstance(layer, nnlib.Dropout)]
    masks = [np.broadcast_to(rng.random((1, 8)) >= 0.5, (50, 8)) / 0.5 for _ in drops]
    for d, m in zip(drops, masks):
        d.draw_mask = lambda shape, dtype, m=m: m
    model.train()
    np.testing.assert_allclose(outs[0], model.forward(grid), atol=1e-12)
    for d in drops:
        del d.draw_mask
    assert all("draw_mask" not in vars(d) for d in drops)
    assert not np.allclose(outs[0], outs[1])
