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
