"""Plots for the course: plain functions that take a matplotlib ``ax``, draw on it, return it.

Every number drawn is computed by nnlib itself (a Dense layer, an activation, softmax), so a
figure shows what the library computes, not a second implementation of it.
"""
import matplotlib.colors as mcolors
import numpy as np
from matplotlib.lines import Line2D

from .activations import get_activation
from .layers import Dense
from .losses import softmax
from .network import count_parameters

NEG, POS = "#c0392b", "#2471a3"  # red for negative weights, blue for positive
CLASS_COLORS = ["#2471a3", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085"]
RANGES = {"sigmoid": (0.0, 1.0), "heaviside": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def plot_activation(ax, name, a=1.0, b=0.0, xlim=(-5.0, 5.0), n=801):
    """y = phi(a x + b) and its derivative dy/dx = a phi'(a x + b) (the chain rule), for x in xlim.

    With a = 1 and b = 0 these are phi and phi' themselves. For 'linear', phi is the identity,
    so the curve is the notes' linear activation a x + b.
    """
    phi = get_activation(name)
    x = np.linspace(*xlim, n)
    z = a * x + b
    ax.plot(x, phi.phi(z), color=POS, lw=2, label=r"$\varphi(ax+b)$")
    ax.plot(x, a * phi.dphi(z), color="#e67e22", lw=2, ls="--", label=r"$\frac{d}{dx}\varphi(ax+b)$")
    if name == "heaviside" and a != 0:  # H(0) = 0.5, at the point where a x + b = 0
        ax.plot([-b / a], [0.5], "o", color=POS, ms=6)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set(xlabel="$x$", ylabel="value", xlim=xlim, title=f"{name}: a = {a:g}, b = {b:g}")
    ax.legend(loc="upper left", fontsize=9)
    return ax


def neuron_output(w1, w2, w0, activation="sigmoid", lim=3.0, n=101):
    """y = phi(w1 x1 + w2 x2 + w0) on an n x n grid over [-lim, lim]^2, computed by a Dense(2, 1)
    layer and the activation. Returns (x1, x2, y) with y: (n, n), row i at x2 = x2[i]."""
    neuron = Dense(2, 1, rng=0)
    neuron.W.data[:] = [[w1, w2]]
    neuron.b.data[:] = [w0]
    x1 = x2 = np.linspace(-lim, lim, n)
    X1, X2 = np.meshgrid(x1, x2)
    points = np.c_[X1.ravel(), X2.ravel()]  # (n*n, 2)
    y = get_activation(activation).forward(neuron.forward(points))  # (n*n, 1)
    return x1, x2, y.reshape(n, n)


def plot_neuron(ax, w1, w2, w0, activation="sigmoid", lim=3.0, n=101):
    """A neuron's output over the input plane, with its line w1 x1 + w2 x2 + w0 = 0 (dashed)."""
    x1, x2, y = neuron_output(w1, w2, w0, activation, lim, n)
    vmin, vmax = RANGES.get(activation, (None, None))
    im = ax.imshow(y, origin="lower", extent=(-lim, lim, -lim, lim), cmap="viridis",
                   vmin=vmin, vmax=vmax, aspect="equal")
    # a bounded activation's key needs only its ends and middle (and each tick costs a widget
    # redraw about 3 ms); an unbounded one gets matplotlib's ticks
    ticks = None if vmin is None else [vmin, (vmin + vmax) / 2, vmax]
    ax.figure.colorbar(im, ax=ax, label="$y$", ticks=ticks)
    if w2 != 0:
        ax.plot(x1, -(w1 * x1 + w0) / w2, "w--", lw=1.5)
    elif w1 != 0:
        ax.axvline(-w0 / w1, color="w", ls="--", lw=1.5)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="$x_1$", ylabel="$x_2$",
           # plain text, not math text: the title changes with every slider move, and math text
           # is parsed anew for every new string (~15 ms, a fifth of the widget's redraw); the
           # hyphens become the minus sign that math text would have drawn
           title=f"y = {activation}({w1:g} x₁ {w2:+g} x₂ {w0:+g})".replace("-", "−"))
    return ax


def plot_network(ax, sizes, weights=None, bias=True, max_nodes=10, biases=None, notation=False,
                 key=True):
    """Nodes and edges of a fully connected network with layer ``sizes`` (input first).

    ``weights``: optional list of W matrices, W[k] of shape (sizes[k+1], sizes[k]); edges are
    then blue (positive) or red (negative), as wide as |w|; without weights they are grey.
    ``bias``: draw one bias node "1" below every layer but the output, with an edge (dashed) to
    each unit of the next layer; ``biases``: optional list of b vectors, b[k] of shape
    (sizes[k+1],), to colour those edges like the weights. ``notation``: write the notes' names,
    x_j, h_i and y on the nodes and w^(l)_ij on every edge (edge ij runs from unit j of layer
    l-1 to unit i of layer l: the row index is the unit the weight feeds); meant for small
    networks such as the notes' 2-3-1. ``key``: a legend saying what the colours, widths and
    the bias node mean. Layers wider than ``max_nodes`` are drawn with their first
    ``max_nodes`` nodes and a note of the rest.

    The weight edges are ``ax.lines`` (one per drawn weight, layer by layer, row i by column j);
    the bias edges one ``LineCollection`` in ``ax.collections``.
    """
    from matplotlib.collections import LineCollection

    sizes = list(sizes)
    shown = [min(s, max_nodes) for s in sizes]
    # inputs at the top, as the notes list them (x_1 above x_2); one unit of height per node
    pos = [np.c_[np.full(m, k), (m - 1) / 2 - np.arange(m)] for k, m in enumerate(shown)]
    arrays = [np.asarray(W, dtype=float) for W in (weights or [])]
    arrays += [np.asarray(b, dtype=float) for b in (biases or [])]
    scale = max((np.abs(a).max() for a in arrays if a.size), default=1.0) or 1.0

    def style(w):
        if w is None or w == 0:  # no value given, or exactly 0 (nnlib's starting biases)
            return "0.6", 1.0
        return (POS if w >= 0 else NEG), 0.3 + 3.0 * abs(w) / scale

    last = len(sizes) - 1
    low = -max(shown) / 2  # the lowest node sits at low + 0.5
    for k in range(last):
        for i in range(shown[k + 1]):
            for j in range(shown[k]):
                color, width = style(weights[k][i, j] if weights else None)
                (x0, y0), (x1, y1) = pos[k][j], pos[k + 1][i]
                ax.plot([x0, x1], [y0, y1], color=color, lw=width, zorder=1)
                if notation:
                    # near the unit the weight feeds, so the labels of one unit sit together
                    t = 0.72
                    ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), f"$w^{{({k + 1})}}_{{{i + 1}{j + 1}}}$",
                            ha="center", va="center", fontsize=9, color=color if weights else "k",
                            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85),
                            zorder=3)
    bias_nodes = []
    if bias:
        segments, colors, widths = [], [], []
        for k in range(last):
            node = (k + 0.35, low - 0.1)  # below and to the right of layer k, feeding layer k + 1
            bias_nodes.append(node)
            for i in range(shown[k + 1]):
                color, width = style(biases[k][i] if biases else None)
                segments.append([node, tuple(pos[k + 1][i])])
                colors.append(color)
                widths.append(width)
        ax.add_collection(LineCollection(segments, colors=colors, linewidths=widths,
                                         linestyles="--", zorder=1))
        for bx, by in bias_nodes:
            ax.scatter([bx], [by], s=260, marker="s", c="#fcf3cf", edgecolors="k", zorder=2)
            ax.text(bx, by, "1", ha="center", va="center", fontsize=9, zorder=3)
    for k, p in enumerate(pos):
        face = "#f5f5f5" if k == 0 else ("#fdebd0" if k == last else "#d6eaf8")
        ax.scatter(p[:, 0], p[:, 1], s=500 if not notation else 700, c=face, edgecolors="k", zorder=2)
        if notation:
            for i, (px, py) in enumerate(p):
                name = "x" if k == 0 else ("y" if k == last else ("h" if last == 2 else f"h^{{({k})}}"))
                ax.text(px, py, f"${name}_{{{i + 1}}}$", ha="center", va="center", fontsize=10, zorder=3)
        label = "input" if k == 0 else ("output" if k == last else f"hidden {k}")
        extra = f" (+{sizes[k] - shown[k]})" if sizes[k] > shown[k] else ""
        units = "unit" if sizes[k] == 1 else "units"
        ax.text(k, low - 0.6, f"{label}\n{sizes[k]} {units}{extra}", ha="center", va="top", fontsize=9)
    count = count_parameters(sizes, bias=bias)
    ax.set_title("-".join(map(str, sizes)) + f" network: {count} parameters"
                 + ("" if bias else " (no biases)"))
    if key:
        handles = ([Line2D([], [], color=POS, lw=2.5, label="weight > 0 (width: |w|)"),
                    Line2D([], [], color=NEG, lw=1.2, label="weight < 0")] if weights or biases else
                   [Line2D([], [], color="0.6", lw=1.0, label="weight")])
        if bias:
            handles.append(Line2D([], [], color="0.3", ls="--", marker="s", markerfacecolor="#fcf3cf",
                                  markeredgecolor="k", label="bias: a weight from a constant 1"))
        # inside the axes, in a strip kept free below the labels: a legend outside would make a
        # constrained layout shrink the drawing
        ax.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False,
                  handlelength=2.2, columnspacing=1.2, borderaxespad=0.1)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(low - (2.5 if key else 1.6), max(shown) / 2 + 0.5)
    ax.axis("off")
    return ax


