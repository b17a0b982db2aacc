"""Notebook 13's interactive figure: two sliders are the autoencoder's 2-D code; the decoder
draws the digit for it, live, beside the codes of the test digits.

Built as ``nnlib.widgets`` builds its explorers (controls over a PNG in an Output widget; the
drawing is a plain function ``draw_decoded(fig, ...)`` that tests call without a browser).
"""
import numpy as np

from . import plotting_encdec as P
from .widgets import Explorer, _slider


def draw_decoded(fig, z1, z2, decoder, codes, labels, xlim=None, ylim=None, far=None):
    """Left: the codes of the test digits and a cross at (z1, z2), over fixed ``xlim``, ``ylim``
    (so the axes stay put as the cross moves); right: the decoder's digit for that code.
    Returns the caption: the code and the class of the nearest test code, or, when that is more
    than ``far`` away, that the code is far from any test digit."""
    left, right = fig.subplots(1, 2, width_ratios=[1.4, 1.0])
    P.plot_codes(left, codes, labels, point=(z1, z2), size=6, fontsize=10)
    if xlim is not None:
        left.set_xlim(xlim)
    if ylim is not None:
        left.set_ylim(ylim)
    left.set_title("codes of the test digits")
    image = P.decode(decoder, [z1, z2])[0]
    right.imshow(image, cmap="gray_r", vmin=0.0, vmax=1.0)
    right.set_xticks([])
    right.set_yticks([])
    right.set_title(f"decoded from ({z1:.2f}, {z2:.2f})")
    distance = np.hypot(codes[:, 0] - z1, codes[:, 1] - z2)
    nearest = int(np.argmin(distance))
    if far is not None and distance[nearest] > far:
        return (f"code ({z1:.2f}, {z2:.2f}): far from any test digit (the nearest test code is "
                f"{distance[nearest]:.2f} away); the decoder draws what it extrapolates there")
    label = int(labels[nearest])
    article = "an" if label == 8 else "a"
    return (f"code ({z1:.2f}, {z2:.2f}): the nearest test code ({distance[nearest]:.2f} away) is {article} "
            f"{label}")


def code_explorer(decoder, codes, labels, z1=None, z2=None):
    """Sliders z1 and z2 spanning the codes (N, 2) of the test digits (labels (N,)), starting
    at their median; the digit the decoder draws for (z1, z2)."""
    codes = np.asarray(codes, dtype=float)
    labels = np.asarray(labels)
    if codes.ndim != 2 or codes.shape[1] != 2 or labels.shape != (codes.shape[0],):
        raise ValueError(f"codes must be (N, 2) and labels (N,), got {codes.shape} and {labels.shape}")
    lo, hi = np.floor(codes.min(axis=0)), np.ceil(codes.max(axis=0))
    start = np.round(np.median(codes, axis=0), 1)
    step = float(np.round(max(hi - lo) / 40, 2)) or 0.05
    controls = {"z1": _slider("z1", start[0] if z1 is None else z1, lo[0], hi[0], step),
                "z2": _slider("z2", start[1] if z2 is None else z2, lo[1], hi[1], step)}

    xlim, ylim = (lo[0] - step, hi[0] + step), (lo[1] - step, hi[1] + step)  # the sliders' range
    far = 0.1 * float(max(np.ptp(codes, axis=0)))   # a tenth of the codes' spread: off the data

    def draw(fig, z1, z2):
        return draw_decoded(fig, z1, z2, decoder, codes, labels, xlim, ylim, far)

    return Explorer(controls, draw, figsize=(7.6, 3.6),
                    margins={"left": 0.08, "right": 0.98, "bottom": 0.14, "top": 0.9})
