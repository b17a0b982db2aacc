"""Notebook 05's checks: right answers pass, the notes' slips and sign errors get named."""
import numpy as np

import nnlib
from nnlib.exercises.backprop import check_output_delta, check_w1_gradient


def setup():
    model = nnlib.mlp([2, 3, 1], "sigmoid", rng=1, bias=False, output_activation="sigmoid")
    x, y = np.array([2.0, -1.0]), 1.0  # as in notebook 05
    loss = nnlib.MSELoss(reduction="sum")
    model.zero_grad()
    loss.forward(model(x[None, :]), np.array([[y]]))
    model.backward(loss.backward())
    return model, x, y


def test_output_delta(capsys):
    model, x, y = setup()
    f = model(x[None, :])[0, 0]
    delta2 = -2 * (y - f) * f * (1 - f)
    assert check_output_delta(model, x, y, None) is None
    assert check_output_delta(model, x, y, delta2) is True
    assert check_output_delta(model, x, y, -delta2) is False
    assert "sign is flipped" in capsys.readouterr().out
    assert check_output_delta(model, x, y, delta2 / 2) is False
    assert "factor 2" in capsys.readouterr().out
    assert check_output_delta(model, x, y, -2 * (y - f)) is False
    assert "phi'(z2)" in capsys.readouterr().out
    s = nnlib.sigmoid(f)
    assert check_output_delta(model, x, y, -2 * (y - f) * s * (1 - s)) is False
    assert "you took phi' at f" in capsys.readouterr().out
    assert check_output_delta(model, x, y, float(f"{delta2:.4g}")) is True  # rounded to 4 digits


def test_w1_gradient_matches_backprop_and_names_the_notes_slip(capsys):
    model, x, y = setup()
    for i in (1, 2, 3):
        for j in (1, 2):
            assert check_w1_gradient(model, x, y, i, j, model[0].W.grad[i - 1, j - 1]) is True
    W1, W2 = model[0].W.data, model[2].W.data
    h = nnlib.sigmoid(W1 @ x)
    f = nnlib.sigmoid(W2 @ h)[0]
    literal = -2 * (y - f) * f * (1 - f) * W2[0, 1] * h[0] * (1 - h[0]) * x[0]
    capsys.readouterr()
    assert check_w1_gradient(model, x, y, 2, 1, literal) is False
    assert "row 1 of W1" in capsys.readouterr().out
    assert check_w1_gradient(model, x, y, 2, 1, -model[0].W.grad[1, 0]) is False
    assert "sign" in capsys.readouterr().out
    assert check_w1_gradient(model, x, y, 2, 1, model[0].W.grad[1, 0] / x[0]) is False
    assert "left out the last factor, x_1" in capsys.readouterr().out


def test_indices_count_from_1_and_are_checked(capsys):
    """Issue 10: i = 0 wrapped to the last row (W2[0, -1]) and was called correct; 4 or 3 gave a
    raw IndexError."""
    model, x, y = setup()
    last_row = model[0].W.grad[2, 0]  # what W2[0, i - 1] with i = 0 computed
    assert check_w1_gradient(model, x, y, 0, 1, last_row) is False
    assert "the notes count from 1" in capsys.readouterr().out
    for i, j in [(4, 1), (2, 3), (-1, 1), (2, 0)]:
        assert check_w1_gradient(model, x, y, i, j, 0.1) is False
        out = capsys.readouterr().out
        assert out.startswith("not yet right") and ("out of range" in out or "count from 1" in out), out
    assert check_w1_gradient(model, x, y, 2.0, 1, model[0].W.grad[1, 0]) is False
    assert "whole number from 1 to 3" in capsys.readouterr().out


def test_the_sample_may_be_a_row_a_column_or_a_batch_of_one(capsys):
    """Issue 10: X_n (1, 2), Y_n (1, 1) that 05 builds, and the notes' (2, 1) column, gave raw
    numpy errors. They are the same sample; other shapes get a sentence."""
    model, x, y = setup()
    for x_as in (x[None, :], x[:, None]):
        assert check_w1_gradient(model, x_as, np.array([[y]]), 2, 1, model[0].W.grad[1, 0]) is True
        f = model(x[None, :])[0, 0]
        assert check_output_delta(model, x_as, np.array([[y]]), -2 * (y - f) * f * (1 - f)) is True
    capsys.readouterr()
    assert check_w1_gradient(model, np.ones(3), y, 2, 1, 0.1) is False
    assert "x should be the sample x_n, two numbers" in capsys.readouterr().out
    assert check_output_delta(model, x, np.array([1.0, 0.0]), 0.1) is False
    assert "y should be the target y_n, one number" in capsys.readouterr().out


def test_the_ij_slip_names_the_weight_that_was_computed(capsys):
    model, x, y = setup()
    assert check_w1_gradient(model, x, y, 2, 1, model[0].W.grad[0, 1]) is False  # w^(1)_12
    assert "that is d loss / d w^(1)_12" in capsys.readouterr().out


