"""Notebook 09's figures and widgets: each control changes the picture, and what is drawn is
nnlib's own computation (read back from the matplotlib artists)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnlib import conv_matrix as CM  # noqa: E402
from nnlib import plotting_conv as PC  # noqa: E402
from nnlib import widgets_conv as WC  # noqa: E402
from widget_helpers import assert_redraws  # noqa: E402

IMAGES = np.random.default_rng(0).random((3, 8, 8))


def shown_arrays(fig):
    """The arrays imshow drew, one per axes, in axes order."""
    return [ax.images[0].get_array().data for ax in fig.axes if ax.images]


def test_kernel_explorer_draws_the_feature_map_of_the_kernel_in_its_entries():
    e = WC.kernel_explorer(IMAGES, preset="edge", digit=1)
    image, kernel, fmap = shown_arrays(e.figure)
    np.testing.assert_array_equal(image, IMAGES[1])
    np.testing.assert_array_equal(kernel, WC.preset_kernel("edge"))
    np.testing.assert_allclose(fmap, CM.correlate2d(IMAGES[1], WC.preset_kernel("edge"), padding=1), atol=1e-12)
    assert f"max {fmap.max():+.2f}" in e.caption.value


def test_a_preset_fills_the_entries_with_one_redraw():
    e = WC.kernel_explorer(IMAGES, preset="edge")
    redraws = []
    original = e.redraw
    e.redraw = lambda: (redraws.append(1), original())
    assert_redraws(e, "preset", "blur")
    assert len(redraws) == 1
    np.testing.assert_allclose(e.kernel(), np.full((3, 3), 1 / 9))
    np.testing.assert_allclose(shown_arrays(e.figure)[2], CM.correlate2d(IMAGES[0], e.kernel(), padding=1))


def test_editing_an_entry_makes_the_kernel_custom_and_back():
    e = WC.kernel_explorer(IMAGES, preset="identity")
    np.testing.assert_allclose(shown_arrays(e.figure)[2], IMAGES[0], atol=1e-12)  # identity: the image itself
    assert_redraws(e, "k11", 2.0)
    assert e.controls["preset"].value == WC.CUSTOM
    np.testing.assert_allclose(shown_arrays(e.figure)[2], 2 * IMAGES[0], atol=1e-12)
    e.controls["k11"].value = 1.0  # the identity again: the drop-down says so
    assert e.controls["preset"].value == "identity"
    assert_redraws(e, "preset", WC.CUSTOM)  # choosing "custom" keeps the entries, only the title changes
    np.testing.assert_array_equal(e.kernel(), WC.preset_kernel("identity"))
    assert e.figure.axes[1].get_title() == "kernel: custom"


def test_the_digit_slider_picks_the_image():
    e = WC.kernel_explorer(IMAGES, preset="sharpen")
    assert_redraws(e, "digit", 2)
    np.testing.assert_array_equal(shown_arrays(e.figure)[0], IMAGES[2])


def test_kernel_explorer_refuses_bad_input():
    with pytest.raises(ValueError, match="images must be"):
        WC.kernel_explorer(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="name must be one of"):
        WC.preset_kernel("emboss")


@pytest.mark.parametrize("size, k, s, p", [(8, 3, 1, 0), (8, 3, 2, 0), (7, 3, 2, 1), (5, 5, 1, 2)])
def test_coverage_counts_the_windows_over_each_pixel(size, k, s, p):
    counts = PC.coverage(size, k, s, p)
    out = CM.output_size(size, k, s, p)
    # a pixel's count is the number of output positions whose window holds it
    expected = [sum(1 for i in range(out) if i * s <= j + p < i * s + k) for j in range(size)]
    assert counts.tolist() == expected


def test_stride_padding_explorer_draws_the_formula_and_the_grids():
    e = WC.stride_padding_explorer(size=8, kernel_size=3, stride=1, padding=0)
    assert "= 6" in e.caption.value and "pink" not in e.caption.value
    assert_redraws(e, "stride", 2)  # (8 - 3) // 2 + 1 = 3: the last row and column are never read
    assert "(8 + 2*0 - 3) // 2 + 1 = 5 // 2 + 1 = 3" in e.caption.value and "last 1 row" in e.caption.value
    ax_in, ax_out = e.figure.axes
    assert len(ax_out.patches) == 3 * 3
    pink = [p for p in ax_in.patches if p.get_facecolor()[:3] == matplotlib.colors.to_rgb(PC.UNSEEN_COLOR)]
    assert len(pink) == 8 + 8 - 1
    assert_redraws(e, "padding", 1)
    ax_in, ax_out = e.figure.axes
    grey = [p for p in ax_in.patches if p.get_facecolor()[:3] == matplotlib.colors.to_rgb(PC.PAD_COLOR)]
    assert len(grey) == 10 * 10 - 8 * 8 and len(ax_out.patches) == 4 * 4
    labels = [t.get_text() for t in ax_in.texts]
    assert labels.count("0") == 0  # with padding 1 and stride 2 every pixel is read


def test_stride_padding_explorer_says_when_there_is_no_output():
    e = WC.stride_padding_explorer(size=3, kernel_size=3)
    assert_redraws(e, "kernel_size", 4)
    assert "no position for the kernel" in e.caption.value


def test_plot_matrix_writes_the_nonzero_entries_only():
    T = CM.conv1d_matrix([1.0, -2.0, 0.5], 5)
    ax = PC.plot_matrix(Figure().add_subplot(), T)
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{v:g}" for v in T.ravel() if v != 0)
    np.testing.assert_array_equal(ax.images[0].get_array().data, T)
    col = PC.plot_matrix(Figure().add_subplot(), np.array([1.0, 2.0]), blocks=1)
    assert col.images[0].get_array().shape == (2, 1)
    with pytest.raises(ValueError, match="M must be 1-D or 2-D"):
        PC.plot_matrix(Figure().add_subplot(), np.zeros((2, 2, 2)))


def test_transposed_overlap_counts_the_kernel_copies_on_each_pixel():
    ax = Figure().add_subplot()
    counts = PC.plot_transposed_overlap(ax, 4, 3, 2)
    assert counts.shape == (CM.transposed_output_size(4, 3, 2),) * 2
    # one axis: pixel t is covered by the copies i with 2 i <= t < 2 i + 3; in 2-D the product
    along = np.array([sum(1 for i in range(4) if 2 * i <= t < 2 * i + 3) for t in range(9)])
    np.testing.assert_array_equal(counts, np.outer(along, along))
    assert set(np.unique(counts)) == {1, 2, 4}  # the checkerboard
    np.testing.assert_array_equal(ax.images[0].get_array().data, counts)
    even = PC.plot_transposed_overlap(Figure().add_subplot(), 4, 4, 2)
    assert set(np.unique(even[2:-2, 2:-2])) == {4}  # a kernel the stride divides: even inside
    assert ax.get_title() == f"input 4x4 -> output {counts.shape[0]}x{counts.shape[0]}"
    titled = Figure().add_subplot()
    PC.plot_transposed_overlap(titled, 4, 4, 2, title="kernel 4, stride 2")
    assert titled.get_title() == f"kernel 4, stride 2: input 4x4 -> output {even.shape[0]}x{even.shape[0]}"


@pytest.mark.parametrize("value, shown", [(100.0, "100"), (-100.0, "-100"), (1 / 9, "0.11"), (2.5, "2.5"),
                                          (8.0, "8"), (-1.0, "-1"), (1234.0, "1234"), (1e5, "1e+05"),
                                          (0.001, "0.001"), (0.0, "0"), (-0.001, "-0.001")])
def test_short_number_writes_a_kernel_entry_as_typed(value, shown):
    assert PC.short_number(value) == shown


def test_the_kernel_panel_shows_100_as_100():
    e = WC.kernel_explorer(IMAGES, preset="identity")
    assert_redraws(e, "k11", 100.0)
    kernel_texts = [t.get_text() for t in e.figure.axes[1].texts]
    assert kernel_texts == ["100"], kernel_texts


def test_plot_product_draws_the_matrix_the_vector_and_their_product():
    fig = Figure()
    axes = fig.subplots(1, 5)
    T, x = CM.conv1d_matrix([2.0, -1.0], 4), np.array([1.0, 2.0, 3.0, 4.0])
    y = PC.plot_product(axes, T, x, names=("T", "x", "y"))
    np.testing.assert_allclose(y, CM.correlate1d(x, [2.0, -1.0]))
    drawn = [ax.images[0].get_array().data for ax in axes[::2]]
    np.testing.assert_array_equal(drawn[0], T)
    np.testing.assert_array_equal(drawn[2][:, 0], y)
    assert [ax.get_title() for ax in axes[::2]] == ["T", "x", "y"]
    with pytest.raises(ValueError, match="A must be"):
        PC.plot_product(axes, T, np.ones(3))


def test_an_overflowing_kernel_is_explained_not_drawn():
    e = WC.kernel_explorer(IMAGES, preset="identity")
    assert_redraws(e, "k00", 1e308)  # matplotlib's colour scale would overflow
    assert "too large" in e.figure.axes[0].texts[0].get_text() and "1e+100" in e.caption.value
    e.controls["k00"].value = float("inf")  # the same message: the picture stays as it was
    assert "too large" in e.figure.axes[0].texts[0].get_text()
    assert_redraws(e, "k00", -1e100)  # the limit itself is drawn
    assert len(e.figure.axes) == 3
