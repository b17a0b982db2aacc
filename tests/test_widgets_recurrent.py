"""Notebook 11's figures and widget: what is drawn is nnlib's own computation (read back from
the matplotlib artists), and the slider changes the picture."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import nnlib  # noqa: E402
from nnlib import plotting_recurrent as PR  # noqa: E402
from nnlib import widgets_recurrent as WR  # noqa: E402
from nnlib.bptt import gradient_vs_lag, lag_inputs, scaled_rnn  # noqa: E402
from widget_helpers import assert_redraws  # noqa: E402


def test_gradient_explorer_draws_the_measured_curves_and_the_slider_redraws():
    e = WR.gradient_explorer(scale=0.5)
    assert_redraws(e, "scale", 2.0)
    rnn_line, lstm_line = e.figure.axes[0].lines
    x = lag_inputs(WR.N_SEQUENCES, WR.T, WR.INPUT_SIZE, rng=0)
    expected = gradient_vs_lag(scaled_rnn(2.0, WR.INPUT_SIZE, WR.HIDDEN, rng=1), x, rng=2)
    np.testing.assert_allclose(rnn_line.get_ydata(), expected)
    np.testing.assert_allclose(lstm_line.get_ydata(), WR.lstm_reference(x))
    assert "2.00" in rnn_line.get_label() and f"{expected[20] / expected[0]:.2e}" in e.caption.value


def test_the_caption_shows_vanishing_below_one_and_growth_above():
    e = WR.gradient_explorer(scale=0.5)
    small = float(e.caption.value.split("lag 20 / lag 0 = ")[1].split(",")[0])
    e.controls["scale"].value = 2.5
    large = float(e.caption.value.split("lag 20 / lag 0 = ")[1].split(",")[0])
    assert small < 1e-4 and large > 10


def test_plot_gradient_vs_lag_draws_values_outside_the_frame_as_they_are_and_labels_each_curve():
    fig = Figure()
    ax = PR.plot_gradient_vs_lag(fig.add_subplot(), {"a": np.array([1.0, 1e-20, 1e9]), "b": np.ones(3)},
                                 ylim=(1e-6, 1e3))
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 1e-20, 1e9])   # no floor, no ceiling
    assert ax.get_ylim() == (1e-6, 1e3)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_plot_accuracy_vs_T_draws_each_kind_in_its_colour():
    fig = Figure()
    ax = PR.plot_accuracy_vs_T(fig.add_subplot(), [5, 10], {"RNN": [1.0, 0.3], "LSTM": [1.0, 0.9]}, chance=0.25)
    assert ax.lines[0].get_color() == PR.RNN_COLOR and list(ax.lines[1].get_ydata()) == [1.0, 0.9]
    assert list(ax.lines[2].get_ydata()) == [0.25, 0.25]


def test_plot_gates_shows_the_lstms_own_gates():
    lstm = nnlib.LSTM(3, 4, rng=0)
    lstm.forward(np.random.default_rng(1).standard_normal((2, 6, 3)))
    gates, cells = lstm.gates(), lstm.cells()
    fig = Figure()
    axes = fig.subplots(4, 1)
    images = PR.plot_gates(axes, {k: v[1] for k, v in gates.items()}, cells[1], units=[2, 0])
    np.testing.assert_array_equal(images[1].get_array(), gates["f"][1][:, [2, 0]].T)
    np.testing.assert_array_equal(images[3].get_array(), cells[1][:, [2, 0]].T)


def test_plot_unrolled_draws_one_box_per_step():
    fig = Figure()
    ax = PR.plot_unrolled(fig.add_subplot(), T=5)
    assert sum(t.get_text() == "tanh(Wx x + Wh h + b)" for t in ax.texts) == 5


def test_plot_memory_traces_draws_one_line_per_version():
    traces = np.arange(12.0).reshape(3, 4)
    ax = PR.plot_memory_traces(Figure().add_subplot(), traces)
    assert len(ax.lines) == 3 and list(ax.lines[2].get_ydata()) == [8.0, 9.0, 10.0, 11.0]
    assert ax.lines[1].get_label() == "first symbol B"


def test_the_explorer_at_a_small_scale_draws_no_floor():
    """At scale 0.25 the RNN's gradient falls below 1e-12 after about 20 steps: the line must keep
    falling (out of the axes), not run flat at the axes' bottom."""
    e = WR.gradient_explorer(scale=0.25)
    y = e.figure.axes[0].lines[0].get_ydata()
    assert y[-1] < 1e-20 and not np.any(y == 1e-12)
