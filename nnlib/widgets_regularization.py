"""Notebook 08's interactive figures: optimiser paths on a narrow valley, batch norm on and off
over the activations of a deep network, and the dropout rate of a trained network.

Built as ``nnlib.widgets`` builds its explorers (controls over a PNG in an Output widget; the
drawing is a plain function ``draw_*(fig, **values)`` that tests call without a browser).
"""
import ipywidgets as widgets
import numpy as np

from . import plotting_regularization as P
from .activations import Tanh
from .layers import Dense
from .losses import MSELoss
from .network import Sequential
from .optim import SGD
from .regularization import Dropout
from .train import fit
from .valley import MOMENTUM, OPTIMIZERS, RMSPROP_ALPHA, NarrowValley
from .plotting import CLASS_COLORS
from .widgets import Explorer, _slider

VALLEY = NarrowValley(a=1.0, b=50.0)  # the valley of notebook 08
START = (-4.0, 1.0)


# -- optimisers on the narrow valley -------------------------------------------------------
def stability_note(optimizer, valley=VALLEY):
    """One sentence on what limits ``optimizer``'s learning rate on ``valley``: the computed
    limit for SGD and momentum (``NarrowValley.lr_limit``), how the adaptive ones misbehave."""
    limit = valley.lr_limit(optimizer)
    if optimizer == "SGD":
        return f"(plain SGD is stable here only for lr < 2/b = {limit:.3f})"
    if optimizer == "momentum":
        return f"(SGD with momentum {MOMENTUM:g} is stable here only for lr < 2(1 + m)/b = {limit:.3f})"
    if optimizer == "RMSprop":
        return (f"(RMSprop has no such limit: each step is about lr long whatever the curvature, the first "
                f"one lr/sqrt(1 - rho) = {1 / np.sqrt(1 - RMSPROP_ALPHA):.0f} lr since s starts at 0; a large "
                f"lr overshoots the minimum by about lr)")
    return "(Adam has no such limit: each step is about lr long whatever the curvature, so a large lr " \
           "overshoots the minimum by about lr)"