def plot_probabilities(ax, probs, labels=None, true_class=None):
    """Bars of class probabilities. The true class, if given, is outlined in black and its tick
    label reads "... (true)" in bold: the label shows even when its probability is 0 and the
    bar (with its outline) is a hairline."""
    probs = np.asarray(probs, dtype=float)
    labels = list(labels or [f"class {c}" for c in range(len(probs))])
    if true_class is not None:
        labels[true_class] = f"{labels[true_class]} (true)"
    colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(len(probs))]
    bars = ax.bar(labels, probs, color=colors, edgecolor="k",
                  linewidth=[2.5 if c == true_class else 0.5 for c in range(len(probs))])
    for bar, p in zip(bars, probs):
        ax.text(bar.get_x() + bar.get_width() / 2, p + 0.02, f"{p:.3f}", ha="center", fontsize=9)
    if true_class is not None:
        ax.get_xticklabels()[true_class].set_fontweight("bold")
    ax.set(ylim=(0, 1.1), ylabel="probability")
    return ax


def plot_loss_curve(ax, history, log=False):
    """Training (and validation, when there is some) loss per epoch from a ``fit`` History."""
    epochs = np.arange(1, history.epochs + 1)
    ax.plot(epochs, history.train_loss, color=POS, lw=2, label="training")
    if history.val_loss:
        ax.plot(epochs, history.val_loss[:history.epochs], color="#e67e22", lw=2, label="validation")
    ax.set(xlabel="epoch", ylabel="loss", title="loss per epoch")
    if log:
        ax.set_yscale("log")
    ax.legend()
    return ax


