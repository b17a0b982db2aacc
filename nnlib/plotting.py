"""Plots for the course: plain functions that take a matplotlib ``ax``, draw on it, return it.

Every number drawn is computed by nnlib itself (a Dense layer, an activation, softmax), so a
figure shows what the library computes, not a second implementation of it.
"""
import matplotlib.colors as mcolors
import numpy as np
from matplotlib.lines import Line2D

from .activations import Activation, get_activation
from .layers import Dense
from .losses import softmax
from .network import count_parameters

NEG, POS = "#c0392b", "#2471a3"  # red for negative weights, blue for positive
CLASS_COLORS = ["#2471a3", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085"]
RANGES = {"sigmoid": (0.0, 1.0), "heaviside": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def _one_sided(g, x0):
    """g's limits from the left and right of x0 and its value at x0 (g: a numpy function)."""
    eps = 1e-9 * (1.0 + abs(x0))
    left, at, right = (float(v) for v in g(np.array([x0 - eps, x0, x0 + eps])))
    return left, at, right


def plot_curve(ax, x, g, jump_at=None, color=None, ls="-", label=None, lw=2.0, zorder=2.0, alpha=None):
    """y = g(x) for x: (n,) increasing, with ``g`` a numpy function; drawn in two pieces if g
    jumps at ``jump_at`` (see ``_plot_broken``), as one line otherwise."""
    _plot_broken(ax, np.asarray(x, dtype=float), g, jump_at, color, ls, label, lw, zorder, alpha)
    return ax


def _plot_broken(ax, x, g, x0, color, ls, label, lw=2.0, zorder=2.0, alpha=None):
    """y = g(x) as a line, broken where g jumps at x0 (a jump would otherwise be drawn as a
    vertical segment, a value g never takes). At the jump an open circle marks each one-sided
    limit and a filled dot the value g(x0) itself, as a textbook draws a step; the markers sit
    above every line. Returns the y values drawn, markers included."""
    left, at, right = _one_sided(g, x0) if x0 is not None else (0.0, 0.0, 0.0)
    jumps = x0 is not None and x[0] < x0 < x[-1] and abs(right - left) > 1e-6 * (1 + abs(left) + abs(right))
    style = {"lw": lw, "ls": ls, "label": label, "zorder": zorder, "alpha": alpha}
    if not jumps:
        y = g(x)
        ax.plot(x, y, color=color, **style)
        return y
    x_line = np.concatenate([x[x < x0], [np.nan], x[x > x0]])  # NaN: matplotlib lifts the pen
    y_line = np.full_like(x_line, np.nan)
    y_line[np.isfinite(x_line)] = g(x_line[np.isfinite(x_line)])
    (line,) = ax.plot(x_line, y_line, color=color, **style)
    color = line.get_color()  # the markers take the line's colour (the cycle's, if none given)
    for limit in {left, right} - {at}:  # a limit that g also takes at x0 gets the filled dot only
        ax.plot([x0], [limit], "o", ms=6, color=color, mfc="white", mew=1.5, zorder=5)
    ax.plot([x0], [at], "o", ms=6, color=color, zorder=5)
    return np.concatenate([y_line, [left, at, right]])


PHI_STYLE = {"lw": 4.0, "zorder": 2.0}              # phi: wide, underneath
DPHI_STYLE = {"lw": 1.8, "ls": "--", "zorder": 3.0}  # phi': narrow and dashed, on top


def plot_activation(ax, name, a=1.0, b=0.0, xlim=(-5.0, 5.0), n=801):
    """y = phi(a x + b) and its derivative dy/dx = a phi'(a x + b) (the chain rule), for x in xlim.

    With a = 1 and b = 0 these are phi and phi' themselves. For 'linear', phi is the identity,
    so the curve is the notes' linear activation a x + b. Where a curve jumps (Heaviside's phi,
    ReLU's phi', at a x + b = 0) it is drawn in two pieces, with an open circle at each piece's
    end and a filled dot at the value the function takes there (nnlib's: H(0) = 0.5,
    ReLU'(0) = 0); a jump of the derivative has its dot labelled, since it sits on phi's kink.
    phi is drawn wide and the derivative narrow and dashed on top of it, so where the two
    coincide (ReLU and Heaviside are 0 with slope 0 for a x + b < 0) both stay visible. The
    legend sits in a band above both curves, so it never covers them.
    """
    phi = get_activation(name)
    x = np.linspace(*xlim, n)
    x0 = -b / a if a != 0 else None  # where a x + b = 0: the only place these functions jump
    dphi = lambda v: a * phi.dphi(a * v + b)  # noqa: E731
    ys = [_plot_broken(ax, x, lambda v: phi.phi(a * v + b), x0, POS, "-", r"$\varphi(ax+b)$", **PHI_STYLE),
          _plot_broken(ax, x, dphi, x0, DPHI_COLOR, DPHI_STYLE["ls"], r"$\frac{d}{dx}\varphi(ax+b)$",
                       DPHI_STYLE["lw"], DPHI_STYLE["zorder"])]
    ax.axhline(0, color="0.6", lw=0.8, zorder=1)
    ax.axvline(0, color="0.6", lw=0.8, zorder=1)
    ax.set(xlabel="$x$", ylabel="value", xlim=xlim, title=f"{name}: a = {a:g}, b = {b:g}")
    arrow = _label_for_jump(ax, dphi, x0, a, xlim)  # before the legend: it may add an entry
    _legend_above_data(ax, np.concatenate(ys), ncol=2, fontsize=9)
    if arrow:
        ax.annotate(**arrow)
    return ax


DPHI_COLOR, LABEL_COLOR = "#e67e22", "#b35806"


def _label_for_jump(ax, dphi, x0, a, xlim):
    """The label of the derivative's filled dot where it jumps (ReLU's, which sits on phi's
    kink): "φ′(0) = 0", or "a·φ′(0) = 0" when a != 1. It goes, with an arrow, to the side where
    a x + b < 0 (the unit is off: only the two zero lines are there), returned as the arguments
    of ``ax.annotate``; when that side is too narrow for it, it becomes a legend entry instead
    (the legend's band covers no curve) and None is returned. None too when nothing jumps."""
    if x0 is None or not xlim[0] < x0 < xlim[1]:
        return None
    left, at, right = _one_sided(dphi, x0)
    if abs(right - left) <= 1e-6 * (1 + abs(left) + abs(right)):
        return None
    text = ("φ′(0)" if a == 1 else "a·φ′(0)") + f" = {at + 0.0:g} (nnlib)"  # + 0.0: a * 0 is -0.0 for a < 0
    side = -1.0 if a > 0 else 1.0
    room = (x0 - xlim[0]) if side < 0 else (xlim[1] - x0)
    if room < 0.3 * (xlim[1] - xlim[0]):
        ax.plot([], [], ls="", marker="o", ms=6, color=DPHI_COLOR, label=text)
        return None
    return {"text": text, "xy": (x0, at), "xytext": (side * 18, 22), "textcoords": "offset points",
            "ha": "right" if side < 0 else "left", "va": "bottom", "fontsize": 8.5, "color": LABEL_COLOR,
            "zorder": 6, "arrowprops": {"arrowstyle": "->", "color": LABEL_COLOR, "lw": 1.0}}


# How the all-five panel draws each curve: a wide pale band under the ones that coincide with it
# on a stretch (ReLU = linear for x > 0, ReLU = Heaviside = 0 for x < 0), narrower or dashed ones on top.
TOGETHER_STYLE = {"relu": {"lw": 7.0, "alpha": 0.35, "zorder": 1.5},
                  "linear": {"lw": 1.8, "ls": "--", "zorder": 3.0},
                  "heaviside": {"lw": 2.5, "zorder": 2.5},
                  "sigmoid": {"lw": 2.0, "zorder": 2.0},
                  "tanh": {"lw": 2.0, "zorder": 2.0}}


def _coincides(ya, yb, x):
    """Where two curves drawn on x coincide, as text ("x < 0", "x > 0", "all x"), or None."""
    same = np.isclose(ya, yb, rtol=0, atol=1e-12)
    sides = [text for text, part in (("x < 0", x < 0), ("x > 0", x > 0)) if same[part].all()]
    return "all x" if len(sides) == 2 else (sides[0] if sides else None)


def plot_activations(ax, names, xlim=(-5.0, 5.0), n=801, legend_loc="lower right"):
    """phi(x) for several activations on one axes, each findable: where one curve coincides with
    another on a stretch, the lower is a wide pale band and the upper narrower or dashed
    (TOGETHER_STYLE), and the upper one's legend entry says where they coincide ("= relu for
    x > 0"). A jump (Heaviside's) is drawn in two pieces, its dots above every line. The legend
    goes to ``legend_loc``: for the course's five the lower right (x > 0, y < 0) is empty."""
    x = np.linspace(*xlim, n)
    phis = {name: get_activation(name).phi for name in names}
    ys = {name: phi(x) for name, phi in phis.items()}
    for name in sorted(names, key=lambda k: TOGETHER_STYLE.get(k, {}).get("zorder", 2.0)):
        below = [other for other in names if TOGETHER_STYLE.get(other, {}).get("zorder", 2.0)
                 < TOGETHER_STYLE.get(name, {}).get("zorder", 2.0)]  # drawn under this curve
        shared = [f"= {other} for {where}" for other in below
                  for where in [_coincides(ys[name], ys[other], x)] if where]
        label = name + (f" ({'; '.join(shared)})" if shared else "")
        style = {"lw": 2.0, "zorder": 2.0, **TOGETHER_STYLE.get(name, {})}
        plot_curve(ax, x, phis[name], jump_at=0.0, label=label, ls=style.pop("ls", "-"), **style)
    ax.axhline(0, color="0.6", lw=0.8, zorder=1)
    ax.axvline(0, color="0.6", lw=0.8, zorder=1)
    ax.set(xlim=xlim, xlabel="$x$", ylabel=r"$\varphi(x)$")
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: list(names).index(labels[i].split(" ")[0]))
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc=legend_loc, fontsize=8)
    return ax


