"""Figures of notebook 09 (convolution): ax in, ax out.

As in ``nnlib.plotting``, every number drawn is computed by nnlib (``nnlib.conv_matrix``, the
layers' own forward passes); these functions only draw it.
"""
import numpy as np
from matplotlib.patches import Rectangle

from . import conv_matrix as CM
from .conv import ConvTranspose2d

WINDOW_COLORS = ("#c0392b", "#2471a3", "#27ae60")  # the windows of outputs [0, 0], [0, 1], [1, 0]
PAD_COLOR = "0.85"
UNSEEN_COLOR = "#f5b7b1"


def short_number(v):
    """A kernel entry as a person would type it: 100 as "100" (not "1e+02"), 1/9 as "0.11";
    scientific notation only where two decimals would not do (below 0.01, 10000 and above)."""
    if v != 0 and not 0.01 <= abs(v) < 1e4:
        return f"{v:.2g}"
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def plot_matrix(ax, M, title=None, annotate=True, fmt="{:g}", blocks=None, cmap="RdBu_r", vmin=None,
                vmax=None, fontsize=9, zeros=False):
    """A matrix as coloured cells (blue negative, red positive, white 0) with each nonzero value
    written in its cell; zeros are left blank, so the pattern of a sparse matrix (a Toeplitz
    matrix, a max-pooling gradient) shows at a glance (``zeros=True`` writes them too, for a
    matrix of data rather than of weights). ``blocks``: draw a thicker line every
    ``blocks`` cells (pooling windows). The colours run from -vmax to vmax unless ``vmin`` is
    given. ``fmt``: a format string or a function of the value (``short_number``).
    M: (rows, cols) or (n,) drawn as a column."""
    M = np.asarray(M, dtype=float)
    if M.ndim == 1:
        M = M[:, None]
    if M.ndim != 2:
        raise ValueError(f"M must be 1-D or 2-D, got shape {M.shape}")
    top = vmax if vmax is not None else (float(np.abs(M).max()) or 1.0)
    bottom = -top if vmin is None else vmin
    ax.imshow(M, cmap=cmap, vmin=bottom, vmax=top, interpolation="nearest")
    rows, cols = M.shape
    ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="0.75", lw=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    if blocks:
        for k in range(0, cols + 1, blocks):
            ax.axvline(k - 0.5, color="k", lw=1.5)
        for k in range(0, rows + 1, blocks):
            ax.axhline(k - 0.5, color="k", lw=1.5)
    if annotate:
        text = fmt if callable(fmt) else fmt.format
        for (i, j), v in np.ndenumerate(M):
            if v != 0 or zeros:
                ax.text(j, i, text(v), ha="center", va="center", fontsize=fontsize,
                        color="w" if abs(v) > 0.6 * max(abs(top), abs(bottom)) else "k")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_image(ax, image, title=None, cmap="gray_r", vmin=None, vmax=None, colorbar=False):
    """One image (H, W) pixel by pixel, with no axes; a diverging map is centred on 0 when
    ``cmap`` is "RdBu_r" (a feature map's sign matters)."""
    image = np.asarray(image, dtype=float)
    if cmap == "RdBu_r" and vmin is None and vmax is None:
        vmax = float(np.abs(image).max()) or 1.0
        vmin = -vmax
    im = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return ax


def coverage(n, kernel_size, stride=1, padding=0):
    """How many of the kernel's positions cover each input pixel along one axis: (n,) counts.
    A 0 is an input the convolution never reads (the floor in the output-size formula)."""
    size = CM.output_size(n, kernel_size, stride, padding)
    counts = np.zeros(n + 2 * padding, dtype=int)
    for i in range(size):
        counts[i * stride:i * stride + kernel_size] += 1
    return counts[padding:padding + n]


