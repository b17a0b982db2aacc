"""The training Playground: pick data, network and optimiser settings, train, look.

``train_playground`` is the whole experiment as one plain function (the widget in
``nnlib.widgets.playground`` only collects its arguments from controls), so a notebook, a test
and the widget all run exactly the same code.
"""
from dataclasses import dataclass

import numpy as np

from . import datasets
from .losses import CrossEntropyLoss, MSELoss
from .network import Sequential, mlp
from .optim import SGD
from .train import History, fit

DATASETS = ("moons", "circles", "spirals", "xor", "sine")


@dataclass
class PlaygroundRun:
    """What one training run produced: the model, its History, and the data it saw."""

    model: Sequential
    history: History
    X: np.ndarray
    y: np.ndarray
    task: str  # "classification" or "regression"
    dataset: str


def make_data(dataset, noise, n_samples=200, seed=0):
    """The Playground's data: X (N, 2) and labels (N,), or X (N, 1) and y (N, 1) for 'sine'."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    if dataset == "xor":
        return datasets.xor(n_samples, noise=noise, rng=seed)
    return getattr(datasets, dataset)(n_samples, noise=noise, rng=seed)


def train_playground(dataset="moons", noise=0.15, hidden_layers=2, units=8, activation="tanh",
                     lr=0.1, batch_size=16, epochs=100, seed=0, callback=None):
    """Build data and an MLP from the settings, train it with SGD, return a PlaygroundRun.

    Classification data gets one output per class and cross-entropy; 'sine' gets one output and
    MSE. ``callback(epoch, history)`` is passed to ``fit`` (a live loss curve, a Stop button).
    """
    X, y = make_data(dataset, noise, seed=seed)
    regression = dataset == "sine"
    n_out = 1 if regression else int(y.max()) + 1
    sizes = [X.shape[1]] + [units] * hidden_layers + [n_out]
    model = mlp(sizes, activation, rng=seed)
    loss_fn = MSELoss() if regression else CrossEntropyLoss()
    history = fit(model, loss_fn, SGD(model.parameters(), lr=lr), X, y,
                  epochs=epochs, batch_size=batch_size, rng=seed, callback=callback)
    task = "regression" if regression else "classification"
    return PlaygroundRun(model, history, X, y, task, dataset)
