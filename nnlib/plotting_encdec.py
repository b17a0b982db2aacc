"""Notebook 13's figures: an autoencoder's 2-D codes, digits beside their reconstructions, the
digits a decoder draws over a grid of codes, and a seq2seq model's accuracy per position.

Pure matplotlib: each function draws on the axes (or figure) it is given and returns it.
"""
import numpy as np

DIGIT_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]  # matplotlib's tab10


def decode(decoder, codes):
    """codes: (M, 2) (or one code (2,)) -> images (M, 8, 8): the decoder's output, channel 0."""
    codes = np.atleast_2d(np.asarray(codes, dtype=float))
    dtype = decoder.parameters()[0].data.dtype
    out = decoder.forward(codes.astype(dtype))
    return out.reshape(codes.shape[0], *out.shape[-2:])


def spread_labels(points, span, min_gap=0.08, steps=200):
    """points: (K, 2) label positions -> (K, 2) moved apart until no two are closer than
    ``min_gap`` (a fraction of ``span``, the (2,) width and height of the plot), each moved as
    little as it takes. Labels at class medians that nearly coincide would otherwise cover
    each other."""
    span = np.asarray(span, dtype=float)
    p = np.asarray(points, dtype=float) / span
    for _ in range(steps):
        moved = False
        for i in range(len(p)):
            for j in range(i + 1, len(p)):
                d = p[j] - p[i]
                dist = np.hypot(*d)
                if dist < min_gap:
                    # coinciding labels: push apart along a fixed direction, for a reproducible figure
                    u = d / dist if dist > 1e-12 else np.array([1.0, 0.0])
                    shift = (min_gap - dist) / 2 * 1.01 * u
                    p[i] -= shift
                    p[j] += shift
                    moved = True
        if not moved:
            break
    return p * span


def plot_codes(ax, codes, labels, point=None, size=10, fontsize=13):
    """codes: (N, 2), labels: (N,) digits 0..9. One colour a digit, its label written near the
    median code of its class (labels moved apart where they would overlap); ``point`` (z1, z2):
    a black cross there, drawn above the labels."""
    codes = np.asarray(codes, dtype=float)
    labels = np.asarray(labels)
    if codes.ndim != 2 or codes.shape[1] != 2 or labels.shape != (codes.shape[0],):
        raise ValueError(f"codes must be (N, 2) and labels (N,), got {codes.shape} and {labels.shape}")
    present = [d for d in range(10) if np.any(labels == d)]
    for digit in present:
        mine = codes[labels == digit]
        ax.scatter(mine[:, 0], mine[:, 1], s=size, color=DIGIT_COLORS[digit], alpha=0.6, label=str(digit))
    if present:
        medians = np.array([np.median(codes[labels == d], axis=0) for d in present])
        span = np.ptp(codes, axis=0)
        spots = spread_labels(medians, np.where(span > 0, span, 1.0), min_gap=0.012 * fontsize)
        for digit, (z1, z2) in zip(present, spots):
            ax.text(z1, z2, str(digit), fontsize=fontsize, fontweight="bold", ha="center", va="center",
                    color=DIGIT_COLORS[digit], zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.8})
    if point is not None:
        ax.plot([point[0]], [point[1]], "x", color="black", ms=12, mew=3, zorder=5)  # above the labels
    ax.set(xlabel="$z_1$", ylabel="$z_2$")
    return ax


def plot_image_rows(fig, rows, row_titles=None, cmap="gray_r"):
    """rows: a list of R arrays (M, 8, 8) (or (M, 1, 8, 8)) -> an R x M grid of images, one
    title a row (``row_titles``), pixel values 0 (white) to 1 (black) as the digits data."""
    rows = [np.asarray(r, dtype=float).reshape(len(r), *np.shape(r)[-2:]) for r in rows]
    m = len(rows[0])
    if any(len(r) != m for r in rows):
        raise ValueError(f"every row must hold the same number of images, got {[len(r) for r in rows]}")
    axes = np.asarray(fig.subplots(len(rows), m, squeeze=False))
    for i, images in enumerate(rows):
        for j, image in enumerate(images):
            axes[i, j].imshow(image, cmap=cmap, vmin=0.0, vmax=1.0)
            axes[i, j].set_xticks([])
            axes[i, j].set_yticks([])
        if row_titles is not None:
            axes[i, 0].set_ylabel(row_titles[i], rotation=0, ha="right", va="center")
    return axes


def code_grid(decoder, xlim, ylim, n=12, gap=1):
    """The decoder's digits over an n x n grid of codes, z2 growing upwards, with ``gap`` blank
    pixels around each: (n*(8+gap), n*(8+gap)). The codes are the centres of the n x n cells
    of [xlim] x [ylim]."""
    z1 = xlim[0] + (np.arange(n) + 0.5) * (xlim[1] - xlim[0]) / n
    z2 = (ylim[0] + (np.arange(n) + 0.5) * (ylim[1] - ylim[0]) / n)[::-1]  # top row: the largest z2
    grid = np.array([[a, b] for b in z2 for a in z1])
    images = decode(decoder, grid)
    images = np.pad(images, ((0, 0), (0, gap), (0, gap)))  # 0 is white in the digits' colour map
    h, w = images.shape[1:]
    return images.reshape(n, n, h, w).transpose(0, 2, 1, 3).reshape(n * h, n * w)


def plot_code_grid(ax, decoder, xlim, ylim, n=12):
    """What the decoder draws at every point of an n x n grid over [xlim] x [ylim]."""
    ax.imshow(code_grid(decoder, xlim, ylim, n), cmap="gray_r", vmin=0.0, vmax=1.0,
              extent=(*xlim, *ylim), aspect="auto", interpolation="nearest")
    ax.set(xlabel="$z_1$", ylabel="$z_2$")
    return ax


def plot_position_accuracy(ax, accuracies, colors=None, reference=None):
    """accuracies: {label: (T,) fraction right at each output position} -> one line each.
    reference: {label: (T,)} runs under other settings, drawn dashed grey so they are not read
    as part of the comparison. A dotted line marks chance, 1 digit in 10."""
    for k, (label, acc) in enumerate(accuracies.items()):
        acc = np.asarray(acc, dtype=float)
        color = None if colors is None else colors[k % len(colors)]
        ax.plot(np.arange(1, acc.size + 1), acc, "o-", label=label, color=color)
    for label, acc in (reference or {}).items():
        acc = np.asarray(acc, dtype=float)
        ax.plot(np.arange(1, acc.size + 1), acc, "s--", label=label, color="0.55", ms=4, lw=1.2)
    ax.set(xlabel="output position", ylabel="fraction right", ylim=(0.0, 1.02))
    ax.axhline(0.1, color="0.6", ls=":", lw=1, label="chance (1 digit in 10)")
    ax.legend(fontsize=9)
    return ax
