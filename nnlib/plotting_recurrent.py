"""Figures of notebook 11 (recurrent networks): ax in, ax out.

As in ``nnlib.plotting``, every number drawn is computed by nnlib (``nnlib.bptt``, the
layers' own forward passes, ``LSTM.gates``); these functions only draw it.
"""
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

RNN_COLOR, LSTM_COLOR = "#c0392b", "#2471a3"
KIND_COLORS = {"RNN": RNN_COLOR, "LSTM": LSTM_COLOR}


def _box(ax, xy, text, color, w=0.8, h=0.5):
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.03", fc=color,
                                ec="k", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=8)


def _arrow(ax, start, end, color="k"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color, lw=1.3))


def plot_unrolled(ax, T=4):
    """The RNN unrolled over T steps: one copy of the same dense layer (Wx, Wh, b, tanh) per
    step, fed with x_t from below and h_{t-1} from the left, giving h_t to the right and up."""
    for t in range(1, T + 1):
        x = 1.8 * t
        _box(ax, (x, 1.0), "tanh(Wx x + Wh h + b)", "#f5e6cc", w=1.4)
        ax.text(x, -0.05, f"$x_{t}$", ha="center", va="center", fontsize=11)
        _arrow(ax, (x, 0.12), (x, 0.72))
        ax.text(x, 2.0, f"$h_{t}$", ha="center", va="center", fontsize=11)
        _arrow(ax, (x, 1.28), (x, 1.85))
        _arrow(ax, (x - 1.8 + 0.72, 1.0), (x - 0.72, 1.0), color=RNN_COLOR)
    ax.text(0.55, 1.0, "$h_0$", ha="center", va="center", fontsize=11)
    ax.text(1.8 * (T + 1) - 0.55, 1.0, "...", ha="center", va="center", fontsize=12)
    ax.set(xlim=(0.2, 1.8 * (T + 1)), ylim=(-0.35, 2.3))
    ax.set_axis_off()
    ax.set_title("the same layer (the same Wx, Wh, b) at every step; $h_{t-1}$ enters from the left",
                 fontsize=10)
    return ax


def plot_gradient_vs_lag(ax, curves, colors=None, ylim=(1e-12, 1e6)):
    """Gradient norm against lag on a log axis. ``curves``: dict label -> (T,) array, entry k
    the gradient's size k steps back (``nnlib.bptt.gradient_vs_lag``). The data are drawn as
    they are: a curve that vanishes below ``ylim`` (or explodes above it) leaves the axes there
    rather than running along the frame at a made-up value."""
    colors = colors or {}
    for k, (label, norms) in enumerate(curves.items()):
        norms = np.asarray(norms, dtype=float)
        ax.semilogy(np.arange(len(norms)), norms, lw=2, label=label,
                    color=colors.get(label, f"C{k}"))
    ax.set(xlabel="lag k (steps back from the last one)", ylabel=r"$\|\partial (u \cdot h_T)/\partial x_{T-k}\|$",
           ylim=ylim)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return ax


def plot_accuracy_vs_T(ax, Ts, accuracies, chance=None):
    """Test accuracy of each model against the sequence length. ``accuracies``: dict kind ->
    list of accuracies, one per T in ``Ts``; ``chance``: the guessing level, dashed."""
    for kind, accs in accuracies.items():
        ax.plot(Ts, accs, "o-", lw=2, color=KIND_COLORS.get(kind), label=kind)
    if chance is not None:
        ax.axhline(chance, ls="--", color="0.5", lw=1)
        ax.text(Ts[0], chance + 0.02, "guessing", color="0.4", fontsize=8)
    ax.set(xlabel="sequence length T (the symbol to recall is T - 1 steps back)", ylabel="test accuracy",
           ylim=(0, 1.05), xticks=list(Ts))
    ax.legend(fontsize=9)
    return ax


GATE_NAMES = {"i": "input gate i", "f": "forget gate f", "o": "output gate o", "c": "cell state c"}


def plot_gates(axes, gates, cells, units=None):
    """An LSTM's gates and cell state over one sequence: one heat map per entry of ``axes``
    (four axes: i, f, o, c), rows the hidden units, columns the steps. ``gates``: dict "i", "f",
    "o" -> (T, H) arrays (one sequence of ``LSTM.gates()``); ``cells``: (T, H). ``units``: the
    units to show, in that order (all by default)."""
    cells = np.asarray(cells)
    units = np.arange(cells.shape[1]) if units is None else np.asarray(units)
    panels = {"i": gates["i"], "f": gates["f"], "o": gates["o"], "c": cells}
    images = []
    for ax, (name, values) in zip(axes, panels.items()):
        values = np.asarray(values)[:, units].T                   # (units, T)
        vmin, vmax = (0.0, 1.0) if name != "c" else (-np.abs(values).max(), np.abs(values).max())
        images.append(ax.imshow(values, aspect="auto", cmap="viridis" if name != "c" else "RdBu_r",
                                vmin=vmin, vmax=vmax, interpolation="nearest"))
        ax.set_ylabel(GATE_NAMES[name], fontsize=9)
        ax.set_yticks([])
    axes[-1].set_xlabel("step (0: the marked symbol)")
    return images


SYMBOL_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def plot_memory_traces(ax, traces, names="ABCDEF"):
    """One unit's state over the steps in several versions of a sequence that differ only in
    the first symbol. ``traces``: (versions, T); version k is drawn in its own colour and
    labelled with ``names[k]``. Lines that stay apart: the unit remembers the first symbol."""
    traces = np.asarray(traces)
    for k, trace in enumerate(traces):
        ax.plot(np.arange(traces.shape[1]), trace, lw=1.6, color=SYMBOL_COLORS[k % len(SYMBOL_COLORS)],
                label=f"first symbol {names[k]}")
    ax.set(xlabel="step (0: the marked symbol)")
    return ax