def plot_conv_grid(ax_in, ax_out, size, kernel_size, stride=1, padding=0):
    """A square input of side ``size`` with its zero padding (grey), the windows of outputs
    [0, 0], [0, 1] and [1, 0] outlined in three colours, and each input pixel labelled with how
    many windows read it (pink: none, so it never reaches the output); beside it the output grid,
    its first three cells in the same colours. Returns the output side."""
    out = CM.output_size(size, kernel_size, stride, padding)
    cover = coverage(size, kernel_size, stride, padding)
    side = size + 2 * padding
    for i in range(side):
        for j in range(side):
            inside = padding <= i < padding + size and padding <= j < padding + size
            count = cover[i - padding] * cover[j - padding] if inside else None
            color = PAD_COLOR if not inside else (UNSEEN_COLOR if count == 0 else "white")
            ax_in.add_patch(Rectangle((j, i), 1, 1, facecolor=color, edgecolor="0.6", lw=0.6))
            if inside:
                ax_in.text(j + 0.5, i + 0.5, str(count), ha="center", va="center", fontsize=7, color="0.3")
    windows = [(0, 0), (0, 1), (1, 0)]
    for (r, c), color in zip(windows, WINDOW_COLORS):
        if r < out and c < out:
            ax_in.add_patch(Rectangle((c * stride + 0.08, r * stride + 0.08), kernel_size - 0.16,
                                      kernel_size - 0.16, fill=False, edgecolor=color, lw=2.2))
    ax_in.set(xlim=(0, side), ylim=(side, 0), aspect="equal",
              title=f"input {size}x{size}, padding {padding}: windows of {kernel_size}x{kernel_size}, stride {stride}")
    for i in range(out):
        for j in range(out):
            color = dict(zip(windows, WINDOW_COLORS)).get((i, j), "white")
            ax_out.add_patch(Rectangle((j, i), 1, 1, facecolor=color, edgecolor="0.4", lw=0.8,
                                       alpha=0.75 if color != "white" else 1.0))
    ax_out.set(xlim=(0, max(out, 1)), ylim=(max(out, 1), 0), aspect="equal", title=f"output {out}x{out}")
    for ax in (ax_in, ax_out):
        ax.set_xticks([])
        ax.set_yticks([])
        ax.title.set_fontsize(10)
    return out


def plot_transposed_overlap(ax, n, kernel_size, stride, title=None):
    """The output of a transposed convolution with an all-ones kernel on an all-ones n x n input:
    each output pixel shows how many copies of the kernel land on it. With a stride that does
    not divide the kernel size the counts alternate: the checkerboard. The title (``title``
    first, when given) says the input and output sizes."""
    layer = ConvTranspose2d(1, 1, kernel_size, stride=stride, bias=False)
    layer.W.data[...] = 1.0
    counts = layer.forward(np.ones((1, 1, n, n)))[0, 0]
    sizes = f"input {n}x{n} -> output {counts.shape[0]}x{counts.shape[1]}"
    plot_matrix(ax, counts, title=f"{title}: {sizes}" if title else sizes, cmap="Greys", vmin=0.0,
                vmax=float(counts.max()) * 1.6, fontsize=7)
    return counts


def plot_product(axes, A, x, names=("A", "x", "A x"), fontsize=9):
    """A matrix times a vector, drawn as "A  x  =  A x": three ``plot_matrix`` panels on the
    first, third and fifth of five axes (the second and fourth hold the signs).
    A: (m, n); x: (n,). Returns A @ x."""
    A, x = np.asarray(A, dtype=float), np.asarray(x, dtype=float)
    if A.ndim != 2 or x.shape != (A.shape[1],):
        raise ValueError(f"A must be (m, n) and x (n,), got shapes {A.shape} and {x.shape}")
    y = A @ x
    for ax, M, name in zip(axes[::2], (A, x, y), names):
        plot_matrix(ax, M, title=name, fontsize=fontsize)
    for ax, sign in zip(axes[1::2], ("×", "=")):
        ax.axis("off")
        ax.text(0.5, 0.5, sign, ha="center", va="center", fontsize=16)
    return y