def _rounded(value, digits=4):
    return float(f"{value:.{digits}g}")


def test_four_significant_digits_are_enough_for_every_answer(capsys):
    """Student finding: 05 exercise 2 says "four significant digits are enough", but the right
    answer -0.0227373 rounded to -0.02274 was refused (the relative tolerance 1e-4 passed only
    five digits). Every 4-digit rounding of every gradient and of delta2 must pass."""
    model, x, y = setup()
    assert check_w1_gradient(model, x, y, 2, 1, -0.02274) is True  # the student's answer
    for i in (1, 2, 3):
        for j in (1, 2):
            g = model[0].W.grad[i - 1, j - 1]
            for answer in (_rounded(g), _rounded(g, 5), g):
                assert check_w1_gradient(model, x, y, i, j, answer) is True, capsys.readouterr().out
    f = model(x[None, :])[0, 0]
    delta2 = -2 * (y - f) * f * (1 - f)
    assert check_output_delta(model, x, y, _rounded(delta2)) is True
    # three digits are not four: a rounding off by a unit in the fourth digit is refused
    g = model[0].W.grad[1, 0]
    assert check_w1_gradient(model, x, y, 2, 1, _rounded(g, 3)) is False
    assert check_w1_gradient(model, x, y, 2, 1, _rounded(g) + 1e-5) is False
    assert "off by" in capsys.readouterr().out


def test_the_tolerance_is_half_a_unit_in_the_fourth_digit():
    from nnlib.exercises.backprop import _close
    assert _close(0.1000, 0.099996)        # the rounding carries into the next power of ten
    assert _close(-0.02274, -0.0227372567) and not _close(-0.02273, -0.0227372567)
    assert _close(9.999e-7, 9.99949e-7) and not _close(9.998e-7, 9.99949e-7)
    assert _close(0.0, 0.0) and not _close(1e-300, 0.0)


def test_every_slip_is_refused_and_named_even_when_two_coincide(capsys):
    """Student finding: leaving out the factor 2 was reported as "you left out the last factor,
    x_1 = 2", because x_n = (2, -1). When slips give the same number, the check names all of
    them; and at the four-digit tolerance no slip is ever taken for the right answer."""
    from nnlib.exercises.backprop import w1_gradient_and_slips
    model, x, y = setup()
    W1, W2 = model[0].W.data, model[2].W.data
    for i in (1, 2, 3):
        for j in (1, 2):
            expected, slips = w1_gradient_and_slips(W1, W2, x, y, i, j)
            assert np.isclose(expected, model[0].W.grad[i - 1, j - 1], rtol=1e-12)
            for value, sentence in slips:
                for answer in (value, _rounded(value)):
                    assert check_w1_gradient(model, x, y, i, j, answer) is False
                    out = capsys.readouterr().out
                    assert sentence in out, (i, j, sentence, out)
    capsys.readouterr()
    g = model[0].W.grad[1, 0]
    assert check_w1_gradient(model, x, y, 2, 1, g / 2) is False
    out = capsys.readouterr().out
    assert "factor 2 of -2 e" in out and "x_1 = 2" in out and "either" in out, out


def test_leaving_out_a_slope_phi_prime_is_named(capsys):
    """Student finding: leaving out the hidden phi' or the output phi' got only "off by"."""
    model, x, y = setup()
    W1, W2 = model[0].W.data, model[2].W.data
    h = nnlib.sigmoid(W1 @ x)
    f = nnlib.sigmoid(W2 @ h)[0]
    e = y - f
    no_hidden_slope = -2 * e * f * (1 - f) * W2[0, 1] * x[0]
    no_output_slope = -2 * e * W2[0, 1] * h[1] * (1 - h[1]) * x[0]
    assert check_w1_gradient(model, x, y, 2, 1, no_hidden_slope) is False
    assert "left out hidden unit 2's slope phi'(w^(1)_2 . x)" in capsys.readouterr().out
    assert check_w1_gradient(model, x, y, 2, 1, _rounded(no_output_slope)) is False
    assert "left out the output's slope phi'(W2 h)" in capsys.readouterr().out


def test_output_delta_slips_stay_apart_at_four_digits(capsys):
    """Exercise 1 at the same four-digit tolerance: each slip, exact or rounded to four digits,
    is refused and named."""
    model, x, y = setup()
    f = model(x[None, :])[0, 0]
    e = y - f
    delta2 = -2 * e * f * (1 - f)
    s = nnlib.sigmoid(f)
    for value, hint in [(-delta2, "sign is flipped"), (delta2 / 2, "factor 2"),
                        (-2 * e, "that is d loss / d f"), (-2 * e * s * (1 - s), "you took phi' at f")]:
        for answer in (value, _rounded(value)):
            assert check_output_delta(model, x, y, answer) is False
            out = capsys.readouterr().out
            assert hint in out and "either" not in out, out
