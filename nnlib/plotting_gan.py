"""Figures of notebook 14 (GANs): ax in, ax out.

As in ``nnlib.plotting``, every number drawn is computed by nnlib: the discriminator's own
forward pass over a grid, the generator's own samples.
"""
import numpy as np

from .losses import _sigmoid

DATA_COLOR, FAKE_COLOR = "0.25", "#e67e22"


def discriminator_grid(D, lim=3.0, n=81):
    """D's probability that a point is real, sigmoid(D(x)), on an n x n grid over [-lim, lim]^2.

    D: a network (N, 2) -> (N, 1) logits. It is run in eval mode (spectral norm's u held still,
    so looking changes nothing) and put back in the mode it was in.
    Returns xs: (n,), ys: (n,), prob: (n, n) with prob[i, j] at (xs[j], ys[i]).
    """
    xs = ys = np.linspace(-lim, lim, n)
    gx, gy = np.meshgrid(xs, ys)
    was_training = D.training
    D.eval()
    try:
        logits = D.forward(np.c_[gx.ravel(), gy.ravel()])
    finally:
        D.train(was_training)
    return xs, ys, _sigmoid(logits).reshape(n, n)


def plot_gan(ax, data, samples, D=None, lim=3.0, title=None, n=81, colorbar=True):
    """The data (grey dots), the generator's samples (orange) and, if D is given, the
    discriminator's probability "real" as a background (blue: real, red: fake, white: 0.5,
    where it cannot tell), on an n x n grid, with a colour bar if ``colorbar``.
    data: (N, 2); samples: (M, 2)."""
    if D is not None:
        xs, ys, prob = discriminator_grid(D, lim, n)
        mesh = ax.pcolormesh(xs, ys, prob, cmap="RdBu", vmin=0.0, vmax=1.0, shading="auto", alpha=0.6)
        if colorbar:
            ax.figure.colorbar(mesh, ax=ax, fraction=0.046, pad=0.03, label="D(x): probability real")
    ax.scatter(data[:, 0], data[:, 1], s=4, color=DATA_COLOR, alpha=0.5, label="data", linewidths=0)
    ax.scatter(samples[:, 0], samples[:, 1], s=6, color=FAKE_COLOR, alpha=0.8, label="generator",
               linewidths=0)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="upper right", fontsize=7, markerscale=2.5, framealpha=0.8)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_digit_grid(ax, images, ncols=8, title=None):
    """images: (N, 64) pixel values in [0, 1] (8x8 digits) -> one picture, ncols per row,
    one pixel of white between them."""
    images = np.asarray(images).reshape(-1, 8, 8)
    n = len(images)
    nrows = -(-n // ncols)
    canvas = np.ones((nrows * 9 + 1, ncols * 9 + 1))
    for k, img in enumerate(images):
        r, c = divmod(k, ncols)
        canvas[1 + 9 * r:9 * r + 9, 1 + 9 * c:9 * c + 9] = 1.0 - img  # dark ink on white
    ax.imshow(canvas, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return ax
