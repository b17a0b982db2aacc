"""Notebook 07's checks."""
from nnlib.exercises.training import check_learning_rate, check_updates_per_epoch


def test_updates_per_epoch(capsys):
    assert check_updates_per_epoch(200, 16, None) is None
    assert check_updates_per_epoch(200, 16, 13) is True
    assert check_updates_per_epoch(200, 16, 12) is False
    assert "the last, smaller batch" in capsys.readouterr().out
    assert check_updates_per_epoch(200, 200, 1) is True


def test_learning_rate_window(capsys):
    assert check_learning_rate(None) is None
    assert check_learning_rate(0.1) is True  # the worked solution
    assert check_learning_rate(0.001) is False
    assert "too small" in capsys.readouterr().out
    assert check_learning_rate(0.5) is False
    assert "too large" in capsys.readouterr().out
    assert check_learning_rate(-1) is False
