"""Widgets: set a control as a user would; the figure changes, and what it shows is nnlib's own
computation (read back from the matplotlib artists, not from the widget's bookkeeping)."""
import io

import numpy as np
import pytest
from PIL import Image

import nnlib
from nnlib import widgets as W
from widget_helpers import assert_redraws, shown_png


def test_neuron_explorer_shows_the_dense_layers_output():
    e = W.neuron_explorer()
    assert_redraws(e, "w1", 2.5)
    assert_redraws(e, "w0", -1.0)
    assert_redraws(e, "activation", "tanh")
    image = e.figure.axes[0].images[0].get_array()  # (n, n) as drawn
    neuron = nnlib.Dense(2, 1, rng=0)
    neuron.W.data[:] = [[2.5, -1.0]]
    neuron.b.data[:] = [-1.0]
    x = np.linspace(-3, 3, image.shape[0])
    X1, X2 = np.meshgrid(x, x)
    expected = nnlib.Tanh()(neuron(np.c_[X1.ravel(), X2.ravel()])).reshape(image.shape)
    np.testing.assert_allclose(image, expected, rtol=0, atol=1e-12)
    # the dashed decision line is where w1 x1 + w2 x2 + w0 = 0
    line = e.figure.axes[0].lines[0]
    x1, x2 = line.get_xdata(), line.get_ydata()
    np.testing.assert_allclose(2.5 * x1 - 1.0 * x2 - 1.0, 0, atol=1e-12)


@pytest.mark.parametrize("name", sorted(nnlib.ACTIVATIONS))
def test_activation_explorer_draws_phi_and_its_chain_rule_derivative(name):
    e = W.activation_explorer()
    if name != "sigmoid":
        assert_redraws(e, "activation", name)
    assert_redraws(e, "a", 2.0)
    assert_redraws(e, "b", -0.5)
    phi_line, dphi_line = [line for line in e.figure.axes[0].lines if len(line.get_xdata()) > 1][:2]
    layer = nnlib.get_activation(name)
    for line, f in [(phi_line, layer.phi), (dphi_line, lambda z: 2.0 * layer.dphi(z))]:
        x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        drawn = np.isfinite(x)  # a curve that jumps is broken by one NaN at the jump
        assert drawn.sum() >= 800 and np.isnan(y[~drawn]).all()
        np.testing.assert_allclose(y[drawn], f(2.0 * x[drawn] - 0.5), atol=1e-15)


