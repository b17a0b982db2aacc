"""nnlib.valley: the narrow-valley loss surface of notebook 08 and nnlib's optimisers on it."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib.gradcheck import rel_error
from nnlib.valley import OPTIMIZERS, NarrowValley, make_optimizer

finite = st.floats(-10, 10, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.1, 100), st.floats(0.1, 100), st.floats(-180, 180), finite, finite)
def test_gradient_matches_finite_differences(a, b, angle, t1, t2):
    valley = NarrowValley(a, b, angle)
    theta = np.array([t1, t2])
    h = 1e-6
    numeric = np.array([(valley(theta + h * e) - valley(theta - h * e)) / (2 * h) for e in np.eye(2)])
    assert np.allclose(valley.gradient(theta), numeric, rtol=1e-6, atol=1e-6)


def test_curvatures_are_the_hessians_eigenvalues_along_and_across_the_floor():
    valley = NarrowValley(2.0, 30.0, angle=30.0)
    eig, vec = np.linalg.eigh(valley.H)
    assert np.allclose(eig, [2.0, 30.0])
    floor = np.array([np.cos(np.pi / 6), np.sin(np.pi / 6)])
    assert abs(abs(vec[:, 0] @ floor) - 1) < 1e-12
    assert valley(5 * floor) == pytest.approx(0.5 * 2.0 * 25)  # along the floor only a counts


def test_loss_takes_batches_of_points_and_grid_matches_pointwise():
    valley = NarrowValley()
    t1, t2, f = valley.grid((-1, 2), (-0.5, 0.5), n=7)
    assert f.shape == (7, 7)
    assert f[3, 4] == pytest.approx(0.5 * t1[3, 4] ** 2 + 25 * t2[3, 4] ** 2)


def test_sgd_path_is_gradient_descent_written_out():
    valley = NarrowValley(1.0, 50.0)
    path = valley.path(("SGD", 0.03), start=(-4.0, 1.0), steps=25)
    theta = np.array([-4.0, 1.0])
    expected = [theta]
    for _ in range(25):
        theta = theta - 0.03 * valley.H @ theta
        expected.append(theta)
    assert path.shape == (26, 2)
    assert rel_error(path, np.array(expected)) < 1e-14


def test_a_path_from_a_function_equals_the_same_optimiser_by_name():
    valley = NarrowValley()
    by_name = valley.path(("momentum", 0.01), steps=40)
    by_function = valley.path(lambda ps: nnlib.SGD(ps, lr=0.01, momentum=0.9), steps=40)
    assert np.array_equal(by_name, by_function)


def test_sgd_above_two_over_b_diverges_and_the_path_stops_at_the_last_finite_point():
    valley = NarrowValley(1.0, 50.0)
    stable = valley.path(("SGD", 0.039), steps=300)
    unstable = valley.path(("SGD", 0.041), steps=300)
    assert valley(stable[-1]) < 1e-3 < valley(unstable[-1])
    overflowing = valley.path(("SGD", 1.0), steps=10_000)
    assert len(overflowing) < 10_001 and np.isfinite(overflowing).all()


@pytest.mark.parametrize("bad, error, words", [
    ({"a": 0.0}, ValueError, "a must be in"), ({"b": -1.0}, ValueError, "b must be in"),
    ({"angle": float("nan")}, ValueError, "angle must be finite"), ({"a": "1"}, TypeError, "a must be"),
])
def test_bad_valleys_are_refused_by_name(bad, error, words):
    with pytest.raises(error, match=words):
        NarrowValley(**bad)


def test_bad_paths_are_refused_by_name():
    valley = NarrowValley()
    with pytest.raises(ValueError, match="theta must have shape"):
        valley.path(("SGD", 0.01), start=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="steps must be >= 0"):
        valley.path(("SGD", 0.01), steps=-1)
    with pytest.raises(TypeError, match="steps must be an int"):
        valley.path(("SGD", 0.01), steps=2.5)
    with pytest.raises(ValueError, match="name must be one of"):
        valley.path(("Adagrad", 0.01))
    with pytest.raises(TypeError, match="optimizer must be"):
        valley.path("SGD")
    with pytest.raises(TypeError, match="optimizer must make an nnlib Optimizer"):
        valley.path(lambda ps: None)
    with pytest.raises(ValueError, match="theta must have shape"):
        valley(np.zeros(3))


def test_make_optimizer_names():
    p = [nnlib.Parameter(np.zeros(2))]
    assert type(make_optimizer("SGD", p, 0.1)) is nnlib.SGD
    assert make_optimizer("momentum", p, 0.1).momentum == 0.9
    assert OPTIMIZERS == ("SGD", "momentum", "RMSprop", "Adam")
