"""Checks for notebook 07, training."""
import math

from ..datasets import sine
from ..losses import MSELoss
from ..network import mlp
from ..optim import SGD
from ..train import fit
from . import as_number, check_number, describe, not_a_number, not_done, report

TARGET_LOSS = 0.03  # the sine data's noise alone gives about 0.01


def check_updates_per_epoch(n_samples, batch_size, answer):
    """How many SGD steps one epoch of ``n_samples`` makes with batches of ``batch_size``."""
    expected = math.ceil(n_samples / batch_size)
    value = as_number(answer)  # None for anything but one finite number: check_number explains
    if value is not None and value == n_samples // batch_size and value != expected:
        return report(False, f"{n_samples} = {n_samples // batch_size} * {batch_size} + "
                             f"{n_samples % batch_size}: the last, smaller batch is a step too")
    return check_number(answer, expected, f"the number of steps per epoch (N = {n_samples}, B = {batch_size})")


def sine_run(lr, epochs=30):
    """The exercise's fixed experiment: a 1-16-16-1 tanh network on 200 noisy sine points."""
    X, y = sine(200, noise=0.1, rng=0)
    model = mlp([1, 16, 16, 1], "tanh", rng=0)
    return fit(model, MSELoss(), SGD(model.parameters(), lr=lr), X, y, epochs=epochs, batch_size=16, rng=0)


def check_learning_rate(lr):
    """Is ``lr`` a learning rate that gets the sine experiment below TARGET_LOSS in 30 epochs?

    ``lr`` is parsed like every checker's number (a float, an int, a numpy scalar or 0-d array,
    a Fraction, a SymPy number); NaN, inf, text and arrays of several numbers get a sentence."""
    if lr is None:
        return not_done("choose a learning rate")
    value = as_number(lr)
    if value is None:
        return not_a_number(lr, "a learning rate")
    if value <= 0:
        return report(False, f"a learning rate is a positive number, got {describe(lr)}: "
                             f"SGD steps by -lr * gradient, so lr <= 0 stands still or climbs the loss")
    history = sine_run(value)
    if history.diverged:
        return report(False, f"lr = {value:g} is too large: the loss became inf or NaN in epoch "
                             f"{history.epochs + 1} and training stopped")
    final = history.train_loss[-1]
    if final > TARGET_LOSS:
        return report(False, f"lr = {value:g} is too small: the loss is still {final:.4f} after 30 epochs "
                             f"(target {TARGET_LOSS})")
    return report(True, f"lr = {value:g} reaches loss {final:.4f} in 30 epochs")
