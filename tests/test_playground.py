"""The Playground: the plain training function, and the widget driven as a user would."""
import base64
import time

import numpy as np
import pytest

import nnlib
from nnlib import plotting
from nnlib import widgets as W
from nnlib.playground import DATASETS, DIVERGING_MARGIN, VALIDATION_SAMPLES, make_data, new_run, train_playground


def png(output):
    (out,) = output.outputs
    return base64.b64decode(out["data"]["image/png"])


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_dataset_trains_and_learns(dataset):
    run = train_playground(dataset=dataset, noise=0.1, hidden_layers=2, units=16, activation="tanh",
                           lr=0.1, batch_size=16, epochs=60)
    h = run.history
    assert h.epochs == 60 and not h.diverged
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    if dataset == "sine":
        assert run.task == "regression" and run.model(run.X).shape == (len(run.X), 1)
    else:
        assert run.task == "classification" and h.train_acc[-1] > 0.8


def test_playground_is_deterministic_and_matches_fit():
    a = train_playground(epochs=20)
    b = train_playground(epochs=20)
    assert a.history == b.history
    X, y = make_data("moons", 0.15)
    X_val, y_val = make_data("moons", 0.15, n_samples=VALIDATION_SAMPLES, seed=1)
    model = nnlib.mlp([2, 8, 8, 2], "tanh", rng=0)
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
                     epochs=20, batch_size=16, rng=0, X_val=X_val, y_val=y_val)
    assert hist == a.history
    np.testing.assert_array_equal(a.X_val, X_val)


def test_zero_hidden_layers_is_a_linear_model_and_heaviside_does_not_learn():
    run = train_playground(hidden_layers=0, epochs=10)
    assert [type(layer).__name__ for layer in run.model] == ["Dense"]
    stuck = train_playground(activation="heaviside", epochs=10)
    before = nnlib.mlp([2, 8, 8, 2], "heaviside", rng=0)
    # only the last layer (after the last Heaviside) can move; the first two never do
    np.testing.assert_array_equal(stuck.model[0].W.data, before[0].W.data)
    np.testing.assert_array_equal(stuck.model[2].W.data, before[2].W.data)


def test_unknown_dataset():
    with pytest.raises(ValueError, match="dataset must be one of"):
        make_data("mnist", 0.1)


def test_widget_train_button_draws_a_live_curve_and_the_result():
    pg = W.playground(epochs=30)
    assert pg.loss_output.outputs == () and pg.run is None
    frames = []
    pg.loss_output.observe(lambda change: frames.append(change["new"]), names="outputs")
    pg.train_button.click()  # exactly what a click in the browser does: training in a thread
    assert pg.wait(timeout=60)
    assert len(frames) >= 10  # the loss curve was redrawn while training ran
    assert pg.run.history.epochs == 30 and "done: 30 epochs" in pg.status.value
    first = png(pg.result_output)
    train, val = pg.loss_figure.axes[0].lines[:2]
    assert train.get_label() == "training (running)" and val.get_label() == "validation"
    np.testing.assert_array_equal(train.get_ydata(), [pg.run.start_loss] + pg.run.history.train_loss)
    np.testing.assert_array_equal(val.get_ydata(), pg.run.history.val_loss)
    pg.controls["units"].value = 2
    pg.train()
    assert png(pg.result_output) != first
    assert pg.run.model[0].W.data.shape == (2, 2)


def test_widget_shows_divergence():
    pg = W.playground(dataset="sine", activation="relu", lr=10.0, epochs=50)
    pg.train()
    assert pg.run.history.diverged and "diverged" in pg.status.value
    assert "diverged" in pg.result_figure.axes[0].texts[0].get_text()


def loss_axes(pg):
    (ax,) = pg.loss_figure.axes
    return ax


def test_a_run_whose_loss_rises_is_flagged_and_drawn_on_a_log_axis():
    """Bug: lr 10 on moons ended "done: loss 27.89" from a start of 0.69, with no warning, on a
    linear axis where the climb was a flat line at the top. Its loss jumps in epoch 1 and then
    stays flat: "unstable", not "diverging" (growing), which 07 describes as growing without
    bound."""
    pg = W.playground(lr=10.0)
    pg.train()
    run = pg.run
    h = run.history
    assert run.start_loss < 1 and h.train_loss[-1] > 10  # what the student saw
    assert run.diverging and not h.diverged and run.trend == "unstable"
    first, last = np.median(h.train_loss[:10]), np.median(h.train_loss[-10:])
    assert first > 10 * run.start_loss and 0.5 < last / first < 2  # up at once, then flat
    assert "unstable" in pg.status.value and "diverging" not in pg.status.value
    assert f"{run.start_loss:.4f}" in pg.status.value
    assert loss_axes(pg).get_yscale() == "log" and "unstable" in loss_axes(pg).get_title()
    pg.controls["lr"].value = 0.1
    pg.train()
    assert not pg.run.diverging and "unstable" not in pg.status.value
    assert "unstable" not in loss_axes(pg).get_title()


