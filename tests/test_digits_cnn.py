"""Notebook 10's experiment functions (nnlib.digits_cnn): 07's split and MLP reproduced, the CNN's
shapes, whole-pixel shifts against a loop, and the accuracy and ink figures the notebook prints."""
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib import digits_cnn as D

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def split():
    return D.digit_images()


def notebook_07_accuracy():
    """The held-out accuracy notebook 07 prints for its digits MLP (its stored output)."""
    nb = json.loads((ROOT / "notebooks" / "07-training.ipynb").read_text())
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            match = re.search(r"^nnlib\s+(\d\.\d{4})$", "".join(out.get("text", "")), re.M)
            if match:
                return match.group(1)
    raise AssertionError("notebook 07 prints no 'nnlib  0.xxxx' accuracy line")


def test_digit_images_are_07s_split_as_images(split):
    X_train, X_test, y_train, y_test = split
    X, y = nnlib.digits()
    Xa, Xb, ya, yb = nnlib.train_test_split(X, y, test_size=0.25, rng=0)
    assert X_train.shape == (len(Xa), 1, 8, 8) and X_test.shape == (len(Xb), 1, 8, 8)
    assert np.array_equal(X_train.reshape(len(Xa), -1), Xa) and np.array_equal(X_test[:, 0, 2], Xb[:, 16:24])
    assert np.array_equal(y_train, ya) and np.array_equal(y_test, yb)
    assert D.digit_images(np.float32)[0].dtype == np.float32


def test_mlp_07_reproduces_notebook_07s_accuracy(split):
    X_train, X_test, y_train, y_test = split
    model = D.mlp_07()
    assert isinstance(model[0], nnlib.Flatten) and model.num_parameters() == nnlib.count_parameters([64, 64, 10])
    D.train_mlp_07(model, X_train, y_train)
    _, acc = nnlib.evaluate(model, nnlib.CrossEntropyLoss(), X_test, y_test)
    assert f"{acc:.4f}" == notebook_07_accuracy()


def test_digits_cnn_is_w4_with_its_shapes():
    model = D.digits_cnn(rng=0)
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Dense"]
    out = model(np.zeros((3, 1, 8, 8), dtype=np.float32))
    assert out.shape == (3, 10) and out.dtype == np.float32
    expected = (16 * 1 * 9 + 16) + (32 * 16 * 9 + 32) + (128 * 10 + 10)
    assert model.num_parameters() == expected
    assert np.array_equal(model[0].W.data, D.digits_cnn(rng=0)[0].W.data)        # seeded
    assert not np.array_equal(model[0].W.data, D.digits_cnn(rng=1)[0].W.data)


def shift_by_loop(X, down, right):
    """The reference: out[..., i, j] = X[..., i - down, j - right] where that pixel exists, else 0."""
    H, W = X.shape[-2:]
    out = np.zeros_like(X)
    for i in range(H):
        for j in range(W):
            if 0 <= i - down < H and 0 <= j - right < W:
                out[..., i, j] = X[..., i - down, j - right]
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 6), st.integers(1, 6), st.integers(-7, 7), st.integers(-7, 7))
def test_shift_images_matches_a_loop(n, H, W, down, right):
    X = np.arange(n * 2 * H * W, dtype=float).reshape(n, 2, H, W) + 1
    np.testing.assert_array_equal(D.shift_images(X, down, right), shift_by_loop(X, down, right))


def test_shift_images_keeps_dtype_and_checks_its_arguments():
    X = np.ones((2, 1, 4, 4), dtype=np.float32)
    assert D.shift_images(X, 1, 0).dtype == np.float32
    assert np.array_equal(D.shift_images(X, 0, 0), X) and D.shift_images(X, 0, 0) is not X
    with pytest.raises(TypeError, match="down"):
        D.shift_images(X, 0.5, 0)
    with pytest.raises(TypeError, match="right"):
        D.shift_images(X, 0, True)
    with pytest.raises(ValueError, match="X must be images"):
        D.shift_images(np.ones(4), 1, 0)


def test_ink_lost_is_the_share_pushed_past_the_border():
    X = np.ones((5, 1, 8, 8))
    assert D.ink_lost(X, 1, 0) == pytest.approx(1 / 8) and D.ink_lost(X, -2, 1) == pytest.approx(1 - 6 * 7 / 64)
    framed = np.zeros((2, 1, 8, 8))
    framed[:, :, 2:6, 2:6] = 1.0
    assert D.ink_lost(framed, 1, -1) == 0.0 and D.ink_lost(np.zeros((1, 4, 4)), 1, 0) == 0.0


def test_probabilities_are_softmax_in_eval_mode_and_the_mode_comes_back():
    model = nnlib.Sequential(nnlib.Flatten(), nnlib.Dense(16, 3, rng=0), nnlib.Dropout(0.5, rng=0))
    X = np.random.default_rng(0).random((4, 1, 4, 4))
    model.train()
    p = D.probabilities(model, X)
    np.testing.assert_allclose(p, nnlib.softmax(X.reshape(4, -1) @ model[1].W.data.T + model[1].b.data), atol=1e-12)
    assert model.training


def test_shifted_accuracy_is_the_accuracy_on_the_shifted_images(split):
    _, X_test, _, y_test = split
    model = D.digits_cnn(rng=0, dtype=np.float64)  # untrained: any fixed function will do
    acc = D.shifted_accuracy(model, X_test, y_test)
    assert list(acc) == list(D.SHIFTS)
    _, plain = nnlib.evaluate(model, nnlib.CrossEntropyLoss(), X_test, y_test)
    assert acc["none"] == plain
    down = np.mean(model(shift_by_loop(X_test, 1, 0)).argmax(axis=1) == y_test)
    assert acc["down"] == down
    assert D.shifted_accuracy(model, X_test, y_test, {"far": (0, 3)}).keys() == {"far"}
