"""Notebook 10's interactive figure: pick a held-out digit, shift it by whole pixels, and see what
the MLP and the CNN say, and what the CNN's first layer sees.

Built as ``nnlib.widgets`` builds its explorers (controls over a PNG in an Output widget; the
drawing is a plain function ``draw_shifted_digit(fig, ...)`` that tests call without a browser).
"""
import ipywidgets as widgets
import numpy as np

from . import plotting_cnn as P
from .activations import ReLU
from .digits_cnn import probabilities, shift_images
from .plotting_regularization import layer_outputs
from .widgets import Explorer

MAX_SHIFT = 2
MARGINS = {"left": 0.03, "right": 0.98, "bottom": 0.03, "top": 0.92}


def _said(name, p):
    k = int(np.argmax(p))
    return f"{name} says {k} (p = {p[k]:.3f})"


def shift_in_words(down, right):
    """A shift of ``down`` rows and ``right`` columns as a reader says it: "2 up, 1 right",
    "not moved"."""
    parts = [f"{abs(n)} {word}" for n, word in ((down, "down" if down > 0 else "up"),
                                                (right, "right" if right > 0 else "left")) if n]
    return ", ".join(parts) if parts else "not moved"


def draw_shifted_digit(fig, index, down, right, models, X, y):
    """Held-out digit X[index] moved ``down`` rows and ``right`` columns (``shift_images``): the
    image, each model's class probabilities, and the first ReLU's feature maps of the last model
    (the CNN). models: dict name -> model taking (N, 1, H, W) images; X: (N, 1, H, W); y: (N,).
    Returns the caption: what each model says, with its probability."""
    image = shift_images(X[index:index + 1], down, right)   # (1, 1, H, W)
    probs = {name: probabilities(model, image)[0] for name, model in models.items()}
    rows = fig.add_gridspec(2, 1, height_ratios=[1.0, 1.0], hspace=0.55)
    top = rows[0].subgridspec(1, 2, width_ratios=[1, 2.6], wspace=0.25)
    ax_img, ax_p = fig.add_subplot(top[0]), fig.add_subplot(top[1])
    ax_img.imshow(image[0, 0], cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax_img.set_xticks([])
    ax_img.set_yticks([])
    moved = shift_in_words(down, right)
    moved = moved if moved == "not moved" else f"moved {moved}"
    ax_img.set_title(f"test digit {index}, a {int(y[index])}\n{moved}", fontsize=8)
    P.plot_probabilities(ax_p, probs, label=int(y[index]))
    cnn_name = list(models)[-1]
    maps = layer_outputs(models[cnn_name], image, kind=ReLU)[0][0]     # (C, H, W)
    P.plot_feature_maps(fig, maps, spec=rows[1], suptitle=f"the {cnn_name}'s first layer (after ReLU): "
                                               f"its maps move with the digit")
    return ";  ".join(_said(name, p) for name, p in probs.items())


def shift_explorer(models, X, y, index=0, down=0, right=0):
    """Sliders for the test digit and its shift (up to ``MAX_SHIFT`` pixels each way) over
    ``draw_shifted_digit``. models: dict name -> model (the CNN last); X: (N, 1, H, W); y: (N,)."""
    if not models:
        raise ValueError("models must name at least one model")
    controls = {"index": widgets.IntSlider(value=index, min=0, max=len(X) - 1, description="test digit",
                                           continuous_update=False),
                "down": widgets.IntSlider(value=down, min=-MAX_SHIFT, max=MAX_SHIFT, description="shift down",
                                          continuous_update=False),
                "right": widgets.IntSlider(value=right, min=-MAX_SHIFT, max=MAX_SHIFT,
                                           description="shift right", continuous_update=False)}

    def draw(fig, index, down, right):
        return draw_shifted_digit(fig, index, down, right, models, X, y)

    return Explorer(controls, draw, figsize=(8.0, 5.2), margins=MARGINS)