def test_a_growing_loss_is_diverging():
    run = train_playground(dataset="sine", lr=1.0, epochs=10)
    losses = np.array(run.history.train_loss)
    assert not run.history.diverged and np.all(np.diff(losses) > 0)  # growing, still finite
    assert run.trend == "growing"
    assert "diverging: the training loss is growing" in run.summary()


@pytest.mark.parametrize("losses, start, trend", [
    # spirals, 4 x 32, batch 1, lr 0.1: falling, with one noisy last epoch above the start
    ([0.7, 0.65, 0.6, 0.55, 0.5, 0.5, 0.48, 0.47, 0.46, 0.45, 0.46, 0.44, 0.9], 0.74, "ok"),
    ([0.7, 0.65, 0.6, 0.55, 0.5, 0.5, 0.48, 0.47, 0.46, 0.45, 0.46, 0.9, 0.9, 0.9], 0.74, "unstable"),
    ([28.0, 22.0, 25.0, 24.0, 27.0, 21.0, 23.0, 26.0, 24.0, 25.0, 23.0], 0.71, "unstable"),
    ([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0], 0.7, "growing"),
    ([0.3], 0.7, "ok"), ([5.0], 0.7, "growing")])
def test_the_verdict_reads_the_recent_median_not_one_epoch(losses, start, trend):
    """Bug: "diverging" flipped on one noisy final epoch (spirals 4x32, batch 1, lr 0.1: 0.46 in
    epoch 111, "diverging" in 130), and was said of a loss that jumped once and stayed flat."""
    from nnlib.playground import loss_trend, recent_epochs
    assert loss_trend(losses, start) == trend
    k = recent_epochs(len(losses))
    above = np.median(losses[-k:]) > DIVERGING_MARGIN * start
    assert (trend != "ok") == above

@pytest.mark.parametrize("settings", [
    {"lr": 10.0}, {"lr": 10.0, "activation": "relu"}, {"activation": "heaviside", "lr": 1.0},
    {"dataset": "circles", "activation": "relu", "lr": 0.001, "epochs": 40},
    {"dataset": "sine", "activation": "sigmoid", "lr": 1.0, "epochs": 40},
    {"dataset": "spirals", "hidden_layers": 0}, {}])
def test_the_summary_says_what_the_numbers_say(settings):
    from nnlib.playground import recent_epochs
    run = train_playground(**settings)
    h, text = run.history, run.summary()
    recent = np.median(h.train_loss[-recent_epochs(h.epochs):])
    flagged = recent > DIVERGING_MARGIN * run.start_loss
    assert ("diverging" in text or "unstable" in text) == flagged
    assert ("worse than guessing" in text) == (not flagged and run.after_loss > DIVERGING_MARGIN * run.chance_loss)
    assert f"{h.epochs} epochs" in text and f"({run.dataset}, lr {run.lr:g})" in text
    if not flagged:  # the trained network's score, from evaluate, beside fit's running figure
        after, _ = nnlib.evaluate(run.model, nnlib.CrossEntropyLoss() if run.task == "classification"
                                  else nnlib.MSELoss(), run.X, run.y)
        assert f"after training: loss {after:.4f} on the training data" in text
        assert f"running figure {h.train_loss[-1]:.4f}" in text


def test_chance_is_what_a_model_that_learned_nothing_scores():
    run = new_run("moons")
    assert run.chance_loss == pytest.approx(np.log(2))
    sine = new_run("sine")
    assert sine.chance_loss == pytest.approx(nnlib.MSELoss()(np.full_like(sine.y, sine.y.mean()), sine.y))


def test_a_run_that_diverges_in_its_first_epoch_shows_its_steps():
    """Bug: "diverged after 0 epochs" showed an empty loss panel."""
    pg = W.playground(dataset="sine", activation="relu", lr=10.0, epochs=50)
    pg.train()
    run = pg.run
    assert run.history.diverged and run.history.epochs == 0
    assert not np.isfinite(run.step_losses[-1]) and np.isfinite(run.step_losses[:-1]).all()
    steps = len(run.step_losses) - 1
    assert f"after {steps} SGD steps" in pg.status.value
    ax = loss_axes(pg)
    curve = ax.lines[0]
    np.testing.assert_array_equal(curve.get_ydata(), [run.start_loss] + run.step_losses[:-1])
    assert ax.get_yscale() == "log" and "epoch 1" in ax.get_title()
    assert any("inf" in t.get_text() or "NaN" in t.get_text() for t in ax.texts)


