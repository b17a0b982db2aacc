"""Figures of notebook 10 (a CNN on the digits): grids of small images (filters, feature maps,
digits), accuracy on shifted digits, two models' class probabilities.

As in ``nnlib.plotting``, every number drawn is computed by nnlib; these functions only draw it.
They take a matplotlib Figure (the grids) or an Axes, and return what they drew on.
"""
import numpy as np

from .plotting import CLASS_COLORS

MODEL_COLORS = {"MLP": CLASS_COLORS[0], "CNN": CLASS_COLORS[1]}


def plot_image_grid(fig, images, titles=None, ncols=8, cmap="gray_r", vmin=None, vmax=None,
                    symmetric=False, suptitle=None, spec=None, colorbar=None):
    """Small images in a grid, ``ncols`` a row, all on ONE colour scale (so a pale image is a
    weak one, not a rescaled one). images: (K, H, W). ``symmetric``: the scale runs from -m to
    +m with m the largest |value| (weights: red positive, blue negative). ``spec``: a
    SubplotSpec of ``fig`` to fill instead of the whole figure (a widget's figure is one Figure,
    without subfigures, which its redraw could not clear); ``suptitle`` then goes above it.
    ``colorbar``: a label; when given, one colour bar for the whole grid shows the common scale.
    Returns the axes, one per image, row by row."""
    images = np.asarray(images, dtype=float)
    if images.ndim != 3:
        raise ValueError(f"images must be (K, H, W), got shape {images.shape}")
    K = len(images)
    ncols = max(1, min(ncols, K))
    nrows = -(-K // ncols)
    if symmetric:
        m = float(np.abs(images).max()) or 1.0
        vmin, vmax = -m, m
    vmin = float(images.min()) if vmin is None else vmin
    vmax = float(images.max()) if vmax is None else vmax
    if spec is None:
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    else:
        grid = spec.subgridspec(nrows, ncols, hspace=0.4)
        axes = np.array([fig.add_subplot(grid[r, c]) for r in range(nrows) for c in range(ncols)])
    for k, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= K:
            ax.set_visible(False)
            continue
        shown = ax.imshow(images[k], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        if titles is not None:
            ax.set_title(titles[k], fontsize=8)
    if colorbar is not None and K:
        fig.colorbar(shown, ax=list(axes), fraction=0.02, pad=0.015, aspect=12 * nrows).set_label(colorbar, fontsize=8)
    if suptitle and spec is None:
        fig.suptitle(suptitle, fontsize=10)
    elif suptitle:
        box = spec.get_position(fig)
        fig.text((box.x0 + box.x1) / 2, box.y1 + 0.06, suptitle, ha="center", va="bottom", fontsize=10)
    return axes[:K]


def plot_filters(fig, W, suptitle=None, ncols=8, spec=None, colorbar=None):
    """The kernels of a Conv2d with one input channel: W (C_out, 1, kH, kW), red positive and
    blue negative on one common scale."""
    W = np.asarray(W)
    if W.ndim != 4 or W.shape[1] != 1:
        raise ValueError(f"W must be (C_out, 1, kH, kW), one input channel, got shape {W.shape}")
    return plot_image_grid(fig, W[:, 0], [f"filter {k}" for k in range(len(W))], ncols=ncols,
                           cmap="RdBu_r", symmetric=True, suptitle=suptitle, spec=spec,
                           colorbar=colorbar)


def plot_feature_maps(fig, maps, suptitle=None, ncols=8, spec=None, colorbar=None):
    """One sample's feature maps, maps: (C, H, W), one picture per channel on one scale from 0
    (white) to the largest value (black): the output of a ReLU is never negative."""
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"maps must be (C, H, W), got shape {maps.shape}")
    return plot_image_grid(fig, maps, [f"channel {k}" for k in range(len(maps))], ncols=ncols,
                           vmin=0.0, vmax=max(float(maps.max()), 1e-12), suptitle=suptitle, spec=spec,
                           colorbar=colorbar)


def plot_misclassified(fig, images, y_true, y_pred, other=None, ncols=8, suptitle=None):
    """Digits with what the model said: "true 3 / said 8". images: (K, H, W); y_true, y_pred:
    (K,). ``other``: (name, (K,) predictions) of a second model, added as a third line."""
    titles = [f"true {t}\nsaid {p}" for t, p in zip(y_true, y_pred)]
    if other is not None:
        name, preds = other
        titles = [f"{t}\n{name}: {p}" for t, p in zip(titles, preds)]
    return plot_image_grid(fig, images, titles, ncols=ncols, vmin=0.0, vmax=1.0, suptitle=suptitle)


def plot_shift_accuracy(ax, accuracies):
    """Grouped bars: each model's held-out accuracy for each shift, the number on each bar.
    accuracies: dict model name -> dict shift name -> accuracy (every model the same shifts)."""
    names = list(accuracies)
    shifts = list(accuracies[names[0]])
    width = 0.8 / len(names)
    x = np.arange(len(shifts))
    for k, name in enumerate(names):
        values = [accuracies[name][s] for s in shifts]
        color = MODEL_COLORS.get(name.split()[0], CLASS_COLORS[k % len(CLASS_COLORS)])
        bars = ax.bar(x + (k - (len(names) - 1) / 2) * width, values, width, color=color, label=name)
        for bar, v in zip(bars, values):
            ax.annotate(f"{v:.1%}", (bar.get_x() + bar.get_width() / 2, v), xytext=(0, 2),
                        textcoords="offset points", ha="center", fontsize=7)
    ax.set_xticks(x)
    ax.set_xticklabels([s if s == "none" else f"1 pixel {s}" for s in shifts])
    ax.set(ylabel="held-out accuracy", ylim=(0.0, 1.08))
    # beside the axes: inside, it would cover a bar whatever corner it took
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return ax


def plot_probabilities(ax, probs, label=None):
    """Grouped bars over the classes 0..9: each model's probability for each. probs: dict model
    name -> (classes,) array; ``label``, when given, is marked on the axis as the true class."""
    names = list(probs)
    classes = len(next(iter(probs.values())))
    width = 0.8 / len(names)
    x = np.arange(classes)
    for k, name in enumerate(names):
        color = MODEL_COLORS.get(name.split()[0], CLASS_COLORS[k % len(CLASS_COLORS)])
        ax.bar(x + (k - (len(names) - 1) / 2) * width, probs[name], width, color=color, label=name)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{c}" if c != label else f"[{c}]" for c in range(classes)])
    ax.set(ylim=(0.0, 1.0), xlabel="class (true class in brackets)" if label is not None else "class",
           ylabel="probability")
    ax.legend(loc="upper right", fontsize=8)
    return ax