def _legend_above_data(ax, y, **legend_kwargs):
    """A legend in the top left corner, with the y axis stretched so that every value in ``y``
    lies below it: the legend's height is measured (in pixels, then as a fraction of the axes),
    not guessed, so this holds at any figure size where the legend takes less than three
    quarters of the axes' height."""
    y = y[np.isfinite(y)]
    lo, hi = (float(y.min()), float(y.max())) if y.size else (0.0, 1.0)
    span = hi - lo if hi > lo else 1.0
    lo -= 0.06 * span  # room below for the markers
    legend = ax.legend(loc="upper left", **legend_kwargs)
    share = legend.get_window_extent().height / ax.get_window_extent().height
    free = max(1.0 - share - 0.06, 0.2)  # the fraction of the height left for the curves
    ax.set_ylim(lo, lo + (hi - lo) / free)
    return legend


UNIT_SQUARE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # (x1, x2) of its corners


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


def _line_missing(w1, w2, w0, lim):
    """Why the line w1 x1 + w2 x2 + w0 = 0 is not in the view [-lim, lim]^2, or None when it is.
    z is linear, so over the square it is largest and smallest at corners: the line crosses the
    view exactly when the corners' z values are not all of one strict sign."""
    if w1 == 0 and w2 == 0:
        return "no line z = 0: w1 = w2 = 0, so z = w0 everywhere"
    z = [w1 * c1 + w2 * c2 + w0 for c1 in (-lim, lim) for c2 in (-lim, lim)]
    if min(z) > 0 or max(z) < 0:
        return f"line z = 0 outside the view (z {'> 0' if min(z) > 0 else '< 0'} everywhere here)"
    return None


