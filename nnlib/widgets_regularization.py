"""Notebook 08's interactive figures: optimiser paths on a narrow valley, batch norm on and off
over the activations of a deep network, and the dropout rate of a trained network.

Built as ``nnlib.widgets`` builds its explorers (controls over a PNG in an Output widget; the
drawing is a plain function ``draw_*(fig, **values)`` that tests call without a browser).
"""
import ipywidgets as widgets
import numpy as np

from . import plotting_regularization as P
from .valley import OPTIMIZERS, NarrowValley
from .widgets import Explorer, _slider

VALLEY = NarrowValley(a=1.0, b=50.0)  # the valley of notebook 08
START = (-4.0, 1.0)


# -- optimisers on the narrow valley -------------------------------------------------------
def draw_optimizer_path(fig, optimizer, lr, steps, valley=VALLEY, start=START):
    """The path of ``optimizer`` (an ``OPTIMIZERS`` name) with learning rate ``lr`` for ``steps``
    steps from ``start``, over the valley's contours. Returns the caption: where it ended."""
    points = valley.path((optimizer, lr), start=start, steps=steps)
    ax = fig.add_subplot()
    P.plot_paths(ax, valley, {f"{optimizer} lr {lr:.3g}": points}, markevery=max(steps // 20, 1))
    loss = float(valley(points[-1]))
    ax.set_title(f"{optimizer}, lr = {lr:.3g}, {steps} steps")
    limit = f"(plain SGD is stable here only for lr < 2/b = {2 / valley.b:.3f})"
    if len(points) < steps + 1:
        return f"diverged: the parameters overflowed after {len(points) - 1} steps {limit}"
    if loss > valley(points[0]):
        return f"diverging: the loss grew from {float(valley(points[0])):.3g} to {loss:.3g} {limit}"
    return f"after {steps} steps: theta = ({points[-1, 0]:+.4f}, {points[-1, 1]:+.4f}), loss {loss:.3e}"


def optimizer_explorer(optimizer="SGD", lr=0.03, steps=100):
    """A drop-down of optimisers, a logarithmic learning-rate slider (0.001 to 1) and the number
    of steps; the path on the narrow valley f = (theta_1^2 + 50 theta_2^2) / 2."""
    controls = {"optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer,
                                              description="optimiser"),
                "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.05,
                                             description="lr", continuous_update=False,
                                             readout_format=".3f"),
                "steps": widgets.IntSlider(value=steps, min=10, max=300, step=10,
                                           description="steps", continuous_update=False)}
    return Explorer(controls, draw_optimizer_path, figsize=(7.0, 3.6),
                    margins={"left": 0.09, "right": 0.98, "bottom": 0.15, "top": 0.9})


# -- batch norm on and off: the activations of every layer ---------------------------------
def draw_layer_histograms(fig, batch_norm, when, outputs, value_range=(0.0, 1.0)):
    """The per-layer histograms of ``outputs[(batch_norm, when)]`` (a list of arrays, one per
    layer, as ``plotting_regularization.layer_outputs`` returns)."""
    ax = fig.add_subplot()
    layers = outputs[(batch_norm, when)]
    P.plot_layer_histograms(ax, layers, value_range=value_range, color=P.OPTIMIZER_COLORS["RMSprop"]
                            if batch_norm else P.OPTIMIZER_COLORS["SGD"])
    ax.set_title(f"{'with' if batch_norm else 'without'} batch norm, {when}: each layer's outputs")
    spread = [float(np.std(h)) for h in layers]
    return ("standard deviation of each layer's outputs, layer 1 first:\n"
            + " ".join(f"{s:.3f}" for s in spread))


def batchnorm_explorer(outputs, batch_norm=False, when="after training", value_range=(0.0, 1.0)):
    """A "batch norm" check box and a "when" drop-down over precomputed per-layer outputs:
    ``outputs`` maps (batch_norm: bool, when: str) to a list of arrays, one per layer."""
    whens = list(dict.fromkeys(w for _, w in outputs))
    missing = [(b, w) for b in (False, True) for w in whens if (b, w) not in outputs]
    if missing:
        raise ValueError(f"outputs must hold every (batch_norm, when) pair, missing {missing}")
    controls = {"batch_norm": widgets.Checkbox(value=batch_norm, description="batch norm"),
                "when": widgets.Dropdown(options=whens, value=when, description="when")}

    def draw(fig, batch_norm, when):
        return draw_layer_histograms(fig, batch_norm, when, outputs, value_range)

    return Explorer(controls, draw, figsize=(6.4, 4.4),
                    margins={"left": 0.14, "right": 0.97, "bottom": 0.11, "top": 0.93})
