"""Notebook 04's exercise checks: the worked solutions pass, typical mistakes get the right hint."""
import numpy as np
import pytest

import nnlib
from nnlib.exercises.losses import check_ce_gradient, check_cross_entropy, check_temperature

# The problems as the notebook states them.
Z1, TRUE1 = np.array([1.0, 3.0, -0.5]), 0
Z2, TRUE2 = np.array([0.5, -1.0, 2.0]), 1
Z3, TARGET3 = np.array([2.0, 1.0, -0.5]), 0.9


def last_line(capsys):
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_unfinished_answers_say_not_done_yet(capsys):
    assert check_cross_entropy(None, Z1, TRUE1) is None
    assert check_ce_gradient(None, Z2, TRUE2) is None
    assert check_temperature(None, Z3, TARGET3) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("not done yet") for line in lines)


# -- 1: cross-entropy by hand ------------------------------------------------------------------
def test_cross_entropy_worked_solution(capsys):
    p_ex1 = np.exp(Z1) / np.exp(Z1).sum()
    my_loss = -np.log(p_ex1[TRUE1])
    assert check_cross_entropy(my_loss, Z1, TRUE1) is True
    assert last_line(capsys).startswith("correct")
    assert my_loss == pytest.approx(nnlib.CrossEntropyLoss()(Z1[None, :], np.array([TRUE1])))
    assert my_loss == pytest.approx(2.153, abs=5e-4)  # the value the solution text quotes


def test_cross_entropy_accepts_rounded_values_within_the_stated_tolerance(capsys):
    """The notebook states: within 0.001 of the exact value; a one-element array is a number."""
    exact = float(nnlib.CrossEntropyLoss()(Z1[None, :], np.array([TRUE1])))
    for answer in (2.153, 2.1532, np.array([2.153]), np.array([[2.153]]), np.float32(2.153),
                   exact + 0.0009, exact - 0.0009):
        assert check_cross_entropy(answer, Z1, TRUE1) is True, answer
    capsys.readouterr()
    for answer in (exact + 0.0011, 2.15, np.array([2.153, 2.153])):   # 2.15: two decimals are too few
        assert check_cross_entropy(answer, Z1, TRUE1) is False, answer
    # a rounded mistake still gets its specific hint
    assert check_cross_entropy(round(-float(np.log(nnlib.softmax(Z1)[1])), 3), Z1, TRUE1) is False
    assert "class 1; the true class is 0" in last_line(capsys)


@pytest.mark.parametrize("mistake, hint", [
    (lambda p: np.log(p[0]), "minus sign"),
    (lambda p: -np.log10(p[0]), "log10"),
    (lambda p: p[0], "the loss is -ln of it"),
    (lambda p: 1 - p[0], "1 - p"),
    (lambda p: -Z1[0], "softmax first"),
    (lambda p: -np.log(p).sum(), "summed -ln p over all classes"),
    (lambda p: -np.log(p[1]), "class 1; the true class is 0"),
    (lambda p: 2.0, "off by"),
])
def test_cross_entropy_mistakes(mistake, hint, capsys):
    p = nnlib.softmax(Z1)
    assert check_cross_entropy(mistake(p), Z1, TRUE1) is False
    out = last_line(capsys)
    assert out.startswith("not yet right") and hint in out


def test_cross_entropy_rejects_text(capsys):
    assert check_cross_entropy("about two", Z1, TRUE1) is False
    assert "should be a number" in last_line(capsys)


# -- 2: the gradient p - y ---------------------------------------------------------------------
def test_gradient_worked_solution(capsys):
    p_ex2 = np.exp(Z2) / np.exp(Z2).sum()
    my_gradient = p_ex2 - np.eye(3)[TRUE2]
    assert check_ce_gradient(my_gradient, Z2, TRUE2) is True
    assert last_line(capsys).startswith("correct")
    loss = nnlib.CrossEntropyLoss(reduction="sum")
    loss(Z2[None, :], np.array([TRUE2]))
    np.testing.assert_allclose(my_gradient, loss.backward()[0])
    np.testing.assert_allclose(my_gradient, [0.1753, -0.9609, 0.7856], atol=5e-5)  # as quoted