def test_zero_hidden_layers_greys_out_units_and_activation():
    pg = W.playground()
    units, activation = pg.controls["units"], pg.controls["activation"]
    assert not units.disabled and not activation.disabled
    pg.controls["hidden_layers"].value = 0
    assert units.disabled and activation.disabled
    pg.train()
    assert "no hidden layers" in pg.units_figure.axes[0].texts[0].get_text()
    pg.controls["hidden_layers"].value = 3
    assert not units.disabled and not activation.disabled
    assert W.playground(hidden_layers=0).controls["units"].disabled  # from the start, too


def test_stop_ends_a_long_run_from_the_button():
    """Bug: batch 1, 500 epochs, 4 x 32 locked the Train button for 25 s with no way out."""
    pg = W.playground(hidden_layers=4, units=32, batch_size=1, epochs=500)
    assert pg.stop_button.disabled
    pg.train_button.click()
    deadline = time.monotonic() + 30
    while (pg.run is None or pg.run.history.epochs < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pg.busy and pg.train_button.disabled and not pg.stop_button.disabled
    pg.stop_button.click()
    assert pg.wait(timeout=10), "training did not stop within 10 s of the click"
    run = pg.run
    assert run.stopped and 2 <= run.history.epochs < 500
    assert f"stopped after {run.history.epochs} of 500 epochs" in pg.status.value
    assert not pg.train_button.disabled and pg.stop_button.disabled
    assert png(pg.result_output) and png(pg.units_output)  # the stopped model is drawn
    pg.controls["epochs"].value, pg.controls["batch_size"].value = 10, 200
    pg.train_button.click()  # a fresh run: the old Stop click does not stop it
    assert pg.wait(timeout=60) and pg.run.history.epochs == 10 and not pg.run.stopped


def test_each_hidden_unit_gets_its_own_picture():
    pg = W.playground(epochs=20)
    pg.train()
    ax = pg.units_figure.axes[0]
    res, gap = 24, plotting.UNIT_GAP
    outputs = plotting.hidden_outputs(pg.run.model, grid_of(pg.run.X, res))
    assert [out.shape[1] for _, out in outputs] == [8, 8]
    for layer, (name, out) in enumerate(outputs):
        image = np.ma.filled(ax.images[layer].get_array(), np.nan)  # one image per layer
        for unit in range(8):
            top, left = gap, gap + unit * (res + gap)
            tile = image[top:top + res, left:left + res]
            a = out[:, unit].reshape(res, res)[::-1]  # x2 grows upwards
            np.testing.assert_allclose(tile, a, atol=1e-12)  # tanh: -1 red, 0 white, +1 blue
    before = png(pg.units_output)
    pg.train()  # redrawn after training: the same settings give the same picture...
    assert png(pg.units_output) == before
    pg.controls["epochs"].value = 200  # ...and more training a different one
    pg.train()
    assert png(pg.units_output) != before


def grid_of(X, res, padding=0.5):
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], res), np.linspace(lo[1], hi[1], res))
    return np.c_[g1.ravel(), g2.ravel()]


def test_unit_colours_follow_the_activation_range():
    relu = plotting._unit_colours(np.array([0.0, 1.0, 4.0]), "relu")
    np.testing.assert_allclose(relu, [-1.0, -0.5, 1.0])  # 0 is ReLU's lowest, the max its highest
    sig = plotting._unit_colours(np.array([0.0, 0.5, 1.0]), "sigmoid")
    np.testing.assert_allclose(sig, [-1.0, 0.0, 1.0])
    assert (plotting._unit_colours(np.zeros(3), "relu") == -1).all()  # a dead ReLU: all lowest
    assert np.isnan(plotting._unit_colours(np.array([np.nan, np.inf]), "tanh")).all()


def test_heaviside_freezes_the_hidden_layers_but_not_the_output_layer():
    run = train_playground(activation="heaviside", epochs=30)
    before = nnlib.mlp([2, 8, 8, 2], "heaviside", rng=0)
    moved = [np.abs(run.model[i].W.data - before[i].W.data).max() for i in (0, 2, 4)]
    assert moved[0] == 0 and moved[1] == 0 and moved[2] > 0.1
    assert run.history.train_acc[-1] > 0.6  # the output layer alone learns something


