"""The toy data sets: shapes, labels, seeding."""
import numpy as np
import pytest

import nnlib

MAKERS = {"moons": nnlib.moons, "circles": nnlib.circles, "spirals": nnlib.spirals}


def test_xor_is_the_truth_table():
    X, y = nnlib.xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    Xn, yn = nnlib.xor(40, noise=0.1, rng=0)
    assert Xn.shape == (40, 2) and np.bincount(yn).tolist() == [20, 20]


@pytest.mark.parametrize("name", list(MAKERS))
def test_classification_sets_are_seeded_and_balanced(name):
    make = MAKERS[name]
    X1, y1 = make(101, rng=3)
    X2, y2 = make(101, rng=3)
    X3, _ = make(101, rng=4)
    assert X1.shape == (101, 2) and y1.shape == (101,) and y1.dtype.kind == "i"
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    counts = np.bincount(y1)
    assert counts.max() - counts.min() <= 1


def test_spirals_with_three_classes():
    X, y = nnlib.spirals(300, n_classes=3, rng=0)
    assert sorted(set(y.tolist())) == [0, 1, 2]
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() <= 1.0 + 1e-12


def test_each_spiral_arm_makes_a_full_turn():
    X, y = nnlib.spirals(200, noise=0.0, rng=0)
    for arm in (0, 1):
        pts = X[y == arm]
        pts = pts[np.argsort(np.hypot(pts[:, 0], pts[:, 1]))]  # centre to tip
        angle = np.unwrap(np.arctan2(pts[:, 0], pts[:, 1]))
        assert abs(angle[-1] - angle[0]) == pytest.approx(2 * np.pi)


def test_spirals_need_hidden_layers():
    """A linear model scores about chance on held-out spirals; a small MLP learns them."""
    X, y = nnlib.spirals(200, noise=0.2, rng=0)
    X_val, y_val = nnlib.spirals(200, noise=0.2, rng=1)
    accuracy = {}
    for name, sizes in (("linear", [2, 2]), ("mlp", [2, 16, 16, 2])):
        model = nnlib.mlp(sizes, "tanh", rng=0)
        history = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1),
                            X, y, epochs=300, batch_size=16, rng=0, X_val=X_val, y_val=y_val)
        accuracy[name] = history.val_acc[-1]
    assert accuracy["linear"] < 0.6, accuracy
    assert accuracy["mlp"] > 0.95, accuracy


def test_noise_free_moons_and_circles_lie_on_their_curves():
    X, y = nnlib.circles(50, noise=0.0, factor=0.3, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    X, y = nnlib.moons(50, noise=0.0, rng=0)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0)


def test_sine_is_regression_data():
    X, y = nnlib.sine(30, noise=0.0, rng=0)
    assert X.shape == (30, 1) and y.shape == (30, 1)
    np.testing.assert_allclose(y, np.sin(X))


def test_digits_ship_offline():
    X, y = nnlib.digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0 and sorted(set(y.tolist())) == list(range(10))


def test_train_test_split_is_a_seeded_partition():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    Xtr, Xte, ytr, yte = nnlib.train_test_split(X, y, test_size=0.3, rng=0)
    assert len(yte) == 3 and len(ytr) == 7
    assert sorted(np.r_[ytr, yte].tolist()) == list(range(10))
    np.testing.assert_array_equal(Xtr[:, 0] // 2, ytr)  # rows stay with their labels
    again = nnlib.train_test_split(X, y, test_size=0.3, rng=0)
    np.testing.assert_array_equal(again[3], yte)
    with pytest.raises(ValueError, match="same number of samples"):
        nnlib.train_test_split(X, y[:5], rng=0)
    with pytest.raises(ValueError, match="test_size"):
        nnlib.train_test_split(X, y, test_size=1.5, rng=0)
