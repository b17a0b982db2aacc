"""Notebook 09's interactive figures: a 3x3 kernel editor over a digit, showing the feature map
as the kernel changes, and sliders for kernel size, stride and padding over the output grid.

Built as ``nnlib.widgets`` builds its explorers (controls over a PNG in an Output widget; the
drawing is a plain function ``draw_*(fig, ...)`` that tests call without a browser).
"""
import contextlib

import ipywidgets as widgets
import numpy as np

from . import conv_matrix as CM
from . import plotting_conv as PC
from .widgets import Explorer

PRESETS = {
    "edge": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],          # a Laplacian: outlines, any direction
    "vertical edge": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],      # Sobel: left-to-right changes
    "horizontal edge": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],    # Sobel: top-to-bottom changes
    "blur": [[1 / 9] * 3] * 3,                                  # the mean of the 3x3 neighbourhood
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],           # the pixel plus its own edge
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
}
CUSTOM = "custom"
KERNEL_LIMIT = 1e100  # the largest kernel entry drawn; a digit's pixels are at most 1


def preset_kernel(name):
    """The 3x3 kernel of a preset, as a float array."""
    if name not in PRESETS:
        raise ValueError(f"name must be one of {sorted(PRESETS)}, got {name!r}")
    return np.array(PRESETS[name], dtype=float)


def draw_feature_map(fig, image, kernel, name=""):
    """The image, the kernel (its numbers written in) and the feature map: the image
    cross-correlated with the kernel, with padding so that it keeps the image's size.
    image: (H, W); kernel: (k, k), k odd. Returns the caption: the feature map's range."""
    kernel = np.asarray(kernel, dtype=float)
    if not (np.isfinite(kernel).all() and np.abs(kernel).max() <= KERNEL_LIMIT):
        # matplotlib's colour scale overflows long before the sums do
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, "the kernel's numbers are too large (or not numbers)", ha="center", va="center")
        return f"type numbers between -{KERNEL_LIMIT:.0e} and {KERNEL_LIMIT:.0e} into the kernel"
    fmap = CM.correlate2d(image, kernel, padding=kernel.shape[0] // 2)
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 0.8, 1]})
    PC.plot_image(axes[0], image, title="the digit")
    PC.plot_matrix(axes[1], kernel, title=f"kernel{': ' + name if name else ''}", fmt=PC.short_number)
    PC.plot_image(axes[2], fmap, title="feature map", cmap="RdBu_r")
    return (f"feature map: min {fmap.min():+.2f}, max {fmap.max():+.2f} "
            f"(blue negative, red positive; the digit's ink is 0 to 1)")


class KernelExplorer(Explorer):
    """A preset drop-down, a digit slider and the nine kernel entries. Choosing a preset fills
    the entries (one redraw, not nine); editing an entry by hand turns the drop-down to "custom"
    unless the kernel is again one of the presets.

    images: (n, H, W), the digit slider picks images[digit]."""

    def __init__(self, images, preset="edge", digit=0):
        images = np.asarray(images, dtype=float)
        if images.ndim != 3:
            raise ValueError(f"images must be (n, H, W), got shape {images.shape}")
        kernel = preset_kernel(preset)
        self.images = images
        self._quiet = False
        self.entries = {f"k{i}{j}": widgets.FloatText(value=float(kernel[i, j]), step=0.5,
                                                      layout=widgets.Layout(width="5.5em"))
                        for i in range(3) for j in range(3)}
        controls = {"preset": widgets.Dropdown(options=list(PRESETS) + [CUSTOM], value=preset,
                                               description="kernel"),
                    "digit": widgets.IntSlider(value=digit, min=0, max=len(images) - 1, description="digit",
                                               continuous_update=False),
                    **self.entries}
        super().__init__(controls, self._draw, figsize=(8.0, 3.0),
                         margins={"left": 0.02, "right": 0.98, "bottom": 0.04, "top": 0.86})
        grid = widgets.GridBox(list(self.entries.values()),
                               layout=widgets.Layout(grid_template_columns="repeat(3, 6em)"))
        left = widgets.VBox([controls["preset"], controls["digit"]])
        self.children = (widgets.HBox([left, grid]), self.output, self.caption)

    def kernel(self):
        return np.array([[self.entries[f"k{i}{j}"].value for j in range(3)] for i in range(3)], dtype=float)

    @contextlib.contextmanager
    def _hold(self):
        """Change controls without a redraw for each."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _changed(self, change):
        if self._quiet:
            return
        preset = self.controls["preset"]
        if change["owner"] is preset:
            if change["new"] != CUSTOM:
                with self._hold():
                    for (i, j), v in np.ndenumerate(preset_kernel(change["new"])):
                        self.entries[f"k{i}{j}"].value = float(v)
        else:
            match = next((name for name in PRESETS if np.allclose(preset_kernel(name), self.kernel())), CUSTOM)
            with self._hold():
                preset.value = match
        self.redraw()

    def _draw(self, fig, preset, digit, **entries):
        return draw_feature_map(fig, self.images[digit], self.kernel(), preset)


def kernel_explorer(images, preset="edge", digit=0):
    """A 3x3 kernel editor (nine entries, or a preset: edge, vertical edge, horizontal edge,
    blur, sharpen, identity) over ``images[digit]``, with the feature map redrawn live.
    images: (n, H, W)."""
    return KernelExplorer(images, preset, digit)


def draw_conv_grid(fig, size, kernel_size, stride, padding):
    """The input grid (padding grey, windows of the first outputs outlined, each pixel's number of
    windows) beside the output grid; the caption works out the output-size formula."""
    if kernel_size > size + 2 * padding:
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, "no output: the kernel is larger than the padded input", ha="center", va="center")
        return (f"kernel {kernel_size} > size + 2 padding = {size + 2 * padding}: there is no position for "
                f"the kernel (nnlib.Conv2d raises an error)")
    ax_in, ax_out = fig.subplots(1, 2, gridspec_kw={"width_ratios": [size + 2 * padding, 5]})
    out = PC.plot_conv_grid(ax_in, ax_out, size, kernel_size, stride, padding)
    unread = int(np.sum(PC.coverage(size, kernel_size, stride, padding) == 0))
    text = (f"output size = ({size} + 2*{padding} - {kernel_size}) // {stride} + 1 = "
            f"{size + 2 * padding - kernel_size} // {stride} + 1 = {out}")
    if unread:
        text += (f"\nthe floor drops the last {unread} row(s) and column(s) of the input (pink): "
                 f"no window reads them")
    return text


def stride_padding_explorer(size=8, kernel_size=3, stride=1, padding=0):
    """Sliders for the input size, kernel size, stride and padding over the input and output
    grids (a square input and kernel, so each side follows the same formula)."""
    def slider(description, value, lo, hi):
        return widgets.IntSlider(value=value, min=lo, max=hi, description=description, continuous_update=False)

    controls = {"size": slider("input size", size, 3, 10), "kernel_size": slider("kernel", kernel_size, 1, 5),
                "stride": slider("stride", stride, 1, 3), "padding": slider("padding", padding, 0, 2)}
    return Explorer(controls, draw_conv_grid, figsize=(7.2, 3.8),
                    margins={"left": 0.02, "right": 0.98, "bottom": 0.03, "top": 0.9})
