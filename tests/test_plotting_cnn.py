"""Notebook 10's figures and its widget: what is drawn is nnlib's own numbers (read back from the
matplotlib artists), and every control changes the picture."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import nnlib  # noqa: E402
from nnlib import digits_cnn as D  # noqa: E402
from nnlib import plotting_cnn as P  # noqa: E402
from nnlib import widgets_cnn as WC  # noqa: E402
from nnlib.plotting_regularization import layer_outputs  # noqa: E402
from widget_helpers import assert_redraws  # noqa: E402


def drawn(ax):
    (image,) = ax.get_images()
    return np.asarray(image.get_array()), image.get_clim()


def test_image_grid_draws_each_image_on_one_scale():
    images = np.random.default_rng(0).standard_normal((5, 3, 4))
    fig = Figure()
    axes = P.plot_image_grid(fig, images, [f"t{k}" for k in range(5)], ncols=3)
    assert len(axes) == 5 and sum(ax.get_visible() for ax in fig.axes) == 5 and len(fig.axes) == 6
    for k, ax in enumerate(axes):
        data, clim = drawn(ax)
        np.testing.assert_array_equal(data, images[k])
        assert clim == (images.min(), images.max()) and ax.get_title() == f"t{k}"
    m = np.abs(images).max()
    assert drawn(P.plot_image_grid(Figure(), images, symmetric=True)[0])[1] == (-m, m)
    # the colour bar, when asked for, shows the grid's one scale
    fig = Figure()
    P.plot_image_grid(fig, images, symmetric=True, colorbar="weight")
    (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert bar.get_ylim() == (-m, m) and bar.get_ylabel() == "weight"
    with pytest.raises(ValueError, match="images must be"):
        P.plot_image_grid(Figure(), images[0])


def test_filters_are_the_first_layers_kernels_red_positive():
    W = D.digits_cnn(rng=0)[0].W.data
    axes = P.plot_filters(Figure(), W)
    assert len(axes) == 16
    data, clim = drawn(axes[3])
    np.testing.assert_array_equal(data, W[3, 0])
    assert clim == (-np.abs(W).max(), np.abs(W).max()) and axes[3].get_images()[0].get_cmap().name == "RdBu_r"
    with pytest.raises(ValueError, match="one input channel"):
        P.plot_filters(Figure(), np.zeros((4, 2, 3, 3)))


def test_feature_maps_start_at_zero():
    maps = np.abs(np.random.default_rng(1).standard_normal((4, 5, 5)))
    axes = P.plot_feature_maps(Figure(), maps)
    assert drawn(axes[2])[1] == (0.0, maps.max()) and axes[2].get_title() == "channel 2"
    assert drawn(P.plot_feature_maps(Figure(), np.zeros((2, 3, 3)))[0])[1][1] > 0  # a blank map still draws


def test_misclassified_titles_name_both_models():
    axes = P.plot_misclassified(Figure(), np.zeros((2, 8, 8)), [3, 9], [8, 4], other=("MLP", [3, 7]))
    assert [ax.get_title() for ax in axes] == ["true 3\nsaid 8\nMLP: 3", "true 9\nsaid 4\nMLP: 7"]


def test_shift_accuracy_bars_are_the_accuracies():
    acc = {"MLP": {"none": 0.9, "up": 0.4}, "CNN": {"none": 0.95, "up": 0.6}}
    ax = P.plot_shift_accuracy(Figure().add_subplot(), acc)
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == [0.9, 0.4, 0.95, 0.6]
    assert [t.get_text() for t in ax.texts] == ["90.0%", "40.0%", "95.0%", "60.0%"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["none", "1 pixel up"]


def test_shift_accuracy_legend_covers_no_bar():
    acc = {"MLP": {"none": 0.98, "up": 0.4}, "CNN": {"none": 0.98, "up": 0.6}}
    fig = Figure(figsize=(8, 3.4), layout="constrained")
    ax = P.plot_shift_accuracy(fig.add_subplot(), acc)
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert not any(legend.overlaps(bar.get_window_extent()) for bar in ax.patches)


def test_probability_bars_mark_the_true_class():
    probs = {"MLP": np.full(10, 0.1), "CNN": np.eye(10)[4]}
    ax = P.plot_probabilities(Figure().add_subplot(), probs, label=4)
    assert [bar.get_height() for bar in ax.patches][10:] == list(np.eye(10)[4])
    assert ax.get_xticklabels()[4].get_text() == "[4]"


@pytest.fixture(scope="module")
def explorer_setup():
    _, X_test, _, y_test = D.digit_images()
    models = {"MLP": D.mlp_07(), "CNN": D.digits_cnn(rng=0, dtype=np.float64)}  # untrained: fast
    return models, X_test[:20], y_test[:20]


def test_shift_explorer_draws_the_shifted_digit_and_both_models_answers(explorer_setup):
    models, X, y = explorer_setup
    e = WC.shift_explorer(models, X, y)
    assert_redraws(e, "index", 5)
    assert_redraws(e, "right", 2)
    assert_redraws(e, "down", -1)
    image = D.shift_images(X[5:6], -1, 2)
    shown, _ = drawn(e.figure.axes[0])
    np.testing.assert_array_equal(shown, image[0, 0])
    for name, model in models.items():
        p = D.probabilities(model, image)[0]
        assert f"{name} says {int(np.argmax(p))} (p = {p.max():.3f})" in e.caption.value
    maps = layer_outputs(models["CNN"], image, kind=nnlib.ReLU)[0][0]
    bottom = e.figure.axes[2:]
    assert len(bottom) == 16
    np.testing.assert_array_equal(drawn(bottom[7])[0], maps[7])
    assert e.controls["right"].max == WC.MAX_SHIFT and e.controls["index"].max == len(X) - 1


def test_the_feature_maps_move_with_the_digit(explorer_setup):
    """Equivariance, as the widget's title says: away from the border, the first layer's maps of
    a shifted digit are its maps shifted."""
    models, X, _ = explorer_setup
    framed = np.zeros((1, 1, 12, 12))
    framed[:, :, 2:10, 2:10] = X[:1, 0]
    conv = nnlib.Sequential(models["CNN"][0], models["CNN"][1])
    before, after = conv(framed), conv(D.shift_images(framed, 1, -1))
    np.testing.assert_allclose(after[..., 2:10, 1:9], D.shift_images(before, 1, -1)[..., 2:10, 1:9], atol=1e-12)


@pytest.mark.parametrize("down, right, words", [(-2, -2, "2 up, 2 left"), (0, 1, "1 right"), (0, 0, "not moved"),
                                                (1, 0, "1 down")])
def test_shifts_are_said_in_words(down, right, words, explorer_setup):
    assert WC.shift_in_words(down, right) == words
    models, X, y = explorer_setup
    fig = Figure()
    WC.draw_shifted_digit(fig, 0, down, right, models, X, y)
    assert fig.axes[0].get_title().endswith(words) and "+" not in fig.axes[0].get_title()


def test_shift_explorer_needs_a_model():
    with pytest.raises(ValueError, match="models"):
        WC.shift_explorer({}, np.zeros((2, 1, 8, 8)), np.zeros(2, dtype=int))