def test_train_says_training_at_once_and_greys_the_old_pictures():
    """Bug: after Train, the old run's pictures and "done: ..." stayed for 3-4 s (until 10 % of
    the epochs had run)."""
    pg = W.playground(epochs=20)
    pg.train()
    pg.controls["epochs"].value = 30
    events = []
    pg.status.observe(lambda c: events.append(("status", c["new"])), names="value")
    for name in ("loss", "result", "units"):
        getattr(pg, f"{name}_output").observe(
            lambda c, name=name: events.append((name, c["new"][0]["data"]["text/plain"])), names="outputs")
    pg.train_button.click()
    assert pg.wait(timeout=60)
    assert events[0] == ("status", "training (moons, lr 0.1)...")  # before anything is computed
    assert {e[0] for e in events[1:4]} == {"loss", "result", "units"}  # then the three turn grey
    assert all(e[1].endswith("(stale)") for e in events[1:4])
    first_new = next(i for i, e in enumerate(events) if e[0] == "loss" and "stale" not in e[1])
    assert first_new == 4  # next, the new run's epoch 0, before its first epoch
    assert events[-1][0] == "status" and events[-1][1].startswith("done: 30 epochs (moons, lr 0.1)")
    for out in (pg.loss_output, pg.result_output, pg.units_output):
        assert "stale" not in out.outputs[0]["data"]["text/plain"]


def test_grey_out_makes_a_picture_grey():
    from PIL import Image
    import io
    pg = W.playground(epochs=10)
    pg.train()
    W._grey_out(pg.result_output)
    image = np.asarray(Image.open(io.BytesIO(png(pg.result_output))))
    assert image.ndim == 2 and image.min() >= 150  # grey levels only, and light


def test_controls_are_disabled_while_training_and_a_change_after_says_so():
    """Bug: the controls stayed live during and after a run, with no sign the picture was stale."""
    pg = W.playground(hidden_layers=4, units=32, batch_size=1, epochs=500)
    seen = []

    def watch(change):  # the first drawing of the new run: epoch 0, training has begun
        if not seen:
            seen.append({name: c.disabled for name, c in pg.controls.items()})
            pg.stop()
    pg.loss_output.observe(watch, names="outputs")
    pg.train_button.click()
    assert pg.wait(timeout=60)
    assert seen and all(seen[0].values()), seen  # every control greyed while it ran
    assert not any(c.disabled for c in pg.controls.values())  # and back after
    status = pg.status.value
    assert "stopped after" in status and "(moons, lr 0.1)" in status
    pg.controls["lr"].value = 1.0
    assert pg.status.value == status + " · settings changed: press Train"
    pg.controls["lr"].value = 0.1  # back to the run's settings: the picture is the run's again
    assert pg.status.value == status
    pg.controls["hidden_layers"].value = 0
    assert pg.status.value.endswith("settings changed: press Train")
    pg.controls["epochs"].value, pg.controls["batch_size"].value = 10, 200
    pg.train()
    assert pg.controls["units"].disabled and pg.controls["activation"].disabled  # 0 layers: still greyed
    assert "settings changed" not in pg.status.value


def legend_covers(ax):
    """The plotted points (line vertices and the straight segments between them, densified)
    that lie inside the legend's box, in pixels."""
    renderer = ax.figure.canvas.get_renderer()
    box = ax.get_legend().get_window_extent(renderer)
    hits = []
    for line in ax.lines:
        xy = np.c_[line.get_xdata(), line.get_ydata()].astype(float)
        xy = xy[np.isfinite(xy).all(axis=1)]
        px = line.get_transform().transform(xy)
        if len(px) > 1:  # points along each segment too: a line can cross a box between vertices
            t = np.linspace(0, 1, 20)[:, None, None]
            px = (px[:-1] * (1 - t) + px[1:] * t).reshape(-1, 2)
        inside = (px[:, 0] >= box.x0) & (px[:, 0] <= box.x1) & (px[:, 1] >= box.y0) & (px[:, 1] <= box.y1)
        hits += [(line.get_label(), tuple(p)) for p in px[inside]]
    return hits


@pytest.mark.parametrize("settings", [{}, {"lr": 10.0}, {"dataset": "sine", "units": 16, "epochs": 30},
                                      {"dataset": "sine", "activation": "relu", "lr": 10.0},
                                      {"dataset": "sine", "lr": 1.0, "epochs": 10}])
def test_the_loss_legend_covers_no_data(settings):
    """Bug: the legend covered the curves of the diverging panels (lr 10), and the dashed
    "guessing" line ran behind it."""
    pg = W.playground(**settings)
    pg.train()
    ax = loss_axes(pg)
    assert ax.get_legend() is not None and legend_covers(ax) == []


