"""nnlib.gan: the ring data, frozen networks, snapshots, mode coverage and MMD."""
import numpy as np
import pytest

import nnlib
from nnlib.gan import Snapshots, frozen, mmd, mode_coverage, ring_centres, ring_of_gaussians


def small_net(rng, spectral=False):
    layers = [nnlib.Dense(2, 5, rng=rng), nnlib.ReLU(), nnlib.Dense(5, 1, rng=rng)]
    if spectral:
        layers[0] = nnlib.SpectralNorm(layers[0], rng=rng)
    return nnlib.Sequential(*layers)


# -- ring data ------------------------------------------------------------------------------
def test_ring_centres_lie_on_the_circle_evenly_spaced():
    c = ring_centres(8, radius=2.0)
    assert c.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 2.0)
    np.testing.assert_allclose(c[0], [2.0, 0.0], atol=1e-12)
    gaps = np.linalg.norm(np.roll(c, -1, axis=0) - c, axis=1)
    np.testing.assert_allclose(gaps, 2 * 2.0 * np.sin(np.pi / 8))


def test_ring_of_gaussians_draws_each_mode_around_its_centre():
    X, mode = ring_of_gaussians(4000, n_modes=8, radius=2.0, std=0.05, rng=0)
    assert X.shape == (4000, 2) and mode.shape == (4000,)
    centres = ring_centres(8, 2.0)
    for k in range(8):
        pts = X[mode == k]
        assert 400 < len(pts) < 600  # about 500 each
        np.testing.assert_allclose(pts.mean(axis=0), centres[k], atol=0.01)
        np.testing.assert_allclose(pts.std(axis=0), 0.05, rtol=0.15)


def test_ring_of_gaussians_is_seeded():
    a, _ = ring_of_gaussians(10, rng=3)
    b, _ = ring_of_gaussians(10, rng=3)
    c, _ = ring_of_gaussians(10, rng=4)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("kwargs, name", [({"n": 0}, "n"), ({"n": 5, "std": 0.0}, "std"),
                                          ({"n": 5, "n_modes": 0}, "n_modes"), ({"n": 5, "radius": -1}, "radius")])
def test_ring_of_gaussians_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ring_of_gaussians(**kwargs)


# -- frozen ---------------------------------------------------------------------------------
@pytest.mark.parametrize("spectral", [False, True])
def test_frozen_backward_gives_the_input_gradient_and_leaves_the_network_alone(spectral):
    rng = np.random.default_rng(0)
    D = small_net(rng, spectral)
    x = rng.standard_normal((6, 2))
    D.forward(x)
    D.backward(rng.standard_normal((6, 1)))  # some gradient already accumulated
    grads_before = [p.grad.copy() for p in D.parameters()]
    grad_arrays = [p.grad for p in D.parameters()]
    state_before = D.state_dict()
    dout = rng.standard_normal((6, 1))

    with frozen(D) as net:
        assert net is D
        dx = D.backward(D.forward(x) * 0 + dout)

    # dx is the true input gradient: the same as an ordinary backward gives
    D2 = small_net(np.random.default_rng(0), spectral)
    D2.load_state_dict(state_before)
    D2.forward(x)
    np.testing.assert_allclose(dx, D2.backward(dout), rtol=1e-12)
    # ... and a finite-difference check of it
    eps = 1e-6
    D3 = small_net(np.random.default_rng(0), spectral)
    D3.load_state_dict(state_before)
    D3.eval()  # spectral norm's u held still, so the function does not move while we probe it
    D3.forward(x)
    dx_eval = D3.backward(dout)
    num = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        num[i] = ((D3.forward(xp) - D3.forward(xm)) * dout).sum() / (2 * eps)
    np.testing.assert_allclose(num, dx_eval, rtol=1e-6, atol=1e-9)

    # the network is exactly as before: same grads (the same arrays), same weights and buffers
    for p, g, arr in zip(D.parameters(), grads_before, grad_arrays):
        assert p.grad is arr
        np.testing.assert_array_equal(p.grad, g)
    after = D.state_dict()
    for name, value in state_before.items():
        np.testing.assert_array_equal(after[name], value)


def test_without_frozen_the_same_backward_does_change_the_gradients():
    rng = np.random.default_rng(1)
    D = small_net(rng)
    x = rng.standard_normal((4, 2))
    D.forward(x)
    D.backward(np.ones((4, 1)))
    assert any(np.abs(p.grad).sum() > 0 for p in D.parameters())


def test_frozen_restores_even_when_the_block_raises():
    D = small_net(np.random.default_rng(2), spectral=True)
    arrays = [p.grad for p in D.parameters()]
    u = D.state_dict()["0.u"]
    with pytest.raises(ZeroDivisionError):
        with frozen(D):
            D.forward(np.ones((3, 2)))  # moves u
            1 / 0
    assert all(p.grad is a for p, a in zip(D.parameters(), arrays))
    np.testing.assert_array_equal(D.state_dict()["0.u"], u)


def test_frozen_rejects_a_non_layer():
    with pytest.raises(TypeError, match="model"):
        frozen([1, 2])