def plot_neuron(ax, w1, w2, w0, activation="sigmoid", lim=3.0, n=101):
    """A neuron's output over the input plane, with its line w1 x1 + w2 x2 + w0 = 0 (dashed)
    and the unit square's four corners (white dots, labelled). When the line misses the view,
    or there is none (w1 = w2 = 0), a caption at the bottom says so."""
    from .exercises.neuron import linear_form  # the checker's way of writing the line, shared
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
    missing = _line_missing(w1, w2, w0, lim)
    if missing:  # say why there is no dashed line, rather than let it vanish without a word
        ax.text(0.5, 0.03, missing, transform=ax.transAxes, ha="center", va="bottom", fontsize=9,
                color="white", zorder=4, bbox={"boxstyle": "round,pad=0.3", "fc": "black", "ec": "none",
                                               "alpha": 0.6})
    # the unit square's corners, where a two-input logic gate (AND, OR, XOR) has its four inputs
    ax.scatter(UNIT_SQUARE[:, 0], UNIT_SQUARE[:, 1], s=30, c="white", edgecolors="black",
               linewidths=1, zorder=3, label="corners of the unit square")
    for (c1, c2), (dx, dy) in zip(UNIT_SQUARE, [(-1, -1), (-1, 1), (1, -1), (1, 1)]):
        ax.annotate(f"({c1:g},{c2:g})", (c1, c2), xytext=(4 * dx, 4 * dy), textcoords="offset points",
                    ha="left" if dx > 0 else "right", va="bottom" if dy > 0 else "top",
                    fontsize=8, color="white", zorder=3,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "black", "ec": "none", "alpha": 0.45})
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="$x_1$", ylabel="$x_2$",
           # plain text, not math text: the title changes with every slider move, and math text
           # is parsed anew for every new string (~15 ms, a fifth of the widget's redraw); the
           # hyphens become the minus sign that math text would have drawn
           title=f"y = {activation}({linear_form(w1, w2, w0, ('x₁', 'x₂'))})".replace("-", "−"))
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