def test_a_loss_falling_by_more_than_ten_times_gets_a_log_axis():
    """Bug: sine's linear loss axis was dominated by the untrained 2.1."""
    pg = W.playground(dataset="sine", noise=0.1, units=16, epochs=30)
    pg.train()
    h = pg.run.history
    assert pg.run.start_loss > 10 * min(h.train_loss)
    assert loss_axes(pg).get_yscale() == "log"
    ax = loss_axes(pg)
    dot = [line for line in ax.lines if line.get_label() == "trained network"]
    assert dot and dot[0].get_ydata()[0] == pg.run.after_loss


def test_log_ticks_are_round_decades():
    """Bug: a run that diverged in epoch 1 had ticks at 10^-1, 10^60, 10^121..."""
    assert list(W.decade_ticks(-1, 300)) == [0, 100, 200, 300]
    assert list(W.decade_ticks(-2, 1)) == [-2, -1, 0, 1]
    for lo, hi in [(-3, 2), (-1, 12), (0, 47), (-2, 308)]:
        ticks = W.decade_ticks(lo, hi)
        step = ticks[1] - ticks[0]
        assert 2 <= len(ticks) <= 6 and step in (1, 2, 5, 10, 20, 50, 100) and ticks[0] % step == 0


def test_the_result_says_it_shows_the_training_points():
    pg = W.playground(epochs=10)
    pg.train()
    title = pg.result_figure.axes[0].get_title()
    assert "(training points)" in title
    n = len(pg.result_figure.axes[0].collections[-1].get_offsets())
    assert n == len(pg.run.X)


def test_unit_pictures_say_what_their_colours_are():
    """Bug: the caption said "red: its lowest, blue: its highest" while tanh's colours were
    fixed at -1 and +1 (a unit ranging -0.06..0.12 looked white)."""
    pg = W.playground(epochs=10)
    pg.train()
    texts = " ".join(t.get_text() for t in pg.units_figure.texts)
    assert "tanh: red -1, white 0, blue +1, fixed" in texts and "lowest" not in texts
    key = pg.units_figure.axes[-1]
    assert [t.get_text() for t in key.get_xticklabels()] == ["-1", "0", "+1"]
    # the key's colours are the pictures' colours: -1 red, +1 blue, on the same map
    assert key.images[0].get_cmap() is pg.units_figure.axes[0].images[0].get_cmap()
    assert key.images[0].get_clim() == (-1, 1) == pg.units_figure.axes[0].images[0].get_clim()
    pg.controls["activation"].value = "relu"
    pg.train()
    texts = " ".join(t.get_text() for t in pg.units_figure.texts)
    assert "relu: red 0, blue its max, each unit scaled to its own largest output" in texts
    pg.controls["dataset"].value = "sine"
    pg.train()
    assert "line here, not a plane" in " ".join(t.get_text() for t in pg.units_figure.texts)


@pytest.mark.parametrize("units", [8, 32])
def test_unit_pictures_fill_the_panel_and_layers_stand_apart(units):
    """Bug: with 8 units the right half of the panel was empty, and 32-unit layers wrapped into
    two rows with no break between one layer and the next."""
    pg = W.playground(hidden_layers=3, units=units, epochs=10)
    pg.train()
    fig = pg.units_figure
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    boxes = [im.get_window_extent(renderer) for im in ax.images]
    assert len(boxes) == 3
    width = fig.get_size_inches()[0] * fig.dpi
    right = max(b.x1 for b in boxes)
    assert right > 0.6 * width  # the pictures, not blank space, take most of the width
    for upper, lower in zip(boxes, boxes[1:]):  # white space between layers, wider than between units
        assert upper.y0 - lower.y1 >= 2 * plotting.UNIT_GAP * W.UNIT_SCALE


def test_the_app_page_links_only_files_and_names_stop_and_the_unit_pictures():
    """Bug: the app page linked ../nnlib, a folder (404 under Voila), and did not mention Stop
    or the unit pictures."""
    import json
    import re
    from pathlib import Path
    app = Path(__file__).resolve().parent.parent / "app" / "playground.ipynb"
    text = "".join("".join(cell["source"]) for cell in json.loads(app.read_text())["cells"]
                   if cell["cell_type"] == "markdown")
    for target in re.findall(r"\]\(([^)]+)\)", text):
        if not re.match(r"https?://", target):
            assert (app.parent / target).is_file(), target
    assert "**Stop**" in text and "hidden unit" in text
