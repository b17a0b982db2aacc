"""Notebook 14's figures and widget: what is drawn is nnlib's own computation (read back from the
matplotlib artists), and the snapshot slider redraws without touching the trained networks."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import nnlib  # noqa: E402
from nnlib import plotting_gan as PG  # noqa: E402
from nnlib import widgets_gan as WG  # noqa: E402
from nnlib.gan import Snapshots, ring_centres, ring_of_gaussians  # noqa: E402
from widget_helpers import assert_redraws, shown_png  # noqa: E402


def nets(seed=0, spectral=False):
    rng = np.random.default_rng(seed)
    G = nnlib.Sequential(nnlib.Dense(2, 8, rng=rng), nnlib.ReLU(), nnlib.Dense(8, 2, rng=rng))
    first = nnlib.Dense(2, 8, rng=rng)
    D = nnlib.Sequential(nnlib.SpectralNorm(first, rng=rng) if spectral else first, nnlib.ReLU(),
                         nnlib.Dense(8, 1, rng=rng))
    return G, D


def test_discriminator_grid_is_sigmoid_of_the_logits_and_leaves_d_alone():
    _, D = nets(spectral=True)
    D.train()
    state = D.state_dict()
    xs, ys, prob = PG.discriminator_grid(D, lim=2.0, n=5)
    assert prob.shape == (5, 5) and D.training
    np.testing.assert_array_equal(D.state_dict()["0.u"], state["0.u"])  # eval mode: u not moved
    D.eval()
    expected = 1 / (1 + np.exp(-D.forward(np.array([[xs[3], ys[1]]]))))
    assert prob[1, 3] == pytest.approx(float(expected[0, 0]), rel=1e-12)


def test_plot_gan_draws_the_samples_given_and_the_surface():
    G, D = nets()
    data, _ = ring_of_gaussians(50, rng=0)
    samples = G.forward(np.random.default_rng(1).standard_normal((30, 2)))
    fig = Figure()
    ax = PG.plot_gan(fig.add_subplot(), data, samples, D, title="t")
    offsets = [c.get_offsets() for c in ax.collections if c.get_offsets().shape[0] in (30, 50)]
    assert any(np.array_equal(o, samples) for o in offsets) and any(np.array_equal(o, data) for o in offsets)
    mesh = [c for c in ax.collections if hasattr(c, "get_array") and c.get_array() is not None
            and np.size(c.get_array()) == 81 * 81]
    assert len(mesh) == 1
    np.testing.assert_allclose(np.asarray(mesh[0].get_array()).reshape(81, 81),
                               PG.discriminator_grid(D)[2], rtol=1e-12)


def test_plot_digit_grid_places_each_image_in_ink():
    images = np.zeros((3, 64))
    images[1, 0] = 1.0  # one black pixel, top-left of the second image
    fig = Figure()
    ax = PG.plot_digit_grid(fig.add_subplot(), images, ncols=2)
    canvas = ax.images[0].get_array()
    assert canvas.shape == (19, 19)
    assert canvas[1, 10] == 0.0 and canvas[1, 1] == 1.0  # ink is dark; blank stays white


def trained_snapshots():
    G, D = nets()
    snaps = Snapshots()
    snaps.record(0, G=G, D=D)
    G.layers[0].W.data *= 3.0
    D.layers[0].W.data *= -1.0
    snaps.record(100, G=G, D=D)
    return G, D, snaps


def test_gan_explorer_draws_each_snapshot_and_leaves_the_trained_networks_alone():
    G, D, snaps = trained_snapshots()
    before_G, before_D = G.state_dict(), D.state_dict()
    z = np.random.default_rng(0).standard_normal((40, 2))
    data, _ = ring_of_gaussians(60, rng=0)
    e = WG.gan_explorer(snaps, G, D, z, data, ring_centres(), 0.05, snapshot=1)
    assert "step 100" in e.caption.value and shown_png(e) == e.png
    assert_redraws(e, "snapshot", 0)
    assert "step 0" in e.caption.value
    # what is drawn is G of snapshot 0 on z
    G0, _ = nets()
    drawn = [c.get_offsets() for c in e.figure.axes[0].collections if c.get_offsets().shape[0] == 40]
    np.testing.assert_allclose(drawn[0], G0.forward(z), rtol=1e-12)
    for k, v in before_G.items():
        np.testing.assert_array_equal(G.state_dict()[k], v)
    for k, v in before_D.items():
        np.testing.assert_array_equal(D.state_dict()[k], v)
    assert e.controls["snapshot"].max == 1


def test_draw_gan_snapshot_caption_counts_the_modes():
    G, D, snaps = trained_snapshots()
    centres = ring_centres()
    z = np.random.default_rng(0).standard_normal((16, 2))
    text = WG.draw_gan_snapshot(Figure(), 0, snaps, G, D, z, centres, centres, 0.05)
    assert text.startswith("step 0: modes covered") and "of 8" in text