# -- snapshots ------------------------------------------------------------------------------
def test_snapshots_copy_and_restore_the_state():
    rng = np.random.default_rng(0)
    G, D = small_net(rng), small_net(rng, spectral=True)
    snaps = Snapshots()
    snaps.record(0, G=G, D=D)
    w0 = G.layers[0].W.data.copy()
    u0 = D.state_dict()["0.u"]
    G.layers[0].W.data += 1.0       # training moves the weights ...
    D.forward(np.ones((2, 2)))      # ... and spectral norm's u
    snaps.record(10, G=G, D=D)
    assert snaps.steps == [0, 10] and len(snaps) == 2
    np.testing.assert_array_equal(snaps.states[0]["G"]["0.W"], w0)  # a copy, not a view
    snaps.restore(0, G=G, D=D)
    np.testing.assert_array_equal(G.layers[0].W.data, w0)
    np.testing.assert_array_equal(D.state_dict()["0.u"], u0)
    snaps.restore(-1, G=G)
    np.testing.assert_array_equal(G.layers[0].W.data, w0 + 1.0)


def test_snapshots_bad_input():
    snaps = Snapshots()
    with pytest.raises(ValueError, match="model"):
        snaps.record(0)
    with pytest.raises(TypeError, match="G"):
        snaps.record(0, G="not a net")
    with pytest.raises(ValueError, match="step"):
        snaps.record(-1, G=small_net(0))
    snaps.record(0, G=small_net(0))
    with pytest.raises(IndexError, match="i must"):
        snaps.restore(1, G=small_net(0))
    with pytest.raises(KeyError, match="D"):
        snaps.restore(0, D=small_net(0))


# -- mode coverage --------------------------------------------------------------------------
def test_samples_of_the_data_cover_every_mode():
    X, _ = ring_of_gaussians(2000, std=0.05, rng=0)
    cov = mode_coverage(X, ring_centres(), std=0.05)
    assert cov.covered == 8
    assert cov.quality > 0.98  # 3 std in 2-D holds 98.9 % of a round Gaussian
    assert cov.counts.sum() == round(cov.quality * 2000)
    assert cov.distance < 0.05


def test_a_collapsed_generator_covers_one_mode():
    rng = np.random.default_rng(1)
    centres = ring_centres()
    collapsed = centres[3] + 0.05 * rng.standard_normal((800, 2))
    cov = mode_coverage(collapsed, centres, std=0.05)
    assert cov.covered == 1 and cov.counts.argmax() == 3
    # TV distance between "all in mode 3" and uniform over 8 modes: 1 - 1/8, less what is far
    assert cov.distance == pytest.approx(0.5 * (7 / 8 + abs(cov.counts[3] / 800 - 1 / 8)
                                                + (1 - cov.quality)), abs=1e-12)
    assert cov.distance > 0.8


def test_mode_coverage_counts_by_hand():
    centres = np.array([[0.0, 0.0], [10.0, 0.0]])
    samples = np.array([[0.1, 0.0], [0.0, -0.2], [9.9, 0.0], [5.0, 5.0]])  # the last is far from both
    cov = mode_coverage(samples, centres, std=0.1, n_std=3.0, min_share=0.5)
    np.testing.assert_array_equal(cov.counts, [2, 1])
    assert cov.quality == 0.75
    assert cov.covered == 2                   # fair share 2 each; 1 >= 0.5 * 2
    assert cov.distance == pytest.approx(0.5 * (0.0 + 0.25 + 0.25))
    assert mode_coverage(samples, centres, std=0.1, min_share=0.6).covered == 1
    assert mode_coverage(samples, centres, std=0.1, min_share=0.0).covered == 2


@pytest.mark.parametrize("args, name", [
    ((np.ones((3, 3)), np.ones((2, 2)), 0.1), "columns"),
    ((np.ones((3, 2)), np.ones((2, 2)), 0.0), "std"),
    ((np.ones(3), np.ones((2, 2)), 0.1), "samples"),
    ((np.ones((0, 2)), np.ones((2, 2)), 0.1), "samples"),
])
def test_mode_coverage_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        mode_coverage(*args)


# -- MMD ------------------------------------------------------------------------------------
def test_mmd_by_its_definition():
    rng = np.random.default_rng(0)
    x, y, h = rng.standard_normal((5, 2)), rng.standard_normal((4, 2)) + 1, 0.7

    def k(a, b):
        return np.exp(-np.sum((a - b) ** 2) / (2 * h * h))

    kxx = np.mean([k(a, b) for a in x for b in x])
    kyy = np.mean([k(a, b) for a in y for b in y])
    kxy = np.mean([k(a, b) for a in x for b in y])
    assert mmd(x, y, bandwidth=h) == pytest.approx(np.sqrt(kxx + kyy - 2 * kxy), rel=1e-12)
    assert mmd(x, y, h) == pytest.approx(mmd(y, x, h), rel=1e-12)
    assert mmd(x, x, h) == pytest.approx(0.0, abs=1e-7)


def test_mmd_is_small_between_samples_of_one_distribution_and_large_after_collapse():
    X1, _ = ring_of_gaussians(500, std=0.05, rng=1)
    X2, _ = ring_of_gaussians(500, std=0.05, rng=2)
    collapsed = ring_centres()[0] + 0.05 * np.random.default_rng(3).standard_normal((500, 2))
    same, apart = mmd(X1, X2, 0.5), mmd(X1, collapsed, 0.5)
    assert same < 0.1 < apart


@pytest.mark.parametrize("args, name", [((np.ones((3, 2)), np.ones((3, 3))), "columns"),
                                        ((np.ones((0, 2)), np.ones((3, 2))), "at least one"),
                                        ((np.ones((3, 2)), np.ones((3, 2)), 0.0), "bandwidth")])
def test_mmd_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        mmd(*args)
