"""Figures of notebook 08 (regularization, normalization, optimisers): ax in, ax out.

As in ``nnlib.plotting``, every number drawn is computed by nnlib (the layers' own forward
passes, nnlib's optimisers on ``nnlib.valley``); these functions only draw it.
"""
import copy

import numpy as np

from .activations import Activation
from .plotting import CLASS_COLORS, POS

OPTIMIZER_COLORS = {"SGD": "#c0392b", "momentum": "#e67e22", "RMSprop": "#27ae60", "Adam": "#8e44ad"}
VAL_COLOR = "#e67e22"


def plot_valley(ax, valley, xlim=(-5.0, 5.0), ylim=(-2.0, 2.0), levels=12, n=200):
    """The loss surface of a ``NarrowValley`` as contour lines, log-spaced (the floor is flat,
    the walls steep: evenly spaced levels would all crowd the walls). Its minimum is a star."""
    t1, t2, f = valley.grid(xlim, ylim, n)
    top = float(f.max())
    ax.contour(t1, t2, f, levels=np.geomspace(top * 1e-4, top, levels), colors="0.6", linewidths=0.8)
    ax.plot([0.0], [0.0], "*", ms=12, color="k", zorder=4)
    ax.set(xlim=xlim, ylim=ylim, xlabel=r"$\theta_1$ (along the valley)", ylabel=r"$\theta_2$ (across)")
    return ax


def plot_paths(ax, valley, paths, xlim=(-5.0, 5.0), ylim=(-2.0, 2.0), markevery=5):
    """Optimiser paths over the valley's contours. ``paths``: dict label -> (steps + 1, 2) array
    of points (``NarrowValley.path``); the label's first word picks the colour when it names an
    optimiser. A path that leaves the view is clipped by the axes (its loss is in the legend); the
    last point before it first leaves is marked with an x and the step it leaves at."""
    plot_valley(ax, valley, xlim, ylim)
    for k, (label, points) in enumerate(paths.items()):
        color = OPTIMIZER_COLORS.get(label.split()[0], CLASS_COLORS[k % len(CLASS_COLORS)])
        loss = float(valley(points[-1]))
        ax.plot(points[:, 0], points[:, 1], "-", color=color, lw=1.6, marker="o", ms=3,
                markevery=markevery, label=f"{label}: loss {loss:.2g} after {len(points) - 1} steps")
        ax.plot(points[:1, 0], points[:1, 1], "s", color="k", ms=6, zorder=5)
        outside = np.flatnonzero((points[:, 0] < xlim[0]) | (points[:, 0] > xlim[1])
                                 | (points[:, 1] < ylim[0]) | (points[:, 1] > ylim[1]))
        if outside.size:
            last_in = points[max(outside[0] - 1, 0)]
            ax.plot([last_in[0]], [last_in[1]], "x", color=color, ms=10, mew=2.5, zorder=6)
            ax.annotate(f"leaves the view at step {outside[0]}", tuple(last_in), xytext=(6, -12),
                        textcoords="offset points", color=color, fontsize=8, zorder=6)
    if paths:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    return ax


def plot_histories(ax, histories, metric="loss", log=False, validation=True):
    """Training (solid) and validation (dashed) curves of several ``fit`` Histories, one colour
    each. ``histories``: dict label -> History; ``metric``: "loss" or "acc"."""
    for k, (label, h) in enumerate(histories.items()):
        color = OPTIMIZER_COLORS.get(label.split()[0], CLASS_COLORS[k % len(CLASS_COLORS)])
        train = getattr(h, f"train_{metric}")
        epochs = np.arange(1, len(train) + 1)
        ax.plot(epochs, train, "-", color=color, lw=2, label=f"{label}, training")
        val = getattr(h, f"val_{metric}")
        if validation and val:
            ax.plot(epochs[:len(val)], val, "--", color=color, lw=2, label=f"{label}, validation")
    ax.set(xlabel="epoch", ylabel={"loss": "loss", "acc": "accuracy"}.get(metric, metric))
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    return ax


def layer_outputs(model, X, kind=Activation, training=False):
    """What every layer of type ``kind`` in a Sequential outputs for X: a list of (N, units)
    arrays, first layer first. Run in eval mode, or with ``training`` in training mode (batch
    norm then uses the batch's statistics) on a copy of the model, so that no buffer (running
    statistics) of the model itself moves. The model's mode is put back as it was."""
    if training:
        model = copy.deepcopy(model)
    was_training = model.training
    model.train(training)
    try:
        outputs, h = [], X
        for layer in model:
            h = layer.forward(h)
            if isinstance(layer, kind):
                outputs.append(h)
    finally:
        model.train(was_training)
    return outputs


def plot_layer_histograms(ax, outputs, value_range=(0.0, 1.0), bins=40, color=POS, label_every=1):
    """One histogram per layer, stacked from layer 1 (bottom) upwards in a single axes: a
    "ridge" plot. ``outputs``: list of arrays (any shape), one per layer; each histogram is
    scaled to the same height, so the plot shows the *shape* of each layer's distribution
    (all outputs at 0 or 1: saturated units; a narrow spike: units that all say the same).
    Values outside ``value_range`` are counted in the outermost bins."""
    edges = np.linspace(*value_range, bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    for k, out in enumerate(outputs):
        values = np.clip(np.ravel(out), *value_range)
        counts, _ = np.histogram(values, bins=edges)
        height = 0.85 * counts / max(counts.max(), 1)
        ax.fill_between(centres, k, k + height, step="mid", color=color, alpha=0.6, lw=0)
        ax.step(centres, k + height, where="mid", color=color, lw=0.8)
    ax.set_yticks(np.arange(len(outputs))[::label_every])
    ax.set_yticklabels([f"layer {k + 1}" for k in range(len(outputs))][::label_every], fontsize=8)
    ax.set(xlim=value_range, ylim=(-0.1, len(outputs)), xlabel="activation value")
    return ax
