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
