"""Plotting functions: ax in, ax out, drawing what nnlib computes."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

import nnlib
from nnlib import plotting


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_plot_activation_returns_ax_with_labelled_axes(ax):
    assert plotting.plot_activation(ax, "tanh") is ax
    assert ax.get_xlabel() and ax.get_ylabel()
    x = ax.lines[0].get_xdata()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.tanh(x))
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 1 - np.tanh(x) ** 2)


def curves(ax):
    """The lines drawn in data coordinates (not axhline/axvline, whose x or y is in axes units)."""
    return [line for line in ax.lines if line.get_transform() is ax.transData]


def steepest_segment(line):
    """The largest |dy/dx| between neighbouring drawn points of a Line2D (NaN breaks it)."""
    x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    dx, dy = np.diff(x), np.diff(y)
    ok = np.isfinite(dx) & np.isfinite(dy)
    return float(np.max(np.abs(dy[ok] / dx[ok]))) if ok.any() else 0.0


@pytest.mark.parametrize("name", sorted(nnlib.ACTIVATIONS))
@pytest.mark.parametrize("a, b", [(1.0, 0.0), (3.0, 3.0), (-3.0, -3.0), (2.0, -0.5), (-0.5, 1.0)])
def test_no_curve_is_drawn_as_a_vertical_jump(ax, name, a, b):
    """phi(a x + b) and a phi'(a x + b) have slopes of at most |a| and a^2 max|phi''| < 7 here;
    a jump drawn as one line would be a segment of slope > 40 (a step of 0.5 or more over one
    grid spacing of 0.0125)."""
    plotting.plot_activation(ax, name, a=a, b=b)
    assert len(curves(ax)) >= 2
    for line in curves(ax):
        assert steepest_segment(line) < 10, (line.get_label(), steepest_segment(line))


def test_relus_derivative_is_two_pieces_with_the_convention_at_0(ax):
    """ReLU'(x) is 0 for x < 0 and 1 for x > 0; at 0 nnlib takes 0: a filled dot at (0, 0), an
    open circle at (0, 1), and the line broken in between."""
    plotting.plot_activation(ax, "relu")
    dphi = curves(ax)[1]
    x, y = np.asarray(dphi.get_xdata(), float), np.asarray(dphi.get_ydata(), float)
    assert np.isnan(x).sum() == 1
    assert set(y[np.isfinite(y) & (x < 0)]) == {0.0} and set(y[np.isfinite(y) & (x > 0)]) == {1.0}
    markers = [(line.get_xdata()[0], line.get_ydata()[0], line.get_markerfacecolor())
               for line in ax.lines if line.get_marker() == "o"]
    filled = [(mx, my) for mx, my, face in markers if face != "white"]
    hollow = [(mx, my) for mx, my, face in markers if face == "white"]
    assert (0.0, float(nnlib.relu_prime(0.0))) in filled and (0.0, 1.0) in hollow
    assert steepest_segment(curves(ax)[0]) <= 1.0 + 1e-12  # ReLU itself is continuous: one line


def test_heavisides_step_is_two_pieces_with_h0_a_filled_dot(ax):
    plotting.plot_activation(ax, "heaviside", a=2.0, b=-1.0)  # the jump at x = 0.5
    markers = {(float(line.get_xdata()[0]), float(line.get_ydata()[0]), line.get_markerfacecolor() == "white")
               for line in ax.lines if line.get_marker() == "o"}
    assert markers == {(0.5, 0.0, True), (0.5, float(nnlib.heaviside(0.0)), False), (0.5, 1.0, True)}


def test_plot_curve_breaks_only_at_a_real_jump(ax):
    x = np.linspace(-1, 1, 201)
    plotting.plot_curve(ax, x, np.tanh, jump_at=0.0)  # continuous: one unbroken line, no dots
    plotting.plot_curve(ax, x, nnlib.heaviside, jump_at=0.0)
    assert not np.isnan(ax.lines[0].get_xdata()).any()
    assert np.isnan(ax.lines[1].get_xdata()).sum() == 1 and len(ax.lines) == 2 + 3


def test_neuron_plot_marks_the_corners_of_the_unit_square(ax):
    plotting.plot_neuron(ax, 1.0, 1.0, -1.5, "heaviside")
    (corners,) = ax.collections
    assert sorted(map(tuple, corners.get_offsets().tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_neuron_output_is_a_dense_layer_plus_activation():
    x1, x2, y = plotting.neuron_output(1.0, 2.0, -0.5, "relu", lim=2, n=5)
    assert y.shape == (5, 5)
    assert y[0, 4] == pytest.approx(max(0.0, 1.0 * x1[4] + 2.0 * x2[0] - 0.5))


def test_plot_network_draws_every_edge_and_counts(ax):
    plotting.plot_network(ax, [2, 3, 1], bias=False)
    assert len(ax.lines) == 2 * 3 + 3 * 1
    assert "9 parameters" in ax.get_title()


def test_plot_network_colours_edges_by_sign(ax):
    W1 = np.array([[1.0, -1.0]])
    plotting.plot_network(ax, [2, 1], weights=[W1])
    colours = [line.get_color() for line in ax.lines]
    assert colours == [plotting.POS, plotting.NEG]


def test_plot_probabilities_and_loss_curve(ax):
    plotting.plot_probabilities(ax, [0.2, 0.8], true_class=1)
    assert [p.get_height() for p in ax.patches] == [0.2, 0.8]
    ax.figure.canvas.draw()  # the true class's tick label, as drawn
    assert [(t.get_text(), t.get_fontweight()) for t in ax.get_xticklabels()] == [
        ("class 0", "normal"), ("class 1 (true)", "bold")]
    fig, ax2 = plt.subplots()
    hist = nnlib.History(train_loss=[1.0, 0.5], val_loss=[1.2, 0.7])
    plotting.plot_loss_curve(ax2, hist)
    assert list(ax2.lines[1].get_ydata()) == [1.2, 0.7]
    plt.close(fig)


def test_decision_boundary_matches_model_predictions(ax):
    X, y = nnlib.xor()
    model = nnlib.mlp([2, 4, 2], "tanh", rng=0)
    nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.5), X, y,
              epochs=300, batch_size=4, rng=0)
    plotting.plot_decision_boundary(ax, model, X, y, resolution=50)
    assert model.training  # the model's mode is restored
    points = ax.collections[-1]
    np.testing.assert_array_equal(points.get_offsets(), X)
    np.testing.assert_array_equal(points.get_array(), y)
    assert len(ax.collections) == 3  # shading, boundary, points: XOR has a boundary to draw
    assert ax.get_xlabel() == "$x_1$"


def captions(ax):
    return [t.get_text() for t in ax.texts if "z = 0" in t.get_text()]


@pytest.mark.parametrize("w1, w2, w0, caption", [
    (0.0, 0.0, 1.0, "no line z = 0: w1 = w2 = 0"),
    (1.0, 0.0, -3.5, "line z = 0 outside the view"),    # x1 = 3.5: right of the view
    (0.5, 0.5, 3.5, "line z = 0 outside the view"),     # x1 + x2 = -7: beyond the corner (-3, -3)
    (1.0, -1.0, 0.5, None),                   # the explorer's start: the line crosses the view
    (0.0, 1.0, -3.0, None),                   # x2 = 3: on the view's top edge, still drawn
])
def test_neuron_plot_says_when_its_line_is_not_in_view(ax, w1, w2, w0, caption):
    """Once the dashed line z = 0 vanished without a word when it left the [-3, 3]^2 view or
    did not exist (w1 = w2 = 0)."""
    plotting.plot_neuron(ax, w1, w2, w0, "sigmoid")
    if caption:
        (text,) = captions(ax)
        assert caption in text
    else:
        assert captions(ax) == []
        assert [line for line in ax.lines if line.get_linestyle() == "--"]  # the line is drawn


def phi_and_dphi(ax):
    """The two curves of plot_activation (not the markers at a jump)."""
    phi, dphi = [line for line in curves(ax) if line.get_marker() in ("None", "", None)][:2]
    return phi, dphi


@pytest.mark.parametrize("name", ["relu", "heaviside"])
@pytest.mark.parametrize("a, b", [(1.0, 0.0), (2.0, -1.0), (-1.5, 0.5)])
def test_where_phi_and_its_derivative_coincide_both_stay_visible(ax, name, a, b):
    """For a x + b < 0, ReLU and Heaviside are 0 with derivative 0: one line on top of the other.
    phi is drawn wide underneath, the derivative narrow and dashed on top (once both had
    width 2, and the dashed 0 hid the solid one)."""
    plotting.plot_activation(ax, name, a=a, b=b)
    phi, dphi = phi_and_dphi(ax)
    drawn = {float(x): float(y) for x, y in zip(dphi.get_xdata(), dphi.get_ydata()) if np.isfinite(x)}
    zeros = [float(x) for x, y in zip(phi.get_xdata(), phi.get_ydata()) if y == 0 and float(x) in drawn]
    assert len(zeros) > 100 and all(drawn[x] == 0 for x in zeros)  # they do coincide there
    assert phi.get_linewidth() >= 2 * dphi.get_linewidth()
    assert dphi.get_zorder() > phi.get_zorder() and dphi.get_linestyle() == "--"
    markers = [line for line in ax.lines if line.get_marker() == "o"]
    assert all(m.get_zorder() > dphi.get_zorder() for m in markers)


def jump_labels(ax):
    texts = [t.get_text() for t in ax.texts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in texts + legend if "φ′(0)" in t]


def test_relus_derivative_dot_on_the_kink_is_labelled_as_the_derivatives(ax):
    """ReLU'(0)'s filled dot sits on ReLU's kink at (0, 0): its label says whose value it is."""
    plotting.plot_activation(ax, "relu")
    (label,) = [t for t in ax.texts if "φ′(0)" in t.get_text()]
    assert label.get_text().startswith(f"φ′(0) = {nnlib.relu_prime(0.0):g}")
    assert tuple(label.xy) == (0.0, float(nnlib.relu_prime(0.0)))  # its arrow points at the dot