# the course's colours for a unit's output: red low, white middle, blue high (see _unit_colours);
# grey where a value is inf or NaN (a diverged network)
UNIT_CMAP = mcolors.LinearSegmentedColormap.from_list("units", [NEG, "#ffffff", POS]).with_extremes(
    bad="#d9d9d9")
UNIT_GAP = 3  # image pixels between two units' pictures
LAYER_GAP = 12  # image pixels of white between two layers' blocks


def hidden_outputs(model, X):
    """What every hidden unit of an MLP outputs for the inputs X: a list with one
    (activation name, (N, units) array) per hidden layer, in eval mode."""
    was_training = model.training
    model.eval()
    try:
        outputs, h = [], X
        for layer in model:
            h = layer.forward(h)
            if isinstance(layer, Activation):
                outputs.append((layer.name, h))
    finally:
        model.train(was_training)
    return outputs


def _unit_colours(a, name):
    """A unit's outputs a (any shape) mapped to [-1, 1] for the red-white-blue map: -1 (red) is
    the activation's lowest value, +1 (blue) its highest, both fixed (``UNIT_KEYS`` says which
    values they are), so a unit that barely moves looks pale and a saturated one deep. ReLU and
    linear have no highest value: they are scaled by the unit's own largest output (a dead
    ReLU, 0 everywhere, is all -1). Outputs that are inf or NaN stay NaN: grey, no colour."""
    finite = np.isfinite(a)
    if not finite.any():
        return np.full(a.shape, np.nan)
    a = np.where(finite, a, np.nan)
    if name in RANGES:
        lo, hi = RANGES[name]
    elif name == "relu":
        lo, hi = 0.0, float(np.nanmax(a))
    else:  # linear: symmetric around 0
        hi = float(np.nanmax(np.abs(a)))
        lo = -hi
    if hi <= lo:
        return np.full(a.shape, -1.0 if name == "relu" else 0.0)
    return 2.0 * (a - lo) / (hi - lo) - 1.0


