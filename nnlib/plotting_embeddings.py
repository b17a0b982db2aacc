"""Figures of notebook 12 (embeddings and a character model): ax in, ax out.

Every number drawn is computed by nnlib (``nnlib.text``: perplexities, PCA coordinates, the
model's predictions); these functions only draw it.
"""
import numpy as np
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullFormatter

from .plotting import CLASS_COLORS

VOWELS = "aeiou"
# the kinds of character the embedding figure colours: what a reader would group by eye
KINDS = {"digit": CLASS_COLORS[1], "vowel": CLASS_COLORS[2], "consonant": CLASS_COLORS[0],
         "space or full stop": CLASS_COLORS[4]}
TRAIN_COLOR, VAL_COLOR = CLASS_COLORS[0], CLASS_COLORS[1]
PERPLEXITY_TICKS = (1, 1.5, 2, 3, 5, 10, 20, 30, 50, 100)
NAMES = {" ": "space", ".": "full stop"}  # too small to see alone in a scatter of letters


def char_kind(char):
    """"digit", "vowel", "consonant" or "space or full stop" (any other character)."""
    if char.isdigit():
        return "digit"
    if char in VOWELS:
        return "vowel"
    if char.isalpha():
        return "consonant"
    return "space or full stop"


def show_char(char):
    """A character as a figure or a table shows it: the space as an open box, visible."""
    return "\u2423" if char == " " else char


def plot_perplexity(ax, steps, train, val, baselines=None, floor=None):
    """Perplexity against training steps, training (solid) and held-out (dashed), on a log axis.

    steps, train, val: (K,) the steps at which both were measured and their values.
    baselines: dict label -> perplexity, drawn as grey dotted lines (counting models, guessing);
    floor: the lowest perplexity any model can reach on the text (the grammar's own), a black
    dashed line."""
    steps, train, val = (np.asarray(a, dtype=float) for a in (steps, train, val))
    if not steps.shape == train.shape == val.shape or steps.ndim != 1:
        raise ValueError(f"steps, train and val must be 1-D of the same length, got shapes "
                         f"{steps.shape}, {train.shape}, {val.shape}")
    ax.plot(steps, train, "-o", ms=3, color=TRAIN_COLOR, lw=2, label="training text")
    ax.plot(steps, val, "--s", ms=3, color=VAL_COLOR, lw=2, label="held-out text")
    for k, (label, value) in enumerate((baselines or {}).items()):
        ax.axhline(value, color="0.55", ls=":", lw=1.2)
        ax.annotate(f"{label}: {value:.2f}", (steps[-1], value), xytext=(-4, 3), textcoords="offset points",
                    ha="right", va="bottom", fontsize=8, color="0.35")
    if floor is not None:
        ax.axhline(floor, color="k", ls="--", lw=1)
        ax.annotate(f"the grammar itself: {floor:.2f}", (steps[-1], floor), xytext=(-4, -3),
                    textcoords="offset points", ha="right", va="top", fontsize=8)
    ax.set_yscale("log")
    top = max(float(np.max(train)), float(np.max(val)), *(baselines or {}).values())
    ax.set_yticks([t for t in PERPLEXITY_TICKS if t <= 1.2 * top], minor=False)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set(xlabel="training step", ylabel="perplexity (log scale)")
    ax.legend(loc="upper center", fontsize=8)
    return ax


def spread_labels(coords, min_dist=0.05, steps=300):
    """Label positions near ``coords`` (V, 2) that keep at least ``min_dist`` apart, measured on
    the axes' scale (each coordinate divided by its range): labels that would overlap are pushed
    apart a little at a time, so a tight cluster (the digits) becomes a readable ring.
    Deterministic: coinciding points are parted along fixed directions."""
    coords = np.asarray(coords, dtype=float)
    low, span = coords.min(axis=0), np.ptp(coords, axis=0) + 1e-12
    pos = (coords - low) / span
    n = len(pos)
    angles = 2 * np.pi * np.arange(n) / max(n, 1)
    pos = pos + 1e-6 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    for _ in range(steps):
        d = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(d, axis=2) + np.eye(n)
        close = dist < min_dist
        if not close.any():
            break
        push = np.where(close, (min_dist - dist) / dist, 0.0)[..., None] * d
        pos = pos + 0.5 * push.sum(axis=1)
    return low + pos * span


