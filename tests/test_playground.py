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
    assert train.get_label() == "training" and val.get_label() == "validation"
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
    linear axis where the climb was a flat line at the top."""
    pg = W.playground(lr=10.0)
    pg.train()
    run = pg.run
    assert run.start_loss < 1 and run.history.train_loss[-1] > 10  # what the student saw
    assert run.diverging and not run.history.diverged
    assert "diverging" in pg.status.value and f"{run.start_loss:.4f}" in pg.status.value
    assert loss_axes(pg).get_yscale() == "log" and "diverging" in loss_axes(pg).get_title()
    pg.controls["lr"].value = 0.1
    pg.train()
    assert not pg.run.diverging and "diverging" not in pg.status.value
    assert loss_axes(pg).get_yscale() == "linear"


@pytest.mark.parametrize("settings", [
    {"lr": 10.0}, {"lr": 10.0, "activation": "relu"}, {"activation": "heaviside", "lr": 1.0},
    {"dataset": "circles", "activation": "relu", "lr": 0.001, "epochs": 40},
    {"dataset": "sine", "activation": "sigmoid", "lr": 1.0, "epochs": 40},
    {"dataset": "spirals", "hidden_layers": 0}, {}])
def test_the_summary_says_what_the_numbers_say(settings):
    run = train_playground(**settings)
    h, text = run.history, run.summary()
    last = h.train_loss[-1]
    assert ("diverging" in text) == (last > DIVERGING_MARGIN * run.start_loss)
    assert ("worse than guessing" in text) == (not run.diverging and last > DIVERGING_MARGIN * run.chance_loss)
    assert f"{h.epochs} epochs" in text


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
    (ax,) = pg.units_figure.axes
    image = np.ma.filled(ax.images[0].get_array(), np.nan)
    res, gap = 24, 3
    outputs = plotting.hidden_outputs(pg.run.model, grid_of(pg.run.X, res))
    assert [out.shape[1] for _, out in outputs] == [8, 8]
    for layer, (name, out) in enumerate(outputs):
        for unit in range(8):
            top, left = gap + layer * (res + gap), gap + unit * (res + gap)
            tile = image[top:top + res, left:left + res]
            a = out[:, unit].reshape(res, res)[::-1]  # x2 grows upwards
            np.testing.assert_allclose(tile, a, atol=1e-12)  # tanh: lowest -1 red, highest 1 blue
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