# What red (-1), white (0) and blue (+1) of a unit's picture are, per activation: the labels of
# the colour key under the pictures (see _unit_colours).
UNIT_KEYS = {"tanh": ("-1", "0", "+1"), "sigmoid": ("0", "0.5", "1"), "heaviside": ("0", "", "1"),
             "relu": ("0", "", "its max"), "linear": ("-its max |out|", "0", "+its max |out|")}


def hidden_units_shape(widths, n_in, resolution=24, per_row=16):
    """(width, height) in image pixels of ``plot_hidden_units``'s drawing for hidden layers of
    ``widths`` units: per layer, rows of at most ``per_row`` pictures, layers LAYER_GAP apart."""
    tile_h = resolution if n_in == 2 else max(resolution // 2, 1)
    if not widths:
        return 0, 0
    cols = min(per_row, max(widths))
    rows = [-(-w // per_row) for w in widths]
    width = cols * (resolution + UNIT_GAP) + UNIT_GAP
    height = sum(r * (tile_h + UNIT_GAP) + UNIT_GAP for r in rows) + LAYER_GAP * (len(widths) - 1)
    return width, height


def plot_hidden_units(ax, model, X, resolution=24, per_row=16, padding=0.5, max_layers=4):
    """Each hidden unit's own picture: its output over the input plane (the decision boundary's
    area), one small square per unit, for the first ``max_layers`` hidden layers. Each layer is
    one image (a block of rows of at most ``per_row`` squares, on grey), the blocks LAYER_GAP
    pixels of white apart and labelled on the left. With one input (regression) the input is a
    line, not a plane: each unit is a strip over x, x growing to the right.

    Colours: ``_unit_colours`` (fixed per activation: tanh red -1, white 0, blue +1; see
    ``UNIT_KEYS``). The axes' data coordinates are image pixels, y downwards.

    X: (N, 2) or (N, 1), the data (only its range is used). Returns the layers drawn as a list
    of (activation name, units).
    """
    n_in = X.shape[1]
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    if n_in == 2:
        g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
        grid = np.c_[g1.ravel(), g2.ravel()]
        tile_h = resolution
    else:
        grid = np.linspace(X.min(), X.max(), resolution)[:, None]
        tile_h = max(resolution // 2, 1)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run's huge weights
        layers = hidden_outputs(model, grid)[:max_layers]
    ax.set_axis_off()
    if not layers:
        ax.text(0.5, 0.5, "no hidden layers: the model is one Dense layer (linear),\n"
                "so there are no hidden units to picture", ha="center", va="center",
                transform=ax.transAxes, fontsize=10)
        return []
    gap = UNIT_GAP
    width, height = hidden_units_shape([out.shape[1] for _, out in layers], n_in, resolution, per_row)
    top = 0
    for k, (name, out) in enumerate(layers):
        n_rows = -(-out.shape[1] // per_row)
        cols = min(per_row, out.shape[1])
        block = np.full((n_rows * (tile_h + gap) + gap, cols * (resolution + gap) + gap), np.nan)
        for unit in range(out.shape[1]):
            with np.errstate(over="ignore", invalid="ignore"):
                values = _unit_colours(out[:, unit], name)
            tile = (values.reshape(resolution, resolution)[::-1] if n_in == 2  # x2 grows upwards
                    else np.tile(values, (tile_h, 1)))
            r, c = unit // per_row, unit % per_row
            t, left = gap + r * (tile_h + gap), gap + c * (resolution + gap)
            block[t:t + tile_h, left:left + resolution] = tile
        h, w = block.shape
        ax.imshow(block, cmap=UNIT_CMAP, vmin=-1, vmax=1, interpolation="nearest",
                  extent=(0, w, top + h, top))
        ax.text(-gap, top + h / 2, f"layer {k + 1}:\n{out.shape[1]} {name}", ha="right", va="center",
                fontsize=8)
        top += h + LAYER_GAP
    ax.set(xlim=(0, width), ylim=(height, 0), aspect="equal")
    ax.set_anchor("NW")
    return [(name, out.shape[1]) for name, out in layers]
