"""The Playground: the plain training function, and the widget driven as a user would."""
import base64

import numpy as np
import pytest

import nnlib
from nnlib import widgets as W
from nnlib.playground import DATASETS, make_data, train_playground


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
    model = nnlib.mlp([2, 8, 8, 2], "tanh", rng=0)
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
                     epochs=20, batch_size=16, rng=0)
    assert hist == a.history


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
    pg.train_button.click()  # exactly what a click in the browser does
    assert len(frames) >= 10  # the loss curve was redrawn while training ran
    assert pg.run.history.epochs == 30 and "done: 30 epochs" in pg.status.value
    first = png(pg.result_output)
    curve = pg.loss_figure.axes[0].lines[0].get_ydata()
    np.testing.assert_array_equal(curve, pg.run.history.train_loss)
    pg.controls["units"].value = 2
    pg.train()
    assert png(pg.result_output) != first
    assert pg.run.model[0].W.data.shape == (2, 2)


def test_widget_shows_divergence():
    pg = W.playground(dataset="sine", activation="relu", lr=10.0, epochs=50)
    pg.train()
    assert pg.run.history.diverged and "diverged" in pg.status.value
    assert "diverged" in pg.result_figure.axes[0].texts[0].get_text()