def draw_optimizer_path(fig, optimizer, lr, steps, valley=VALLEY, start=START):
    """The path of ``optimizer`` (an ``OPTIMIZERS`` name) with learning rate ``lr`` for ``steps``
    steps from ``start``, over the valley's contours. Returns the caption: where it ended, and a
    flag with ``stability_note`` when the run overflowed, ended above its start, or ended far
    above its lowest loss (more than 1000 times, and above 0.1 % of the start)."""
    points = valley.path((optimizer, lr), start=start, steps=steps)
    ax = fig.add_subplot()
    P.plot_paths(ax, valley, {f"{optimizer} lr {lr:.3g}": points}, markevery=max(steps // 20, 1))
    losses = valley(points)
    loss = float(losses[-1])
    ax.set_title(f"{optimizer}, lr = {lr:.3g}, {steps} steps")
    note = stability_note(optimizer, valley)
    if len(points) < steps + 1:
        return f"diverged: the parameters overflowed after {len(points) - 1} steps {note}"
    if loss > losses[0]:
        return f"diverging: the loss grew from {float(losses[0]):.3g} to {loss:.3g} {note}"
    lowest = int(np.argmin(losses))
    if loss > max(1e3 * float(losses[lowest]), 1e-3 * float(losses[0])):
        return (f"unstable: the loss fell to {float(losses[lowest]):.3g} (step {lowest}), then climbed back "
                f"to {loss:.3g} {note}")
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
def unit_spread(h):
    """h: (N, units), one layer's outputs for N samples -> the standard deviation of each unit's
    output over the samples, averaged over the units. Near 0: every unit says the same thing
    whatever the input (a layer that passes on no information)."""
    return float(np.mean(np.std(h, axis=0)))


def draw_layer_histograms(fig, batch_norm, when, outputs, value_range=(0.0, 1.0)):
    """The per-layer histograms of ``outputs[(batch_norm, when)]`` (a list of arrays, one per
    layer, as ``plotting_regularization.layer_outputs`` returns)."""
    ax = fig.add_subplot()
    layers = outputs[(batch_norm, when)]
    P.plot_layer_histograms(ax, layers, value_range=value_range,
                            color=CLASS_COLORS[int(batch_norm)])  # notebook 08's loss panel's colours
    ax.set_title(f"{'with' if batch_norm else 'without'} batch norm, {when}: each layer's outputs")
    spread = [unit_spread(h) for h in layers]
    return ("how much a unit's output varies from sample to sample (std, mean over the units), "
            "layer 1 first:\n" + " ".join(f"{s:.3f}" for s in spread))


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



# -- the dropout rate of a trained network --------------------------------------------------
def dropout_regressor(X, y, p=0.2, width=64, epochs=300, lr=0.01, rng=0):
    """A 1-width-width-1 tanh network with Dropout(p) after each hidden layer, trained with SGD
    (momentum 0.9, batches of 10, MSE) on 1-D regression data X: (N, 1), y: (N, 1)."""
    rng = np.random.default_rng(rng)
    model = Sequential(Dense(1, width, rng=rng), Tanh(), Dropout(p, rng=rng),
                       Dense(width, width, rng=rng), Tanh(), Dropout(p, rng=rng), Dense(width, 1, rng=rng))
    fit(model, MSELoss(), SGD(model.parameters(), lr=lr, momentum=0.9), X, y, epochs=epochs,
        batch_size=10, rng=rng)
    return model


def dropout_passes(model, X, p, passes=30, rng=0):
    """The outputs of ``passes`` forward passes in TRAINING mode with every Dropout layer's rate
    set to ``p`` and its masks drawn from ``rng``: (passes, N, out). Each pass draws ONE mask per
    Dropout layer and shares it across the N rows of X, so a pass is one sub-network evaluated
    at every x (a smooth curve over a grid), not N different ones. The model's rates, random
    generators and mode are put back afterwards (nothing is learned)."""
    drops = [layer for _, layer in model.named_layers() if isinstance(layer, Dropout)]
    if not drops:
        raise ValueError("model has no Dropout layer")
    if not 0.0 <= p < 1.0:
        raise ValueError(f"p must be in [0, 1), got {p}")
    saved = [(d.p, d.rng) for d in drops]
    was_training = model.training
    rng = np.random.default_rng(rng)

    def shared_mask(layer):
        # the layer's own draw, for one row, broadcast over the batch
        return lambda shape, dtype: np.broadcast_to(Dropout.draw_mask(layer, (1,) + tuple(shape[1:]), dtype), shape)

    try:
        for d in drops:
            d.p, d.rng = float(p), rng
            d.draw_mask = shared_mask(d)
        model.train()
        return np.stack([model.forward(X) for _ in range(passes)])
    finally:
        for d, (p0, rng0) in zip(drops, saved):
            d.p, d.rng = p0, rng0
            del d.draw_mask          # the class's draw_mask again
        model.train(was_training)


def draw_dropout_spread(fig, p, model, X, y, passes=30, n=200):
    """The trained ``model``'s curve in eval mode (black), ``passes`` training-mode passes with
    dropout rate p (thin lines: five of them, each one sub-network over the whole grid) and the band of their 10th to 90th percentiles, over the data.
    X: (N, 1), y: (N, 1). Returns the caption: the mean width of the band."""
    lo, hi = float(X.min()), float(X.max())
    pad = 0.25 * (hi - lo)
    grid = np.linspace(lo - pad, hi + pad, n)[:, None]
    outs = dropout_passes(model, grid, p, passes)[:, :, 0]  # (passes, n)
    was_training = model.training
    eval_curve = model.eval().forward(grid)[:, 0]
    model.train(was_training)
    ax = fig.add_subplot()
    band = np.percentile(outs, [10, 90], axis=0)
    color = P.OPTIMIZER_COLORS["Adam"]
    ax.fill_between(grid[:, 0], band[0], band[1], color=color, alpha=0.25, lw=0, label="10-90 % of the passes")
    ax.plot(grid[:, 0], outs[:5].T, color=color, lw=0.8, alpha=0.8)
    ax.plot([], [], color=color, lw=0.8, label="5 of the passes")
    ax.plot(grid[:, 0], eval_curve, color="k", lw=2, label="evaluation mode")
    ax.scatter(X[:, 0], np.ravel(y), s=14, color="0.35", zorder=3, label="training data")
    ax.axvspan(lo - pad, lo, color="0.92", zorder=0)
    ax.axvspan(hi, hi + pad, color="0.92", zorder=0)
    for x_text in (lo - pad / 2, hi + pad / 2):
        ax.text(x_text, 2.35, "beyond\nthe data", ha="center", va="top", fontsize=8, color="0.4")
    ax.set(xlim=(lo - pad, hi + pad), ylim=(-2.5, 2.5), xlabel="$x$", ylabel="output",
           title=f"{passes} passes in training mode, dropout p = {p:.2f}")
    ax.legend(loc="lower left", fontsize=8)
    inside = (grid[:, 0] >= lo) & (grid[:, 0] <= hi)
    widths = band[1] - band[0]
    return (f"p = {p:.2f}: mean width of the 10-90 % band {float(np.mean(widths)):.3f}; "
            f"over the data {float(np.mean(widths[inside])):.3f}, beyond it {float(np.mean(widths[~inside])):.3f}")


def dropout_explorer(model, X, y, p=0.2, passes=30):
    """A slider for the dropout rate used at prediction time (0 to 0.8) over a trained 1-D
    regression network with Dropout layers."""
    controls = {"p": _slider("dropout p", p, 0.0, 0.8, 0.05)}

    def draw(fig, p):
        return draw_dropout_spread(fig, p, model, X, y, passes)

    return Explorer(controls, draw, figsize=(6.4, 3.8),
                    margins={"left": 0.1, "right": 0.97, "bottom": 0.13, "top": 0.91})