def plot_embedding_2d(ax, coords, chars, explained=None):
    """Each character at its 2-D coordinates (``nnlib.text.pca_2d``): a dot at the point, the
    character in the colour of its kind (digit, vowel, consonant, space or full stop) beside it,
    pushed apart from its neighbours (``spread_labels``) with a thin line to its dot when it had
    to move. coords: (V, 2); chars: V characters; explained: the fraction of the variance each
    axis holds, for the axis labels."""
    coords = np.asarray(coords, dtype=float)
    if coords.shape != (len(chars), 2):
        raise ValueError(f"coords must be (V, 2) with V = len(chars) = {len(chars)}, got shape {coords.shape}")
    labels = spread_labels(coords)
    span = np.ptp(coords, axis=0) + 1e-12
    for (x, y), (lx, ly), char in zip(coords, labels, chars):
        color = KINDS[char_kind(char)]
        ax.plot([x], [y], "o", ms=6 if char in NAMES else 3, color=color)
        moved = np.hypot((lx - x) / span[0], (ly - y) / span[1]) > 0.01
        arrow = dict(arrowstyle="-", color=color, lw=0.6, alpha=0.7, shrinkA=0, shrinkB=4) if moved else None
        if char in NAMES:  # a word: beside its dot
            ax.annotate(NAMES[char], (x, y), xytext=(lx, ly), textcoords="data", ha="left", va="top",
                        fontsize=9, color=color, arrowprops=arrow)
        else:
            ax.annotate(show_char(char), (x, y), xytext=(lx, ly), textcoords="data", color=color, fontsize=13,
                        ha="center", va="center", fontweight="bold", arrowprops=arrow)
    every = np.concatenate([coords, labels])
    pad = 0.08 * (every.max(axis=0) - every.min(axis=0) + 1e-12)
    ax.set_xlim(every[:, 0].min() - pad[0], every[:, 0].max() + pad[0])
    ax.set_ylim(every[:, 1].min() - pad[1], every[:, 1].max() + pad[1])
    names = ("first", "second")
    axis_labels = [f"{n} principal direction" + (f" ({e:.0%} of the variance)" if explained is not None else "")
                   for n, e in zip(names, explained if explained is not None else (None, None))]
    ax.set(xlabel=axis_labels[0], ylabel=axis_labels[1])
    handles = [ax.plot([], [], "s", color=color, label=kind)[0] for kind, color in KINDS.items()]
    ax.legend(handles=handles, fontsize=8, loc="best", framealpha=0.8)
    return ax


def plot_next_char(ax, probs, chars, top=12, legend=True):
    """The ``top`` likeliest next characters as bars, likeliest first, coloured by kind (digit,
    vowel, consonant, space or full stop; a legend names the kinds shown). probs: (V,) summing
    to 1."""
    probs = np.asarray(probs, dtype=float)
    if probs.shape != (len(chars),):
        raise ValueError(f"probs must be (V,) with V = len(chars) = {len(chars)}, got shape {probs.shape}")
    order = np.argsort(-probs, kind="stable")[:top]
    colors = [KINDS[char_kind(chars[i])] for i in order]
    ax.bar(np.arange(len(order)), probs[order], color=colors)
    ax.set_xticks(np.arange(len(order)), [show_char(chars[i]) for i in order], fontsize=12)
    ax.set(ylim=(0, 1), ylabel="probability", xlabel="next character (the likeliest first)")
    if legend:
        shown = [kind for kind in KINDS if kind in {char_kind(chars[i]) for i in order}]
        ax.legend(handles=[Patch(color=KINDS[kind], label=kind) for kind in shown], fontsize=8,
                  loc="upper right", framealpha=0.8)
    return ax