@pytest.mark.parametrize("a, b, where", [(-2.0, 1.0, "text"), (0.5, 2.25, "legend"), (3.0, -3.0, "text")])
def test_the_derivatives_jump_is_labelled_at_any_slider_setting(a, b, where):
    """Scaled, the label reads a·φ′(0) = 0 (never -0); with no room beside the dot it goes to
    the legend, whose band covers no curve."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    plotting.plot_activation(ax, "relu", a=a, b=b)
    (label,) = jump_labels(ax)
    assert label == "a·φ′(0) = 0 (nnlib)"
    in_text = any("φ′(0)" in t.get_text() for t in ax.texts)
    assert in_text == (where == "text")
    plt.close(fig)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "linear", "heaviside"])
def test_only_a_jumping_derivative_gets_a_label(ax, name):
    plotting.plot_activation(ax, name)
    assert jump_labels(ax) == []


def test_all_five_together_every_curve_is_findable(ax):
    """In the all-five panel linear = ReLU for x > 0 and Heaviside = ReLU = 0 for x < 0. Where
    two curves coincide, the one on top is narrower (so the one below shows on both sides of it)
    and its legend entry says where they coincide; the jump's dots sit above every line."""
    names = ["linear", "sigmoid", "tanh", "heaviside", "relu"]
    plotting.plot_activations(ax, names)
    lines = {line.get_label().split(" ")[0]: line for line in curves(ax) if line.get_marker() in ("None", "")
             and not line.get_label().startswith("_")}
    assert sorted(lines) == sorted(names)
    x = np.linspace(-5, 5, 801)
    overlapping = 0
    for upper in names:
        for lower in names:
            up, low = lines[upper], lines[lower]
            if up is low or up.get_zorder() <= low.get_zorder():
                continue
            y_up = np.interp(x, *[np.asarray(v, float) for v in (up.get_xdata(), up.get_ydata())])
            y_low = np.interp(x, *[np.asarray(v, float) for v in (low.get_xdata(), low.get_ydata())])
            same = np.isclose(y_up, y_low, atol=1e-9)
            if same.sum() > 100:  # they share a stretch
                overlapping += 1
                assert up.get_linewidth() < low.get_linewidth() / 2, (upper, lower)
                assert f"= {lower} for x" in up.get_label(), up.get_label()
    assert overlapping == 2  # linear on ReLU, Heaviside on ReLU
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert dots and all(d.get_zorder() > max(l.get_zorder() for l in lines.values()) for d in dots)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t.split(" ")[0] for t in legend] == names
