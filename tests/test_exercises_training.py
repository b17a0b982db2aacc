"""Notebook 07's checks."""
import numpy as np
import pytest

import nnlib
from bad_answers import run_check
from nnlib import widgets as W
from nnlib.exercises import training
from nnlib.exercises.training import (SINE_BATCH, SINE_EPOCHS, SINE_EXPERIMENT, TARGET_LOSS,
                                      check_learning_rate, check_updates_per_epoch, sine_run)


def test_updates_per_epoch(capsys):
    assert check_updates_per_epoch(200, 16, None) is None
    assert check_updates_per_epoch(200, 16, 13) is True
    assert check_updates_per_epoch(200, 16, 12) is False
    assert "the last, smaller batch" in capsys.readouterr().out
    assert check_updates_per_epoch(200, 200, 1) is True


@pytest.mark.parametrize("answer", [12, 12.5, 12.0, 12.9, np.float64(12.5)])
def test_the_last_batch_hint_for_every_answer_between_floor_and_ceil(answer):
    """Bug: 200 / 16 = 12.5, the typical slip, got only "off by -0.5"."""
    result, printed = run_check(check_updates_per_epoch, 200, 16, answer)
    assert result is False and "the last, smaller batch of 8 is a step too" in printed


@pytest.mark.parametrize("answer, way", [(5, "higher"), (1, "higher"), (14, "lower"), (200, "lower"),
                                         (3200, "lower")])
def test_a_wrong_step_count_is_told_which_way_not_the_answer(answer, way):
    """Bug: "is 13, you have 5 (off by -8)" gave the answer away."""
    result, printed = run_check(check_updates_per_epoch, 200, 16, answer)
    assert result is False and way in printed and "13" not in printed


def test_a_negative_step_count_is_explained():
    """Bug: -13 got "off by -26", with no word on the sign."""
    result, printed = run_check(check_updates_per_epoch, 200, 16, -13)
    assert result is False and "cannot be negative" in printed and "26" not in printed


def test_learning_rate_window(capsys):
    assert check_learning_rate(None) is None
    assert check_learning_rate(0.1) is True  # the worked solution
    assert check_learning_rate(0.001) is False
    assert "too small" in capsys.readouterr().out
    assert check_learning_rate(0.5) is False
    assert "too large" in capsys.readouterr().out
    assert check_learning_rate(-1) is False


def slider_rates(lo, hi):
    """The Playground's lr slider values (10^(k/10)) from lo to hi."""
    return [10 ** (k / 10) for k in range(-30, 11) if lo <= 10 ** (k / 10) <= hi]


def test_the_checker_judges_the_trained_network_with_evaluate():
    """Bug: the check read fit's running loss of the last epoch; the trained network scored
    0.047-0.071 on its training data for every rate it accepted."""
    run = sine_run(0.1)
    after, _ = nnlib.evaluate(run.model, nnlib.MSELoss(), run.X, run.y)
    result, printed = run_check(check_learning_rate, 0.1)
    assert result is True and f"training data is {after:.4f}" in printed and after < TARGET_LOSS


def test_the_verdict_of_every_rate_is_stable_when_the_epochs_move():
    """Bug: with 30 epochs every accepted rate was above the target in epoch 29 and below it
    only in epoch 30; with 28, 29, 31 or 32 epochs almost nothing passed. Now: every rate on
    the Playground's slider gets the same verdict for any epoch count from 100 to 119, and the
    window is wide (0.0032 to 0.2, six times the slider's step of 10^0.1 on either side of 0.03)."""
    verdicts = {}
    for lr in slider_rates(0.001, 0.4):
        scores = []
        run = sine_run(lr, epochs=119, scores=scores)
        if run.history.diverged:
            assert run.history.epochs < 100, lr  # diverged before any epoch count of the range
            verdicts[lr] = False
            continue
        at = {e: scores[e - 1] < TARGET_LOSS for e in range(100, 120)}
        assert len(set(at.values())) == 1, (lr, at)
        verdicts[lr] = at[SINE_EPOCHS]
    passing = [lr for lr, ok in verdicts.items() if ok]
    assert passing == [lr for lr in verdicts if passing[0] <= lr <= passing[-1]]  # one window
    assert passing[0] < 0.004 and passing[-1] > 0.19 and len(passing) >= 18


def test_the_playground_reproduces_the_checkers_numbers():
    """Bug: the exercise pointed to the Playground without the settings that reproduce it."""
    pg = W.playground(**SINE_EXPERIMENT, lr=0.1, batch_size=SINE_BATCH, epochs=SINE_EPOCHS)
    pg.train()
    run = sine_run(0.1)
    assert pg.run.history == run.history
    _, printed = run_check(check_learning_rate, 0.1)
    number = f"{run.after_loss:.4f}"
    assert f"training data is {number}" in printed
    assert f"after training: loss {number} on the training data" in pg.status.value


def test_too_large_to_settle_is_said_of_a_run_that_was_below_and_jumped_above(monkeypatch):
    """lr 0.1's loss jumps in epoch 90 (0.12, from 0.02): with 90 epochs it fails, and the
    message says why, with numbers the run really had."""
    monkeypatch.setattr(training, "SINE_EPOCHS", 90)
    scores = []
    sine_run(0.1, epochs=90, scores=scores)
    assert scores[-1] > TARGET_LOSS and min(scores) < TARGET_LOSS
    result, printed = run_check(check_learning_rate, 0.1)
    best = int(np.argmin(scores))
    assert result is False and "too large to settle" in printed
    assert f"{scores[best]:.4f} after epoch {best + 1}" in printed and f"{scores[-1]:.4f} after epoch 90" in printed


def test_too_small_is_said_of_a_run_still_falling():
    scores = []
    sine_run(0.002, scores=scores)
    assert TARGET_LOSS < scores[-1] < scores[-11]
    result, printed = run_check(check_learning_rate, 0.002)
    assert result is False and "too small" in printed and "still falling" in printed
