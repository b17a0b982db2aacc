"""Checks for notebook 07, training."""
import math

import numpy as np

from ..playground import new_run
from . import as_number, describe, not_a_number, not_done, report

# Exercise 2's experiment, exactly as the Playground runs it with these settings (data `sine`):
# the checker calls the Playground's own functions, so the widget reproduces its numbers.
SINE_EXPERIMENT = {"dataset": "sine", "noise": 0.1, "hidden_layers": 2, "units": 16,
                   "activation": "tanh"}
SINE_BATCH = 16
SINE_EPOCHS = 110
# The trained network's MSE on its training data must end below this. The noise alone gives
# about 0.01; a flat line at the mean of y about 0.5. Measured over a grid of learning rates x
# epochs (notebook 07's exercise, the report of issue 10): with 110 epochs every rate from about
# 0.003 to 0.2 ends below 0.05, and the verdict of every rate stays the same for 96 to 119
# epochs; a tighter target, or 30 epochs, made the verdict depend on which epoch came last.
TARGET_LOSS = 0.05
FALLING_EPOCHS = 10  # "still falling": lower now than this many epochs before


def check_updates_per_epoch(n_samples, batch_size, answer):
    """How many SGD steps one epoch of ``n_samples`` makes with batches of ``batch_size``.

    A wrong answer is told which way to go and why, never the number itself."""
    what = f"the number of steps per epoch (N = {n_samples}, B = {batch_size})"
    if answer is None:
        return not_done(f"replace None with your value of {what}")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, what)
    expected = math.ceil(n_samples / batch_size)
    full, rest = divmod(n_samples, batch_size)
    if value == expected:
        return report(True, f"{what} = {expected}: {n_samples} = {full} * {batch_size} + {rest}"
                      + (", and the last, smaller batch is a step too" if rest else ""))
    if value < 0:
        return report(False, f"a number of steps counts SGD updates: it cannot be negative, you "
                             f"have {value:g}")
    if rest and full <= value < expected:
        return report(False, f"you have {value:g}: {n_samples} / {batch_size} = "
                             f"{n_samples / batch_size:g} is not a whole number of batches; "
                             f"{n_samples} = {full} * {batch_size} + {rest}, and the last, smaller "
                             f"batch of {rest} is a step too (one step per batch, whatever its size)")
    if not value.is_integer():
        return report(False, f"you have {value:g}, but steps are counted in whole batches: one SGD "
                             f"step per batch")
    way = "higher" if value < expected else "lower"
    why = ("each step uses one batch of (at most) B samples, and an epoch uses every sample once"
           if value < expected else "one step per batch, and one epoch is one pass over the N samples")
    return report(False, f"you have {value:g}; the answer is {way}: {why}")


def sine_run(lr, epochs=None, scores=None):
    """Exercise 2's experiment: the Playground's run for ``SINE_EXPERIMENT`` (a 1-16-16-1 tanh
    network on 200 noisy sine points, 100 fresh validation points), trained with SGD, batch
    size 16, for ``epochs`` (SINE_EPOCHS if None). Returns the PlaygroundRun; ``run.after_loss`` is ``nnlib.evaluate``'s MSE of the
    trained network on its training data. ``scores``: a list that gets the same MSE after every
    epoch (scoring reads the model only: the run is the same with or without it)."""
    run = new_run(**SINE_EXPERIMENT)
    epochs = SINE_EPOCHS if epochs is None else epochs

    def score(_epoch, _history):
        scores.append(float(run.score(run.X, run.y)[0]))

    return run.fit(lr=lr, batch_size=SINE_BATCH, epochs=epochs,
                   callback=score if scores is not None else None)


def check_learning_rate(lr):
    """Does ``lr`` train exercise 2's network to an MSE below TARGET_LOSS on its training data,
    measured with ``nnlib.evaluate`` after SINE_EPOCHS epochs?

    The verdict says why a rate fails, from what the run did: diverged (inf or NaN), was below
    the target earlier but jumped above it (steps too long to settle), still falling (too
    small). ``lr`` is parsed like every checker's number (a float, an int, a numpy scalar or 0-d
    array, a Fraction, a SymPy number); NaN, inf, text and arrays of several numbers get a
    sentence."""
    if lr is None:
        return not_done("choose a learning rate")
    value = as_number(lr)
    if value is None:
        return not_a_number(lr, "a learning rate")
    if value <= 0:
        return report(False, f"a learning rate is a positive number, got {describe(lr)}: "
                             f"SGD steps by -lr * gradient, so lr <= 0 stands still or climbs the loss")
    scores = []  # the network's MSE on its training data after each epoch
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run's scores overflow
        run = sine_run(value, scores=scores)
    return _verdict(value, run, scores)


def _verdict(value, run, scores):
    h = run.history
    if h.diverged:
        return report(False, f"lr = {value:g} is too large: the loss became inf or NaN in epoch "
                             f"{h.epochs + 1} and training stopped")
    final, epochs = run.after_loss, SINE_EPOCHS
    if final < TARGET_LOSS:
        return report(True, f"lr = {value:g}: after {epochs} epochs the network's MSE on its "
                            f"training data is {final:.4f} (target {TARGET_LOSS}; validation "
                            f"{h.val_loss[-1]:.4f})")
    best = min(range(len(scores)), key=scores.__getitem__)
    if scores[best] < TARGET_LOSS:
        return report(False, f"lr = {value:g} is too large to settle: the network's MSE was "
                             f"{scores[best]:.4f} after epoch {best + 1}, below the target "
                             f"{TARGET_LOSS}, but {final:.4f} after epoch {epochs}: steps this long "
                             f"make the loss jump around")
    earlier = scores[-1 - FALLING_EPOCHS]
    if final < earlier:
        return report(False, f"lr = {value:g} is too small: after {epochs} epochs the network's MSE "
                             f"on its training data is {final:.4f}, still falling ({earlier:.4f} "
                             f"{FALLING_EPOCHS} epochs before), target {TARGET_LOSS}")
    return report(False, f"lr = {value:g} is too large to settle: the network's MSE stopped falling "
                         f"at {scores[best]:.4f} (epoch {best + 1}) and is {final:.4f} after epoch "
                         f"{epochs}, above the target {TARGET_LOSS}")
