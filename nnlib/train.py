"""The training loop: minibatches, epochs, and a History of the losses."""
import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_rng, check_positive_int
from .core import Layer
from .losses import CrossEntropyLoss, Loss


@dataclass
class History:
    """Per-epoch figures from ``fit``. Accuracy lists stay empty for regression losses.

    ``train_loss[k]`` is the loss per sample over the minibatches of epoch k, each taken *before*
    its update (the usual running figure: no extra pass over the data). ``val_loss`` and ``val_acc``
    come from a full pass over the validation data after the epoch, in eval mode.
    ``diverged`` is True when the loss became NaN or inf and training stopped early.
    """

    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    diverged: bool = False

    @property
    def epochs(self):
        return len(self.train_loss)


def accuracy(logits, y):
    """Fraction of rows whose largest score is the true class. logits: (N, C); y: (N,) labels."""
    return float(np.mean(np.argmax(logits, axis=1) == np.asarray(y)))


def minibatches(n, batch_size, rng):
    """Yield index arrays that cover range(n) once, in a random order, batch_size at a time."""
    order = as_rng(rng).permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def _modes(model):
    """Every layer's training flag, to put back exactly as it was (a model may mix modes)."""
    return [(layer, layer.training) for _, layer in model.named_layers()]


def _restore(modes):
    for layer, mode in modes:
        layer.training = mode


def _trial_forward(model, x):
    """model.forward(x) in eval mode, modes restored after: no dropout draw, no batch-norm
    statistics learned from the trial batch."""
    modes = _modes(model)
    model.eval()
    try:
        return model.forward(x)
    finally:
        _restore(modes)


def _check_data(model, loss_fn, X, y, xname, yname):
    """Check X and y fully before training starts, so a bad label cannot stop fit halfway."""
    X = model.check_input(X, xname)  # the model says which rank and dtype it takes
    if X.ndim == 0 or X.shape[0] == 0:
        raise ValueError(f"{xname} is empty (0 samples)")
    if isinstance(y, (str, bytes)):
        raise TypeError(f"{yname} must be an array, got a string")
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(f"{xname} and {yname} must have the same number of samples, "
                         f"got {X.shape[0]} and {y.shape[0] if y.ndim else 'a scalar'}")
    out = _trial_forward(model, X[:1])  # (1, ...): checks X's shape against every layer
    if isinstance(loss_fn, CrossEntropyLoss):
        loss_fn.check_target(y, (X.shape[0],) + out.shape[1:])
    else:
        loss_fn.forward(np.zeros((X.shape[0],) + out.shape[1:], dtype=out.dtype), y)  # y's shape, values
    return X, y


def evaluate(model, loss_fn, X, y):
    """(loss, accuracy) of the model on (X, y) in eval mode; accuracy is None for regression.
    Every layer's mode is put back as it was."""
    modes = _modes(model)
    model.eval()
    try:
        out = model(X)
        loss = loss_fn.forward(out, y)
    finally:
        _restore(modes)
    acc = accuracy(out, y) if _classifies(loss_fn, y) else None
    return loss, acc


def _classifies(loss_fn, y):
    """Accuracy is reported for one label per sample; not for sequences of labels, nor with
    ignored (padding) labels, which no prediction could match."""
    return (isinstance(loss_fn, CrossEntropyLoss) and np.ndim(y) == 1
            and (loss_fn.ignore_index is None or not np.any(np.asarray(y) == loss_fn.ignore_index)))


def _is_optimizer(optimizer):
    return all(callable(getattr(optimizer, name, None)) for name in ("step", "zero_grad"))


def fit(model, loss_fn, optimizer, X, y, *, epochs, batch_size, rng,
        X_val=None, y_val=None, callback=None):
    """Train ``model`` by minibatch SGD and return a History. Prints nothing.

    Each epoch shuffles the samples (with ``rng``), cuts them into batches of ``batch_size``
    (the last may be smaller), and for each batch: forward, loss, backward, optimiser step.

    X: (N, in_features), or any array whose first axis is the samples and that the model's
    ``check_input`` accepts; y: what ``loss_fn`` expects, N of them. ``optimizer``: any
    ``nnlib.Optimizer`` (or an object with ``step()`` and ``zero_grad()``).
    callback(epoch, history) runs after each epoch (epoch counts from 1); returning False
    stops training early (a notebook's Stop button). Returning None continues.

    Everything is checked before the first update (with one trial forward pass in eval mode,
    which changes no state); training runs in train mode (``model.train()``). If the loss
    becomes NaN or inf (a learning rate far too large) training stops and ``history.diverged``
    is True.
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be an nnlib Layer, got {type(model).__name__}")
    if not isinstance(loss_fn, Loss):
        raise TypeError(f"loss_fn must be an nnlib loss, got {type(loss_fn).__name__}")
    if not _is_optimizer(optimizer):
        raise TypeError(f"optimizer must be an optimiser (with step() and zero_grad()), "
                        f"got {type(optimizer).__name__}")
    model.named_layers()  # raises if one layer instance is used twice
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    rng = as_rng(rng)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    validate = X_val is not None or y_val is not None
    if validate and (X_val is None or y_val is None):
        raise ValueError("pass both X_val and y_val, or neither")
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected below, not warned
        X, y = _check_data(model, loss_fn, X, y, "X", "y")
        if validate:
            X_val, y_val = _check_data(model, loss_fn, X_val, y_val, "X_val", "y_val")
        classify = _classifies(loss_fn, y)
        history = History()
        n = X.shape[0]
        model.train()
        for epoch in range(1, epochs + 1):
            loss_sum, correct = 0.0, 0
            for idx in minibatches(n, batch_size, rng):
                xb, yb = X[idx], y[idx]
                out = model.forward(xb)
                loss = loss_fn.forward(out, yb)
                if not math.isfinite(loss):  # math, not numpy: a plain float, checked every step
                    history.diverged = True
                    break
                optimizer.zero_grad()
                model.backward(loss_fn.backward(), input_grad=False)  # dloss/dX is never used
                optimizer.step()
                loss_sum += loss * len(idx) if loss_fn.reduction == "mean" else loss
                if classify:
                    correct += int((out.argmax(axis=1) == yb).sum())
            if history.diverged:
                break
            history.train_loss.append(loss_sum / n)
            if classify:
                history.train_acc.append(correct / n)
            if validate:
                val_loss, val_acc = evaluate(model, loss_fn, X_val, y_val)
                history.val_loss.append(val_loss)
                if classify:
                    history.val_acc.append(val_acc)
            if callback is not None and callback(epoch, history) is False:
                break
    return history
