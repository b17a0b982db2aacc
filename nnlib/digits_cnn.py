"""Notebook 10's experiment as plain functions: the digits as images, the MLP of notebook 07,
the CNN of benchmark W4, whole-pixel shifts, and the accuracy of a model on shifted digits.

The notebook builds and trains its CNN in the open; what lives here is what it shares with
notebook 07 (the split, the MLP and how 07 trains it) and what the tests and the widget need.
"""
import numpy as np

from .activations import ReLU
from .conv import Conv2d, Flatten, MaxPool2d
from .datasets import digits, train_test_split
from .layers import Dense
from .losses import CrossEntropyLoss, softmax
from .network import Sequential, mlp
from .optim import SGD
from .train import fit

IMAGE_SHAPE = (1, 8, 8)  # one channel (grey), 8 rows, 8 columns

# Notebook 07's digits MLP and its training, as 07's last section runs them.
MLP_07 = {"sizes": [64, 64, 10], "activation": "relu", "rng": 0,
          "lr": 0.05, "momentum": 0.9, "epochs": 30, "batch_size": 32, "fit_rng": 0}

# The steps a shift experiment tries: (rows down, columns right).
SHIFTS = {"none": (0, 0), "up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}


def digit_images(dtype=np.float64):
    """The 8x8 digits split exactly as notebook 07 splits them (a quarter held out, rng 0),
    each sample an image: X_train (1348, 1, 8, 8), X_test (449, 1, 8, 8) in [0, 1] of ``dtype``;
    y_train (1348,), y_test (449,) labels 0..9."""
    X, y = digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, rng=0)
    images = [np.ascontiguousarray(part.reshape((-1,) + IMAGE_SHAPE), dtype=dtype) for part in (X_train, X_test)]
    return images[0], images[1], y_train, y_test


def mlp_07():
    """Notebook 07's digits network, 64-64-10 with ReLU (``nnlib.mlp``, rng 0), behind a Flatten so
    that it takes the same (N, 1, 8, 8) images as the CNN. Flatten is a reshape with no
    parameters: trained as ``train_mlp_07`` trains it, it computes 07's numbers exactly."""
    return Sequential(Flatten(), *mlp(MLP_07["sizes"], MLP_07["activation"], rng=MLP_07["rng"]))


def train_mlp_07(model, X, y, **fit_kwargs):
    """Train ``model`` as notebook 07 trains its digits MLP: SGD with learning rate 0.05 and
    momentum 0.9, 30 epochs of batches of 32, shuffled with rng 0. Returns fit's History;
    ``fit_kwargs`` (X_val, y_val, callback) go to ``fit``."""
    optimizer = SGD(model.parameters(), lr=MLP_07["lr"], momentum=MLP_07["momentum"])
    return fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=MLP_07["epochs"],
               batch_size=MLP_07["batch_size"], rng=MLP_07["fit_rng"], **fit_kwargs)


def digits_cnn(rng=0, dtype=np.float32):
    """The CNN of benchmark W4: Conv 1->16 3x3 pad 1, ReLU, MaxPool 2, Conv 16->32 3x3 pad 1,
    ReLU, MaxPool 2, Flatten, Dense 128->10. Images (N, 1, 8, 8) -> scores (N, 10). Every layer
    draws from the one ``rng``; He initialisation, as for ReLU layers."""
    rng = np.random.default_rng(rng)
    return Sequential(Conv2d(1, 16, 3, padding=1, rng=rng, init="he", dtype=dtype), ReLU(), MaxPool2d(2),
                      Conv2d(16, 32, 3, padding=1, rng=rng, init="he", dtype=dtype), ReLU(), MaxPool2d(2),
                      Flatten(), Dense(32 * 2 * 2, 10, rng=rng, dtype=dtype))


def shift_images(X, down, right):
    """Every image moved by whole pixels, ``down`` rows and ``right`` columns (negative: up,
    left). What moves past the border is lost; what comes in is 0 (the digits' background).

    X: (..., H, W) -> (..., H, W), a new array of X's dtype."""
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"X must be images (..., H, W), got shape {X.shape}")
    for name, step in (("down", down), ("right", right)):
        if not isinstance(step, (int, np.integer)) or isinstance(step, bool):
            raise TypeError(f"{name} must be a whole number of pixels, got {step!r}")
    H, W = X.shape[-2:]
    out = np.zeros_like(X)
    if abs(down) >= H or abs(right) >= W:
        return out
    rows_to, rows_from = slice(max(down, 0), H + min(down, 0)), slice(max(-down, 0), H - max(down, 0))
    cols_to, cols_from = slice(max(right, 0), W + min(right, 0)), slice(max(-right, 0), W - max(right, 0))
    out[..., rows_to, cols_to] = X[..., rows_from, cols_from]
    return out


def probabilities(model, X):
    """The model's class probabilities (softmax of its scores) in eval mode; the mode is put
    back afterwards. X: (N, 1, 8, 8) -> (N, classes)."""
    was_training = model.training
    model.eval()
    try:
        return softmax(model(X))
    finally:
        model.train(was_training)


def shifted_accuracy(model, X, y, shifts=None):
    """The model's accuracy on X shifted by each of ``shifts`` (a dict name -> (down, right);
    ``SHIFTS`` by default): dict name -> accuracy. X: (N, 1, 8, 8), y: (N,)."""
    shifts = SHIFTS if shifts is None else shifts
    y = np.asarray(y)
    return {name: float(np.mean(probabilities(model, shift_images(X, *step)).argmax(axis=1) == y))
            for name, step in shifts.items()}


def ink_lost(X, down, right):
    """The share of all the ink (the sum of the pixel values) that a shift pushes past the
    border, over the whole set X: (..., H, W). 0 when the images have a blank margin there."""
    X = np.asarray(X, dtype=float)
    total = X.sum()
    return float((total - shift_images(X, down, right).sum()) / total) if total else 0.0
