"""Notebook 11's interactive figure: the gradient of an RNN against the lag, with a slider on
the scale of its recurrent weight, beside an LSTM's.

Built as ``nnlib.widgets`` builds its explorers (controls over a PNG in an Output widget; the
drawing is a plain function ``draw_*(fig, **values)`` that tests call without a browser).
"""
import ipywidgets as widgets
import numpy as np

from . import plotting_recurrent as P
from .bptt import gradient_vs_lag, lag_inputs, scaled_rnn
from .recurrent import LSTM
from .widgets import Explorer

T, N_SEQUENCES, INPUT_SIZE, HIDDEN = 60, 32, 4, 32
FORGET_BIAS = 3.0


def lstm_reference(x, forget_bias=FORGET_BIAS, rng=1):
    """The gradient-versus-lag curve of an LSTM (its forget-gate bias set to ``forget_bias``)
    on the inputs x: (N, T, D)."""
    lstm = LSTM(x.shape[2], HIDDEN, rng=rng)
    lstm.b.data[HIDDEN:2 * HIDDEN] = forget_bias
    return gradient_vs_lag(lstm, x, rng=2)


def draw_gradient_vs_lag(fig, scale, x, lstm_curve):
    """The RNN's curve for recurrent weight ``scale`` times an orthogonal matrix (weights from
    seed 1, the same for every scale) and ``lstm_curve`` for comparison. Returns the caption:
    how much of the last step's gradient is left 20 and 59 steps back for each."""
    rnn_curve = gradient_vs_lag(scaled_rnn(scale, x.shape[2], HIDDEN, rng=1), x, rng=2)
    ax = fig.add_subplot()
    P.plot_gradient_vs_lag(ax, {f"RNN, Wh = {scale:.2f} x orthogonal": rnn_curve,
                                f"LSTM, forget bias {FORGET_BIAS:g}": lstm_curve},
                           colors={f"RNN, Wh = {scale:.2f} x orthogonal": P.RNN_COLOR,
                                   f"LSTM, forget bias {FORGET_BIAS:g}": P.LSTM_COLOR})
    ax.set_title(f"tanh RNN with recurrent weight scale {scale:.2f}, H = {HIDDEN}, T = {x.shape[1]}")
    last = len(rnn_curve) - 1
    rows = [f"{name}: lag 20 / lag 0 = {c[20] / c[0]:.2e}, lag {last} / lag 0 = {c[last] / c[0]:.2e}"
            for name, c in (("RNN ", rnn_curve), ("LSTM", lstm_curve))]
    return "\n".join(rows)


def gradient_explorer(scale=1.0):
    """A slider for the scale of the RNN's recurrent weight (0.25 to 3); the gradient's size
    against the lag for that RNN, and for an LSTM, on the same random inputs."""
    x = lag_inputs(N_SEQUENCES, T, INPUT_SIZE, rng=0)
    lstm_curve = lstm_reference(x)
    controls = {"scale": widgets.FloatSlider(value=scale, min=0.25, max=3.0, step=0.05,
                                             description="Wh scale", continuous_update=False,
                                             readout_format=".2f")}

    def draw(fig, scale):
        return draw_gradient_vs_lag(fig, scale, x, lstm_curve)

    return Explorer(controls, draw, figsize=(7.0, 4.0),
                    margins={"left": 0.12, "right": 0.97, "bottom": 0.13, "top": 0.91})
