"""Notebook 12's figures and sampling widget: what is drawn is nnlib's own computation (read back
from the matplotlib artists), and each control changes the picture."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import nnlib  # noqa: E402
from nnlib import plotting_embeddings as PE  # noqa: E402
from nnlib import text  # noqa: E402
from nnlib import widgets_embeddings as WE  # noqa: E402
from widget_helpers import assert_redraws, shown_png  # noqa: E402

VOCAB = text.Vocabulary("the cat. 12")


def model(seed=0):
    rng = np.random.default_rng(seed)
    V = len(VOCAB)
    return nnlib.Sequential(nnlib.Embedding(V, 4, rng=rng), nnlib.LSTM(4, 6, rng=rng), nnlib.Dense(6, V, rng=rng))


@pytest.mark.parametrize("char, kind", [("7", "digit"), ("e", "vowel"), ("t", "consonant"), (" ", "space or full stop"),
                                        (".", "space or full stop")])
def test_char_kinds(char, kind):
    assert PE.char_kind(char) == kind


def test_the_bars_are_the_models_likeliest_next_characters():
    m = model()
    probs = text.next_char_probabilities(m, VOCAB, "the ", 0.8)
    ax = Figure().add_subplot()
    PE.plot_next_char(ax, probs, VOCAB.chars, top=5)
    heights = [bar.get_height() for bar in ax.patches]
    np.testing.assert_allclose(heights, np.sort(probs)[::-1][:5])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [PE.show_char(VOCAB.chars[i]) for i in np.argsort(-probs, kind="stable")[:5]]


def test_the_embedding_figure_writes_each_character_at_its_pca_point():
    W = np.random.default_rng(1).normal(size=(len(VOCAB), 4))
    coords, explained = text.pca_2d(W)
    ax = Figure().add_subplot()
    PE.plot_embedding_2d(ax, coords, VOCAB.chars, explained)
    for char, (x, y) in zip(VOCAB.chars, coords):   # a dot at the point, its label pointing at it
        assert any(np.allclose(line.get_xydata(), [[x, y]]) for line in ax.lines if len(line.get_xdata()))
        label = PE.NAMES.get(char, PE.show_char(char))
        assert any(a.get_text() == label and np.allclose(a.xy, (x, y)) for a in ax.texts)
    assert f"{explained[0]:.0%}" in ax.get_xlabel()


def test_labels_of_a_tight_cluster_are_spread_apart_and_point_at_their_dots():
    rng = np.random.default_rng(2)
    coords = np.concatenate([rng.normal(size=(20, 2)), 5 + 1e-3 * rng.normal(size=(9, 2))])  # 9 almost one
    chars = "abcdefghijklmnopqrstuvwxyz"[:20] + "123456789"
    ax = Figure().add_subplot()
    PE.plot_embedding_2d(ax, coords, chars)
    span = np.ptp(coords, axis=0)
    placed = np.array([a.xyann for a in ax.texts]) / span
    gaps = np.linalg.norm(placed[:, None] - placed[None], axis=2) + np.eye(len(chars))
    assert gaps.min() > 0.04                      # no two labels on top of each other
    assert sorted(a.get_text() for a in ax.texts) == sorted(chars)
    assert all(np.allclose(a.xy, xy) for a, xy in zip(ax.texts, coords))


def test_the_bars_have_a_legend_of_the_kinds_shown():
    probs = np.array([0.5, 0.3, 0.2])
    ax = Figure().add_subplot()
    PE.plot_next_char(ax, probs, "a1t", top=3)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["digit", "vowel", "consonant"]


def test_the_perplexity_figure_draws_both_curves_and_the_lines():
    ax = Figure().add_subplot()
    PE.plot_perplexity(ax, [0, 10, 20], [30.0, 5.0, 2.0], [31.0, 6.0, 2.5], baselines={"bigram": 6.0}, floor=1.4)
    curves = [line for line in ax.lines if len(line.get_xdata()) == 3]
    np.testing.assert_allclose(curves[0].get_ydata(), [30.0, 5.0, 2.0])
    np.testing.assert_allclose(curves[1].get_ydata(), [31.0, 6.0, 2.5])
    levels = sorted(line.get_ydata()[0] for line in ax.lines if len(line.get_xdata()) == 2)
    assert levels == [1.4, 6.0] and ax.get_yscale() == "log"


@pytest.mark.parametrize("call", [
    lambda ax: PE.plot_perplexity(ax, [0, 1], [1.0], [1.0, 2.0]),
    lambda ax: PE.plot_embedding_2d(ax, np.zeros((3, 2)), "ab"),
    lambda ax: PE.plot_next_char(ax, np.ones(3) / 3, "ab"),
])
def test_plots_refuse_mismatched_shapes(call):
    with pytest.raises(ValueError):
        call(Figure().add_subplot())


def test_the_caption_is_the_seeded_sample_after_the_prompt():
    m = model()
    caption = WE.draw_sampling(Figure(), m, VOCAB, "the ", 0.7, length=40, seed=3)
    assert caption == "the " + text.sample(m, VOCAB, "the ", 40, 0.7, rng=3)   # one line: shorter than 90


def test_a_prompt_the_model_cannot_read_is_explained():
    fig = Figure()
    caption = WE.draw_sampling(fig, model(), VOCAB, "the dog", 1.0)
    assert caption.startswith("cannot start from this prompt") and "'dgo'" in caption
    ax = fig.axes[0]                               # the axes stay, with the message in them
    assert ax.axison and ax.get_ylabel() == "probability"
    assert any("cannot start from this prompt" in t.get_text() for t in ax.texts)


def test_the_explorer_redraws_on_each_control():
    m = model()
    e = WE.sampling_explorer(m, VOCAB, prompt="the ", temperature=1.0, length=30)
    heights = [bar.get_height() for bar in e.figure.axes[0].patches]
    np.testing.assert_allclose(heights, np.sort(text.next_char_probabilities(m, VOCAB, "the ", 1.0))[::-1][:12])
    assert_redraws(e, "temperature", 0.3)
    heights = [bar.get_height() for bar in e.figure.axes[0].patches]
    np.testing.assert_allclose(heights, np.sort(text.next_char_probabilities(m, VOCAB, "the ", 0.3))[::-1][:12])
    old = e.caption.value
    assert_redraws(e, "prompt", "a cat")
    assert e.caption.value != old and "a cat" in e.caption.value
    assert shown_png(e) == e.png
