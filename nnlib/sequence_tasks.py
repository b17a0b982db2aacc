"""Memory tasks for recurrent networks (notebook 11), made on the spot from a seed.

``recall``: remember the symbol shown at the first step of a sequence and name it at the last,
``T - 1`` steps later, while a random symbol arrives at every step in between. A network that
cannot carry information over ``T - 1`` steps guesses, and is right one time in ``symbols``.
"""
import numpy as np

from ._checks import as_rng, check_positive_int


def recall(n_samples, T, *, symbols=4, rng=None):
    """``n_samples`` sequences of length ``T`` for the recall task.

    Returns ``x: (N, T, symbols + 1)`` floats and ``y: (N,)`` integer labels in [0, symbols).
    Every step holds one symbol, one-hot in the first ``symbols`` channels. The first step holds
    the symbol to remember, ``y``, and a 1 in the last channel (the marker that says "this one");
    every later step holds a random distractor symbol and a 0 there. ``T = 1``: the answer is in
    the input the network sees last, nothing to remember.
    """
    n = check_positive_int(n_samples, "n_samples")
    T = check_positive_int(T, "T")
    K = check_positive_int(symbols, "symbols", minimum=2)
    rng = as_rng(rng)
    y = rng.integers(0, K, size=n)
    shown = rng.integers(0, K, size=(n, T))  # (N, T): the symbol at every step
    shown[:, 0] = y
    x = np.zeros((n, T, K + 1))
    x[np.arange(n)[:, None], np.arange(T)[None, :], shown] = 1.0
    x[:, 0, K] = 1.0
    return x, y


KINDS = ("RNN", "LSTM")


def recall_model(kind, hidden_size=16, *, symbols=4, forget_bias=3.0, rng=None):
    """``Sequential(RNN or LSTM, LastTimeStep(), Dense(H, symbols))`` for the recall task.

    ``forget_bias``: the LSTM's forget-gate bias at the start (``b[H:2H]``); 3 makes the cell
    keep sigmoid(3) = 0.95 of itself per step instead of sigmoid(0) = 0.5, a memory of about
    1/(1 - 0.95) = 20 steps to start from (ignored for the RNN)."""
    from .layers import Dense
    from .network import Sequential
    from .recurrent import LSTM, RNN, LastTimeStep

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    H = check_positive_int(hidden_size, "hidden_size")
    K = check_positive_int(symbols, "symbols", minimum=2)
    rng = as_rng(rng)
    if kind == "RNN":
        cell = RNN(K + 1, H, rng=rng)
    else:
        cell = LSTM(K + 1, H, rng=rng)
        cell.b.data[H:2 * H] = forget_bias
    return Sequential(cell, LastTimeStep(), Dense(H, K, rng=rng))


def recall_accuracy(model, T, *, symbols=4, n_samples=500, rng=1234):
    """The fraction of ``n_samples`` fresh recall sequences of length T (drawn from ``rng``,
    the same for every model) that ``model`` names correctly."""
    x, y = recall(n_samples, T, symbols=symbols, rng=rng)
    return float(np.mean(model.forward(x).argmax(axis=1) == y))


def train_recall(kind, T, *, hidden_size=16, symbols=4, steps=250, batch_size=32, lr=0.01,
                 max_norm=1.0, forget_bias=3.0, stop_loss=None, rng=None):
    """Train ``recall_model(kind, ...)`` on the recall task with sequences of length T.

    Every step draws a fresh batch (so there is no overfitting to watch, only learning), runs
    Adam with learning rate ``lr`` and clips the gradient's total norm to ``max_norm``
    (``clip_grad_norm``). ``stop_loss``: stop early once the mean loss of the last 10 batches
    is below it (a solved task needs no more steps; None: always run every step). Returns
    (model, losses), losses: the training loss of every batch, (steps,) or fewer if stopped."""
    from .losses import CrossEntropyLoss
    from .optim import Adam, clip_grad_norm

    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    rng = as_rng(rng)
    model = recall_model(kind, hidden_size, symbols=symbols, forget_bias=forget_bias, rng=rng)
    loss_fn = CrossEntropyLoss()
    opt = Adam(model.parameters(), lr=lr)
    losses = np.empty(steps)
    for step in range(steps):
        x, y = recall(batch_size, T, symbols=symbols, rng=rng)
        losses[step] = loss_fn(model.forward(x), y)
        opt.zero_grad()
        model.backward(loss_fn.backward())
        clip_grad_norm(model.parameters(), max_norm)
        opt.step()
        if stop_loss is not None and step >= 9 and losses[step - 9:step + 1].mean() < stop_loss:
            return model, losses[:step + 1].copy()
    return model, losses


def recall_variants(T, *, symbols=4, rng=None):
    """One recall sequence of length T in ``symbols`` versions that differ only in the marked
    first symbol: version k shows symbol k first, then the same distractors as every other
    version. Returns x: (symbols, T, symbols + 1) and y = [0, 1, ..., symbols - 1].

    Run a network over them and compare its states: whatever differs between the versions at
    step t is what the network still remembers of the first symbol there."""
    x, _ = recall(1, T, symbols=symbols, rng=rng)
    K = check_positive_int(symbols, "symbols", minimum=2)
    x = np.repeat(x, K, axis=0)
    x[:, 0, :K] = np.eye(K)
    return x, np.arange(K)
