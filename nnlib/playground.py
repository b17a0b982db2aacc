"""The training Playground: pick data, network and optimiser settings, train, look.

``train_playground`` is the whole experiment as one plain function (the widget in
``nnlib.widgets.playground`` only collects its arguments from controls), so a notebook, a test
and the widget all run exactly the same code: ``new_run`` builds the data and the untrained
network, ``PlaygroundRun.fit`` trains it with ``nnlib.fit``.

A run also says how it went, in words a student can trust at the extremes. One noisy epoch
must not change the verdict, so it is read from the *recent* loss: the median of the last few
epochs (``recent_epochs``), against the untrained network's loss. A recent loss above the start
that is still growing (at least doubled over the last few epochs) is *diverging*; one that is
above the start but not growing (lr 10 on moons: 0.7 to 28 in epoch 1, then flat) is *unstable*;
a loss that became inf or NaN *diverged*, and the steps that ran before are kept, so even a run
that blew up inside its first epoch has a curve to show.

After training, the network is scored once more with ``nnlib.evaluate`` on its training data:
``fit``'s training loss is a running figure over the last epoch, taken while the weights still
moved, and can be far from what the trained network scores (either way).
"""
import math
from dataclasses import dataclass, field

import numpy as np

from . import datasets
from .activations import Activation
from .losses import CrossEntropyLoss, MSELoss
from .network import Sequential, mlp
from .optim import SGD
from .train import History, evaluate, fit

DATASETS = ("moons", "circles", "spirals", "xor", "sine")
VALIDATION_SAMPLES = 100  # fresh points from the same distribution, never trained on

# A run that learns nothing ends within about a percent of where it started (each epoch's loss
# is a running average over minibatches, so it wobbles); 5 % above is a loss that went up.
DIVERGING_MARGIN = 1.05
GROWING_FACTOR = 2.0  # recent loss / the loss just before it: at least doubled is still growing