def test_gradient_accepts_the_quoted_rounded_values(capsys):
    """The notebook states: every entry within 0.001 of the exact value."""
    for answer in ([0.1753, -0.9609, 0.7856], np.array([0.175, -0.961, 0.786]),
                   np.array([[0.1753, -0.9609, 0.7856]]), np.array([[0.1753], [-0.9609], [0.7856]])):
        assert check_ce_gradient(answer, Z2, TRUE2) is True, answer
    capsys.readouterr()
    assert check_ce_gradient([0.1753, -0.9609, 0.7876], Z2, TRUE2) is False
    out = last_line(capsys)
    assert "entry 2 is" in out and "more than 0.001" in out
    assert check_ce_gradient([-0.1753, 0.9609, -0.7856], Z2, TRUE2) is False  # rounded, sign flipped
    assert "sign is flipped" in last_line(capsys)


@pytest.mark.parametrize("mistake, hint", [
    (lambda p, y: y - p, "sign is flipped"),
    (lambda p, y: p, "subtract the one-hot y"),
    (lambda p, y: p - np.eye(3)[0], "the 1 of y at class 0"),
    (lambda p, y: (p - y)[:2], "shape (3,)"),
    (lambda p, y: p - y + np.array([0.0, 0.0, 0.1]), "entry 2 is"),
])
def test_gradient_mistakes(mistake, hint, capsys):
    p, y = nnlib.softmax(Z2), np.eye(3)[TRUE2]
    assert check_ce_gradient(mistake(p, y), Z2, TRUE2) is False
    out = last_line(capsys)
    assert out.startswith("not yet right") and hint in out


def test_gradient_rejects_non_numbers(capsys):
    assert check_ce_gradient(["a", "b", "c"], Z2, TRUE2) is False
    assert "array of 3 numbers" in last_line(capsys)


# -- 3: temperature ----------------------------------------------------------------------------
def bisect_temperature(z_ex3, target_ex3):
    """The notebook's worked solution, verbatim."""
    lo, hi = 0.01, 100.0
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        if nnlib.softmax(z_ex3 / mid).max() > target_ex3:
            lo = mid
        else:
            hi = mid
    return mid


def test_temperature_worked_solution(capsys):
    my_T = bisect_temperature(Z3, TARGET3)
    assert my_T == pytest.approx(0.4481, abs=5e-5)  # as quoted in the solution
    assert check_temperature(my_T, Z3, TARGET3) is True
    assert last_line(capsys).startswith("correct")
    assert check_temperature(0.4481, Z3, TARGET3) is True  # the quoted, rounded value
    assert check_temperature(np.array([0.4481]), Z3, TARGET3) is True


def test_temperature_checks_exactly_what_the_notebook_states(capsys):
    """The notebook states: the top probability p must round to 0.900, |p - 0.9| < 0.0005."""
    top = lambda T: nnlib.softmax(Z3 / T).max()  # noqa: E731
    assert top(0.45) == pytest.approx(0.8991, abs=5e-5)
    assert check_temperature(0.45, Z3, TARGET3) is False   # p = 0.8991 rounds to 0.899
    out = last_line(capsys)
    assert "p = 0.89909" in out and "does not round to 0.900" in out and "make T smaller" in out
    for T in (0.448, 0.449):                                # p = 0.90003 and 0.89956: both round to 0.900
        assert abs(top(T) - 0.9) < 0.0005
        assert check_temperature(T, Z3, TARGET3) is True
    assert abs(top(0.447) - 0.9) >= 0.0005                  # p = 0.9005...: rounds to 0.901
    assert check_temperature(0.447, Z3, TARGET3) is False
    assert "make T larger" in last_line(capsys)


@pytest.mark.parametrize("answer, hint", [
    (1.0, "make T smaller"),
    (0.1, "make T larger"),
    (1 / 0.4481, "that is 1/T"),
    (-0.45, "positive"),
    (0.0, "positive"),
    ("warm", "should be a number"),
])
def test_temperature_mistakes(answer, hint, capsys):
    assert check_temperature(answer, Z3, TARGET3) is False
    out = last_line(capsys)
    assert out.startswith("not yet right") and hint in out


def test_temperature_target_must_be_reachable(capsys):
    # below 1/3: no temperature gets there (issue 10: a sentence instead of a ValueError)
    assert check_temperature(1.0, Z3, 0.2) is False
    assert "target should be a probability between 1/C = 0.333333 and 1" in last_line(capsys)
