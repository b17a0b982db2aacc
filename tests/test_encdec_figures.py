"""Notebook 13's figures and widget: what is drawn is the decoder's own output and the codes
given (read back from the matplotlib artists); each slider changes the picture."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import nnlib  # noqa: E402
from nnlib import plotting_encdec as PE  # noqa: E402
from nnlib import widgets_encdec as WE  # noqa: E402
from widget_helpers import assert_redraws, shown_png  # noqa: E402


def small_decoder(seed=0):
    rng = np.random.default_rng(seed)
    return nnlib.Sequential(nnlib.Dense(2, 16, rng=rng), nnlib.ReLU(), nnlib.Reshape(4, 2, 2),
                            nnlib.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, rng=rng),
                            nnlib.ReLU(),
                            nnlib.ConvTranspose2d(2, 1, 3, stride=2, padding=1, output_padding=1, rng=rng),
                            nnlib.Sigmoid())


def some_codes(seed=1, n=60):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    return rng.normal(size=(n, 2)) + labels[:, None] * [0.5, -0.3], labels


def test_decode_is_the_decoders_output_one_code_at_a_time():
    decoder = small_decoder()
    codes = np.array([[0.5, -1.0], [2.0, 0.3], [-1.0, 1.0]])
    images = PE.decode(decoder, codes)
    assert images.shape == (3, 8, 8)
    for code, image in zip(codes, images):
        np.testing.assert_allclose(image, decoder.forward(code[None])[0, 0], rtol=1e-12)
    np.testing.assert_allclose(PE.decode(decoder, codes[1])[0], images[1], rtol=1e-12)


def test_code_grid_puts_each_codes_digit_in_its_cell_with_the_largest_z2_on_top():
    decoder = small_decoder()
    grid = PE.code_grid(decoder, (-2.0, 2.0), (-1.0, 3.0), n=4, gap=1)
    assert grid.shape == (36, 36)
    # row 0, column 3: the top-right cell, code (z1, z2) = (1.5, 2.5), the cells' centres
    np.testing.assert_allclose(grid[0:8, 27:35], PE.decode(decoder, [1.5, 2.5])[0], rtol=1e-12)
    np.testing.assert_allclose(grid[27:35, 0:8], PE.decode(decoder, [-1.5, -0.5])[0], rtol=1e-12)
    assert np.all(grid[8, :] == 0) and np.all(grid[:, 8] == 0)  # the blank gap


def test_plot_codes_draws_each_class_in_its_colour_and_marks_the_point():
    codes, labels = some_codes()
    ax = Figure().add_subplot()
    PE.plot_codes(ax, codes, labels, point=(0.25, -0.5))
    assert len(ax.collections) == 10
    for digit, collection in enumerate(ax.collections):
        np.testing.assert_allclose(collection.get_offsets(), codes[labels == digit])
        assert matplotlib.colors.to_hex(collection.get_facecolor()[0]) == PE.DIGIT_COLORS[digit]
    assert sorted(t.get_text() for t in ax.texts) == [str(d) for d in range(10)]
    cross = ax.lines[-1]
    assert (cross.get_xdata()[0], cross.get_ydata()[0]) == (0.25, -0.5)
    assert cross.get_zorder() > max(t.get_zorder() for t in ax.texts)  # the cross is not hidden by a label
    with pytest.raises(ValueError, match="codes"):
        PE.plot_codes(ax, codes[:, :1], labels)


def test_plot_image_rows_shows_every_image_and_refuses_ragged_rows():
    rng = np.random.default_rng(0)
    rows = [rng.random((4, 1, 8, 8)), rng.random((4, 8, 8))]
    axes = PE.plot_image_rows(Figure(), rows, row_titles=["a", "b"])
    assert axes.shape == (2, 4)
    np.testing.assert_allclose(axes[0, 2].images[0].get_array(), rows[0][2, 0])
    np.testing.assert_allclose(axes[1, 3].images[0].get_array(), rows[1][3])
    assert axes[1, 0].get_ylabel() == "b"
    with pytest.raises(ValueError, match="same number"):
        PE.plot_image_rows(Figure(), [rows[0], rows[1][:3]])


def test_plot_position_accuracy_draws_one_line_per_run_over_positions_from_1():
    ax = Figure().add_subplot()
    PE.plot_position_accuracy(ax, {"a": [1.0, 0.5, 0.25], "b": [0.9, 0.8]})
    lines = [line for line in ax.lines if len(line.get_xdata()) > 1 and line.get_label() in "ab"]
    assert [list(line.get_xdata()) for line in lines] == [[1, 2, 3], [1, 2]]
    assert list(lines[0].get_ydata()) == [1.0, 0.5, 0.25]


def test_plot_position_accuracy_sets_a_reference_run_apart_and_labels_chance():
    ax = Figure().add_subplot()
    PE.plot_position_accuracy(ax, {"a": [1.0, 0.5, 0.25]}, reference={"other settings": [0.9, 0.8]})
    by_label = {line.get_label(): line for line in ax.lines}
    assert by_label["other settings"].get_linestyle() == "--"
    assert by_label["a"].get_linestyle() == "-"
    assert by_label["other settings"].get_color() != by_label["a"].get_color()
    chance = [line for label, line in by_label.items() if "chance" in label]
    assert len(chance) == 1 and list(chance[0].get_ydata()) == [0.1, 0.1]
    assert "chance (1 digit in 10)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_code_explorer_draws_the_decoders_digit_for_the_sliders_code():
    decoder = small_decoder()
    codes, labels = some_codes()
    e = WE.code_explorer(decoder, codes, labels)
    assert shown_png(e) == e.png
    for name, value in (("z1", 1.0), ("z2", -1.5)):
        assert_redraws(e, name, value)
    z = (e.controls["z1"].value, e.controls["z2"].value)
    image_ax = e.figure.axes[1]
    np.testing.assert_allclose(image_ax.images[0].get_array(), PE.decode(decoder, z)[0], rtol=1e-12)
    nearest = int(np.argmin(np.hypot(codes[:, 0] - z[0], codes[:, 1] - z[1])))
    article = "an" if labels[nearest] == 8 else "a"
    assert e.caption.value.rstrip("</pre>").endswith(f"is {article} {labels[nearest]}")
    # the sliders span the codes
    assert e.controls["z1"].min <= codes[:, 0].min() and e.controls["z1"].max >= codes[:, 0].max()
    assert e.controls["z2"].min <= codes[:, 1].min() and e.controls["z2"].max >= codes[:, 1].max()


def test_spread_labels_keeps_labels_apart_and_moves_only_crowded_ones():
    points = np.array([[0.0, 0.0], [0.01, 0.0], [0.01, 0.01], [0.5, 0.5]])
    spread = PE.spread_labels(points, (1.0, 1.0), min_gap=0.1)
    gaps = [np.hypot(*(spread[i] - spread[j])) for i in range(4) for j in range(i + 1, 4)]
    assert min(gaps) >= 0.1 - 1e-9
    np.testing.assert_allclose(spread[3], points[3])        # a label alone stays at its median
    assert np.abs(spread - points).max() < 0.2              # the crowded ones move a little


def test_code_explorer_keeps_its_axes_and_says_when_the_code_is_far_from_the_data():
    codes, labels = some_codes()
    e = WE.code_explorer(small_decoder(), codes, labels)
    limits = (e.figure.axes[0].get_xlim(), e.figure.axes[0].get_ylim())
    e.controls["z1"].value = e.controls["z1"].max
    e.controls["z2"].value = e.controls["z2"].max
    assert (e.figure.axes[0].get_xlim(), e.figure.axes[0].get_ylim()) == limits
    z = np.array([e.controls["z1"].value, e.controls["z2"].value])
    far = 0.1 * np.ptp(codes, axis=0).max()
    nearest = np.hypot(*(codes - z).T).min()
    assert nearest > far, "the test needs a corner far from the codes"
    assert "far from any test digit" in e.caption.value and " is a" not in e.caption.value


def test_code_explorer_names_bad_codes():
    codes, labels = some_codes()
    with pytest.raises(ValueError, match="codes"):
        WE.code_explorer(small_decoder(), codes, labels[:-1])