def test_neuron_explorer_marks_the_unit_squares_corners():
    """Notebook 01's exercise 2 asks for an AND gate on the corners: the explorer shows them."""
    e = W.neuron_explorer()
    for settings in [{}, {"activation": "heaviside", "w1": 1.0, "w2": 1.0, "w0": -1.5}]:
        for name, value in settings.items():
            e.controls[name].value = value
        ax = e.figure.axes[0]
        (corners,) = [c for c in ax.collections if c.get_label() == "corners of the unit square"]
        assert sorted(map(tuple, corners.get_offsets().tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]
        labels = {t.get_text() for t in ax.texts}
        assert {"(0,0)", "(0,1)", "(1,0)", "(1,1)"} <= labels
    assert ax.get_title() == "y = heaviside(x₁ + x₂ − 1.5)"  # written as a student writes it


# Every activation at the ends of the explorer's sliders (a, b in [-3, 3]), plus a = 0.
SLIDER_ENDS = [(a, b) for a in (-3.0, 0.0, 3.0) for b in (-3.0, 3.0)] + [(1.0, 0.0), (-0.25, 0.0)]


@pytest.mark.parametrize("name", sorted(nnlib.ACTIVATIONS))
def test_activation_explorer_legend_never_covers_a_curve(name):
    e = W.activation_explorer(activation=name)
    for a, b in SLIDER_ENDS:
        e.controls["a"].value, e.controls["b"].value = a, b
        ax = e.figure.axes[0]
        box = ax.get_legend().get_window_extent(e.figure.canvas.get_renderer())  # pixels
        curves = [line for line in ax.lines if line.get_transform() is ax.transData]  # not axhline
        assert len(curves) >= 2
        for line in curves:
            xy = np.c_[line.get_xdata(), line.get_ydata()].astype(float)
            px = ax.transData.transform(xy[np.isfinite(xy).all(axis=1)])
            inside = ((px[:, 0] >= box.x0) & (px[:, 0] <= box.x1)
                      & (px[:, 1] >= box.y0) & (px[:, 1] <= box.y1))
            assert not inside.any(), (name, a, b, line.get_label(), xy[np.isfinite(xy).all(axis=1)][inside][:3])
        bottom, top = ax.get_ylim()
        assert all(bottom <= y <= top for line in curves for y in np.asarray(line.get_ydata(), float)
                   if np.isfinite(y)), (name, a, b)  # and every curve is inside the plot


def test_network_explorer_counts_parameters_like_the_model_does():
    e = W.network_explorer()
    assert "= 9" in e.caption.value  # the notes' 2-3-1 network without biases
    assert_redraws(e, "hidden2", 4)
    assert_redraws(e, "bias", True)
    model = nnlib.mlp([2, 3, 4, 1], "relu", rng=0)
    assert e.caption.value.endswith(f"= {model.num_parameters()}</pre>")
    assert f"{model.num_parameters()} parameters" in e.figure.axes[0].get_title()
    assert_redraws(e, "hidden1", 0)  # a hidden size of 0 removes the layer
    assert "2-4-1 network" in e.figure.axes[0].get_title()


def test_softmax_explorer_shows_nnlibs_softmax_and_loss():
    e = W.softmax_explorer()
    assert_redraws(e, "z1", 3.0)
    assert_redraws(e, "temperature", 2.0)
    assert_redraws(e, "true_class", 2)
    heights = [bar.get_height() for bar in e.figure.axes[0].patches]
    z = np.array([[2.0, 3.0, 0.1]]) / 2.0
    np.testing.assert_allclose(heights, nnlib.softmax(z)[0], atol=1e-15)
    loss = nnlib.CrossEntropyLoss().forward(z, np.array([2]))
    assert f"cross-entropy = {loss:.4f}" in e.caption.value


def test_softmax_sliders_are_named_by_class_counted_from_0():
    """Student finding: sliders z1, z2, z3 scored classes 0, 1, 2 while the title says p[2]."""
    e = W.softmax_explorer(z=(0.5, -1.0, 2.0))
    assert [e.controls[f"z{c}"].description for c in range(3)] == ["z0", "z1", "z2"]
    e.controls["true_class"].value = 2
    heights = [bar.get_height() for bar in e.figure.axes[0].patches]
    np.testing.assert_allclose(heights, nnlib.softmax(np.array([0.5, -1.0, 2.0])), atol=1e-15)
    assert "p[2]" in e.figure.axes[0].get_title()


@pytest.mark.parametrize("true_class", [0, 1, 2])
def test_the_true_class_is_marked_even_when_its_probability_is_0(true_class):
    """Student finding: at z = (5, 0, -5), T = 0.1, true class 2, the true bar (p = 0) and its
    outline were a hairline: only the title said which class was true. Its tick label says so
    in bold, in the picture the student sees."""
    e = W.softmax_explorer()
    for name, value in {"z0": 5.0, "z1": 0.0, "z2": -5.0, "temperature": 0.1, "true_class": true_class}.items():
        e.controls[name].value = value
    labels = e.figure.axes[0].get_xticklabels()  # after the PNG was drawn: what it shows
    assert [t.get_text() for t in labels] == [f"class {c}" + (" (true)" if c == true_class else "")
                                              for c in range(3)]
    assert [t.get_fontweight() for t in labels] == ["bold" if c == true_class else "normal" for c in range(3)]
    assert e.figure.axes[0].patches[2].get_height() < 1e-20  # the case of the finding: a hairline


def test_network_caption_says_an_empty_first_hidden_layer_is_skipped():
    """Student finding: hidden 1 = 0, hidden 2 = 5 drew a 2-5-1 network whose middle layer is
    labelled "hidden 1", with nothing saying why."""
    e = W.network_explorer()
    assert "skipped" not in e.caption.value
    e.controls["hidden1"].value = 0
    e.controls["hidden2"].value = 5
    assert "2-5-1 network" in e.figure.axes[0].get_title()
    assert "hidden 1 = 0: an empty layer is skipped, so the 5 units of hidden 2" in e.caption.value
    e.controls["hidden2"].value = 0                     # no hidden layer at all: nothing to explain
    assert "skipped" not in e.caption.value and "2-1 network" in e.figure.axes[0].get_title()


def test_setting_the_same_value_again_does_not_redraw():
    e = W.softmax_explorer()
    calls = []
    e._draw, original = (lambda fig, **v: calls.append(v) or original(fig, **v)), e._draw
    e.controls["z1"].value = e.controls["z1"].value
    assert calls == []
    e.controls["z1"].value = -1.0
    assert len(calls) == 1 and calls[0]["z1"] == -1.0


# The widgets use fixed margins instead of constrained layout (see nnlib.widgets.new_figure), so
# nothing moves labels out of the way: check that every label, title and colour bar stays inside
# the picture, at the settings with the widest labels.
EXTREMES = {
    "neuron_explorer": [{}, {"activation": "heaviside", "w1": -2.75, "w2": -2.75, "w0": -2.75},
                        {"activation": "tanh", "w1": -3.0}],
    "activation_explorer": [{}, {"activation": "heaviside", "a": -2.75, "b": -2.25},
                            {"activation": "linear", "a": 3.0, "b": 3.0}],
    "network_explorer": [{}, {"n_in": 6, "hidden1": 8, "hidden2": 8, "n_out": 6, "bias": True}],
    "softmax_explorer": [{}, {"temperature": 0.1, "true_class": 2, "z2": -5.0}],
}


def assert_inside(fig):
    box = fig.get_tightbbox(fig.canvas.get_renderer())  # all artists, in inches
    width, height = fig.get_size_inches()
    tolerance = 1.5 / fig.dpi  # a pixel and a half: anti-aliasing of the outermost edges
    assert box.x0 >= -tolerance and box.y0 >= -tolerance, box
    assert box.x1 <= width + tolerance and box.y1 <= height + tolerance, (box, width, height)


@pytest.mark.parametrize("builder", list(EXTREMES))
def test_labels_stay_inside_the_figure(builder):
    e = getattr(W, builder)()
    for settings in EXTREMES[builder]:
        for name, value in settings.items():
            e.controls[name].value = value
        assert_inside(e.figure)


PLAYGROUND_EXTREMES = [{"dataset": "moons"}, {"dataset": "sine"},
                       {"dataset": "moons", "lr": 10.0},  # diverging: a log axis
                       {"dataset": "sine", "activation": "relu", "lr": 10.0},  # inf in epoch 1
                       {"hidden_layers": 0}, {"hidden_layers": 4, "units": 32, "activation": "relu"},
                       {"dataset": "sine", "hidden_layers": 4, "units": 32}]


def test_playground_labels_stay_inside_the_figures():
    pg = W.playground(epochs=10)
    for settings in PLAYGROUND_EXTREMES:
        pg.controls["activation"].value, pg.controls["lr"].value = "tanh", 0.1
        for name, value in settings.items():
            pg.controls[name].value = value
        pg.train()
        for fig in (pg.loss_figure, pg.result_figure, pg.units_figure):
            assert_inside(fig)


def test_widget_figures_are_drawn_at_the_png_resolution():
    e = W.activation_explorer()
    assert e.figure.get_layout_engine() is None and e.figure.dpi == W.PNG_DPI
    width, height = (e.figure.get_size_inches() * W.PNG_DPI).round()
    assert Image.open(io.BytesIO(shown_png(e))).size == (width, height)


def test_explorer_rejects_an_unknown_margin():
    with pytest.raises(ValueError, match="margins takes the keys .*'lefft'"):
        W.Explorer({}, W.draw_activation, margins={"lefft": 0.1})


def test_network_explorer_at_its_minimum_says_1_parameter():
    """Bug: the smallest network was titled "1-1 network: 1 parameters"."""
    e = W.network_explorer(n_in=1, hidden1=0, hidden2=0, n_out=1)
    title = e.figure.axes[0].get_title()
    assert title.startswith("1-1 network: 1 parameter ") and "parameters" not in title
    e.controls["bias"].value = True  # 1 weight + 1 bias
    assert "1-1 network: 2 parameters" in e.figure.axes[0].get_title()