def plot_decision_boundary(ax, model, X, y, resolution=150, padding=0.5, legend=False):
    """The classes a model predicts over the plane (shaded), with the data points on top.

    X: (N, 2); y: (N,) labels. A model with one output is read as P(class 1) (e.g. a sigmoid
    output); with C outputs, as class scores (softmax is applied for the shading).
    legend: False (none), True, a matplotlib ``loc`` string such as "upper left", or a dict of
    ``ax.legend`` keywords (e.g. {"loc": "upper left", "bbox_to_anchor": (1.02, 1)} to put it
    outside): a colour key "class 0", "class 1", ... (a class's shading and points share a colour).
    """
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[g1.ravel(), g2.ravel()]  # (R*R, 2)
    was_training = model.training
    out = model.eval().forward(grid)
    model.train(was_training)
    if out.shape[1] == 1:
        probs = np.c_[1 - out[:, 0], out[:, 0]]
    else:
        probs = softmax(out)
    n_classes = max(probs.shape[1], int(np.max(y)) + 1)
    cmap = mcolors.ListedColormap(CLASS_COLORS[:n_classes])
    pred = probs.argmax(axis=1).reshape(g1.shape)
    ax.contourf(g1, g2, pred, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.25)
    if len(np.unique(pred)) > 1:  # a model that predicts one class everywhere has no boundary
        ax.contour(g1, g2, pred, levels=np.arange(n_classes) + 0.5, colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=np.asarray(y), cmap=cmap, vmin=-0.5, vmax=n_classes - 0.5,
               edgecolors="k", s=25)
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel="$x_1$", ylabel="$x_2$")
    if legend:
        handles = [Line2D([], [], ls="", marker="s", ms=9, markerfacecolor=color, markeredgecolor="k",
                          label=f"class {c}") for c, color in enumerate(CLASS_COLORS[:n_classes])]
        options = {"loc": "best", "fontsize": 8, "framealpha": 0.9}
        if isinstance(legend, dict):
            options.update(legend)
        elif isinstance(legend, str):
            options["loc"] = legend
        ax.legend(handles=handles, **options)
    return ax


def plot_regression_fit(ax, model, X, y, n=300):
    """Data points and the model's curve, for 1-D regression. X: (N, 1); y: (N, 1) or (N,)."""
    grid = np.linspace(X.min(), X.max(), n)[:, None]  # (n, 1)
    was_training = model.training
    curve = model.eval().forward(grid)
    model.train(was_training)
    ax.scatter(X[:, 0], np.ravel(y), s=12, color="0.45", label="data")
    ax.plot(grid[:, 0], curve[:, 0], color=POS, lw=2, label="model")
    ax.set(xlabel="$x$", ylabel="$y$")
    ax.legend()
    return ax