def recent_epochs(epochs):
    """How many of the last epochs the verdict reads: a tenth of the run, 3 to 10 epochs (all of
    a run shorter than 3)."""
    return max(1, min(epochs, max(3, min(10, epochs // 10))))


def loss_trend(train_loss, start_loss):
    """'growing', 'unstable' (above the start, not growing) or 'ok' for a finished run's losses.

    The median of the last ``recent_epochs`` epochs is compared with ``start_loss`` (the
    untrained network's): a median ignores one noisy epoch either way. Above the start, the run
    is 'growing' when that median is at least GROWING_FACTOR times the median of the epochs just
    before (or of the start, when there are none)."""
    losses = np.asarray(train_loss, dtype=float)
    if not losses.size:
        return "ok"
    k = recent_epochs(losses.size)
    recent = float(np.median(losses[-k:]))
    if not recent > DIVERGING_MARGIN * start_loss:
        return "ok"
    before = losses[-2 * k:-k] if losses.size > k else np.array([start_loss])
    return "growing" if recent >= GROWING_FACTOR * float(np.median(before)) else "unstable"


def make_data(dataset, noise, n_samples=200, seed=0):
    """The Playground's data: X (N, 2) and labels (N,), or X (N, 1) and y (N, 1) for 'sine'."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    if dataset == "xor":
        return datasets.xor(n_samples, noise=noise, rng=seed)
    return getattr(datasets, dataset)(n_samples, noise=noise, rng=seed)


class _KeepsStepLosses:
    """Mixin for a loss: keeps the loss of every training step in ``steps``.

    A training step is a forward followed by a backward; ``fit``'s input check and the
    validation passes call forward only, so they are not counted. The last forward's value is
    in ``last``: after a divergence, that is the inf or NaN that stopped training."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps, self.last = [], None

    def forward(self, pred, target):
        self.last = super().forward(pred, target)
        return self.last

    def backward(self):
        self.steps.append(self.last)
        return super().backward()


class _CrossEntropy(_KeepsStepLosses, CrossEntropyLoss):
    pass


class _MSE(_KeepsStepLosses, MSELoss):
    pass


@dataclass
class PlaygroundRun:
    """One Playground experiment: the data, the model, and after ``fit`` its History.

    start_loss: the untrained model's loss on the training data (the loss curve's epoch 0);
    chance_loss: what a model that has learned nothing scores: ln C for C balanced classes
    (it answers 1/C for every class), the variance of y for regression (it answers the mean);
    step_losses: when no epoch finished (a run that diverged in epoch 1), the loss of each step
    that ran, then the inf or NaN that stopped it; otherwise empty.
    after_loss, after_acc: the trained network's loss (and accuracy) on the training data, from
    ``nnlib.evaluate`` after the last epoch (None before training, or after a divergence).
    """

    model: Sequential
    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    task: str  # "classification" or "regression"
    dataset: str
    activation: str
    start_loss: float
    chance_loss: float
    epochs: int = 0  # asked for; history.epochs is how many ran
    history: History = field(default_factory=History)
    step_losses: list = field(default_factory=list)
    last_step_loss: float = None
    lr: float = None
    batch_size: int = None
    after_loss: float = None  # evaluate(model, X, y) after training: what the trained network scores
    after_acc: float = None

    @property
    def hidden_layers(self):
        return sum(isinstance(layer, Activation) for layer in self.model)

    def fit(self, lr=0.1, batch_size=16, epochs=100, seed=0, callback=None):
        """Train with plain SGD (``nnlib.fit``, validation data included); returns self.

        ``callback(epoch, history)`` is passed to ``fit``: a live loss curve, or a Stop button
        (returning False stops training)."""
        loss_fn = _MSE() if self.task == "regression" else _CrossEntropy()
        self.epochs, self.lr, self.batch_size = epochs, lr, batch_size
        self.history = fit(self.model, loss_fn, SGD(self.model.parameters(), lr=lr), self.X, self.y,
                           epochs=epochs, batch_size=batch_size, rng=seed,
                           X_val=self.X_val, y_val=self.y_val, callback=callback)
        self.step_losses = [] if self.history.epochs else loss_fn.steps + [loss_fn.last]
        self.last_step_loss = loss_fn.last  # after a divergence: the inf or NaN that stopped it
        self.after_loss = self.after_acc = None
        if self.history.epochs and not self.history.diverged:
            with np.errstate(over="ignore", invalid="ignore"):  # an unstable run's huge weights
                self.after_loss, self.after_acc = self.score(self.X, self.y)
        return self

    def score(self, X, y):
        """(loss, accuracy) of the model as it is now on (X, y): ``nnlib.evaluate`` with the
        run's loss (accuracy None for regression)."""
        loss_fn = MSELoss() if self.task == "regression" else CrossEntropyLoss()
        return evaluate(self.model, loss_fn, X, y)

    @property
    def stopped(self):
        """Stopped early by the callback (the Stop button), not by a divergence."""
        return 0 < self.history.epochs < self.epochs and not self.history.diverged

    @property
    def trend(self):
        """'diverged' (inf or NaN), 'growing', 'unstable' or 'ok': see ``loss_trend``."""
        if self.history.diverged:
            return "diverged"
        return loss_trend(self.history.train_loss, self.start_loss)

    @property
    def diverging(self):
        """Flagged: the loss became inf or NaN, or its recent median is above where it started."""
        return self.trend != "ok"

    @property
    def recent_loss(self):
        """The median training loss of the last ``recent_epochs`` epochs (what the verdict reads)."""
        h = self.history
        return float(np.median(h.train_loss[-recent_epochs(h.epochs):])) if h.epochs else None

    def settings(self):
        """The data set and learning rate of this run, as the status line names them."""
        lr = "" if self.lr is None else f", lr {self.lr:g}"
        return f"{self.dataset}{lr}"

    def summary(self):
        """One line on how the run went, for the widget's status and a notebook's print."""
        h = self.history
        if h.diverged:
            steps = len(self.step_losses) - 1 if self.step_losses else None
            where = (f"in epoch 1, after {steps} SGD step{'s' * (steps != 1)}," if steps is not None
                     else f"in epoch {h.epochs + 1}")
            return (f"diverged ({self.settings()}): the loss became {self._inf_or_nan()} {where} and "
                    f"training stopped: lower the learning rate")
        if not h.epochs:
            return "not trained yet"
        ran = (f"stopped after {h.epochs} of {self.epochs} epochs ({self.settings()})" if self.stopped
               else f"done: {h.epochs} epochs ({self.settings()})")
        guess, start = f"{self.chance_loss:.4f}", f"{self.start_loss:.4f}"
        k = recent_epochs(h.epochs)
        recent = f"{_number(self.recent_loss)} (median of the last {k} epoch{'s' * (k != 1)})"
        if self.trend == "growing":
            return (f"{ran}; diverging: the training loss is growing, {start} (untrained) to {recent}, "
                    f"at least doubled in {k} epochs: lower the learning rate")
        if self.trend == "unstable":
            return (f"{ran}; unstable: the training loss went up from {start} (untrained) and stays "
                    f"above it, at {recent}; guessing scores {guess}: lower the learning rate")
        text = (f"{ran}; after training: loss {_number(self.after_loss)} on the training data "
                f"(the last epoch's running figure {_number(h.train_loss[-1])}), "
                f"validation {_number(h.val_loss[-1])}")
        if h.train_acc:
            text += f"; accuracy {self.after_acc:.1%} (validation {h.val_acc[-1]:.1%})"
        if self.after_loss > DIVERGING_MARGIN * self.chance_loss:
            text += f"; still worse than guessing ({guess})"
        return text

    def _inf_or_nan(self):
        last = self.last_step_loss
        if last is None or math.isfinite(last):
            return "inf or NaN"
        return "NaN" if math.isnan(last) else "inf"


def _number(x):
    """A loss for a sentence: 4 decimals, or 3 significant digits once it is huge."""
    return f"{x:.4f}" if abs(x) < 1e4 else f"{x:.3g}"


def chance_loss(task, y, n_outputs):
    """The loss of a model that has learned nothing: ln C for C classes, or the variance of y
    (the squared error of always answering its mean) for regression."""
    if task == "regression":
        y = np.asarray(y, dtype=float)
        return float(np.mean((y - y.mean(axis=0)) ** 2) * (y.shape[1] if y.ndim == 2 else 1))
    return math.log(n_outputs)


def new_run(dataset="moons", noise=0.15, hidden_layers=2, units=8, activation="tanh", seed=0):
    """The data (training, and VALIDATION_SAMPLES fresh validation points) and the untrained
    MLP for these settings, as a PlaygroundRun with an empty History."""
    X, y = make_data(dataset, noise, seed=seed)
    X_val, y_val = make_data(dataset, noise, n_samples=VALIDATION_SAMPLES, seed=seed + 1)
    regression = dataset == "sine"
    n_out = 1 if regression else int(y.max()) + 1
    model = mlp([X.shape[1]] + [units] * hidden_layers + [n_out], activation, rng=seed)
    task = "regression" if regression else "classification"
    start, _ = evaluate(model, MSELoss() if regression else CrossEntropyLoss(), X, y)
    return PlaygroundRun(model, X, y, X_val, y_val, task, dataset, activation, start,
                         chance_loss(task, y, n_out))


def train_playground(dataset="moons", noise=0.15, hidden_layers=2, units=8, activation="tanh",
                     lr=0.1, batch_size=16, epochs=100, seed=0, callback=None):
    """Build data and an MLP from the settings, train it with SGD, return the PlaygroundRun.

    Classification data gets one output per class and cross-entropy; 'sine' gets one output and
    MSE. ``callback(epoch, history)`` is passed to ``fit`` (a live loss curve, a Stop button).
    """
    run = new_run(dataset, noise, hidden_layers, units, activation, seed)
    return run.fit(lr=lr, batch_size=batch_size, epochs=epochs, seed=seed, callback=callback)
