"""Notebook 12's interactive figure: sampling from a trained character model, with a
temperature slider and a prompt.

Built as ``nnlib.widgets`` builds its explorers (controls over a PNG in an Output widget; the
drawing is a plain function ``draw_*(fig, **values)`` that tests call without a browser).
"""
import textwrap

import ipywidgets as widgets

from . import plotting_embeddings as P
from . import text
from .widgets import Explorer


def draw_sampling(fig, model, vocab, prompt, temperature, length=150, seed=0):
    """The model's next-character probabilities after ``prompt`` at ``temperature`` (bars), and,
    as the caption, ``length`` characters sampled after the prompt with the seed ``seed``.
    A prompt with characters the model does not know gets empty axes with a message in them,
    and a caption, that say so."""
    ax = fig.add_subplot()
    try:
        probs = text.next_char_probabilities(model, vocab, prompt, temperature)
    except ValueError as exc:
        message = f"cannot start from this prompt: {exc}"
        ax.set(ylim=(0, 1), ylabel="probability", xlabel="next character (the likeliest first)", xticks=[])
        ax.text(0.5, 0.5, textwrap.fill(message, 50), transform=ax.transAxes, ha="center", va="center",
                fontsize=10, color="0.3")
        return message
    P.plot_next_char(ax, probs, vocab.chars)
    ax.set_title(f"after {prompt!r}, temperature {temperature:.2f}", fontsize=10)
    sampled = text.sample(model, vocab, prompt, length, temperature, rng=seed)
    return textwrap.fill(f"{prompt}{sampled}", 90)


def sampling_explorer(model, vocab, prompt="the ", temperature=1.0, length=150, seed=0):
    """A temperature slider (0.1 to 2) and a prompt box over ``draw_sampling``."""
    controls = {"temperature": widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.1,
                                                   description="temperature", continuous_update=False,
                                                   readout_format=".1f", style={"description_width": "initial"}),
                "prompt": widgets.Text(value=prompt, description="prompt", continuous_update=False)}

    def draw(fig, temperature, prompt):
        return draw_sampling(fig, model, vocab, prompt, temperature, length, seed)

    return Explorer(controls, draw, figsize=(6.4, 3.2),
                    margins={"left": 0.1, "right": 0.98, "bottom": 0.17, "top": 0.9})
