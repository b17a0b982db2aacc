"""The exercise checks: None is 'not done yet', right answers pass, wrong ones say what is off."""
import numpy as np
import pytest

import nnlib
from nnlib.exercises import check_number, check_parameter_count, check_solves_xor


def model_2_4_2():
    return nnlib.Sequential(nnlib.Dense(2, 4, rng=0), nnlib.Tanh(), nnlib.Dense(4, 2, rng=1))


def test_unfinished_answers_say_not_done_yet(capsys):
    assert check_number(None, 1.0, "x") is None
    assert check_parameter_count(model_2_4_2(), None) is None
    assert check_solves_xor(None) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("not done yet") for line in lines)


def test_parameter_count(capsys):
    model = model_2_4_2()
    assert check_parameter_count(model, 22) is True
    assert check_parameter_count(model, 16) is False
    assert "not the 6 biases" in capsys.readouterr().out
    assert check_parameter_count(model, 20) is False
    assert "off by -2" in capsys.readouterr().out
    assert check_parameter_count(model, "22 or so") is False
    assert "should be a number" in capsys.readouterr().out
    assert check_parameter_count(model, "22") is False  # text, not a number
    assert check_parameter_count(model, np.array([22])) is True


def test_check_number_tolerance():
    assert check_number(0.1 + 0.2, 0.3, "x") is True
    assert check_number(0.31, 0.3, "x") is False


def train_small(seed):
    X, y = nnlib.xor()
    rng = np.random.default_rng(seed)
    model = nnlib.Sequential(nnlib.Dense(2, 2, rng=rng), nnlib.Tanh(), nnlib.Dense(2, 2, rng=rng))
    nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.5),
              X, y, epochs=500, batch_size=4, rng=0)
    return model


@pytest.mark.parametrize("seed, solved", [(0, True), (6, False)])
def test_notebook_00_solution_and_its_stuck_seed(seed, solved, capsys):
    """The worked solution in notebook 00 works, and the seed it warns about really gets stuck."""
    assert check_solves_xor(train_small(seed)) is solved
    if not solved:
        assert "2 of 4 points misclassified" in capsys.readouterr().out


def test_solves_xor_explains_a_wrong_model(capsys):
    assert check_solves_xor(nnlib.Dense(3, 2, rng=0)) is False
    assert "cannot take the 4 XOR points" in capsys.readouterr().out
    assert check_solves_xor(nnlib.Dense(2, 1, rng=0)) is False
    assert "2 class scores" in capsys.readouterr().out
    assert check_solves_xor("model") is False
