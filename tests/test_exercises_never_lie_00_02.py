"""Notebooks 00-02's exercise checkers never say "correct" to a wrong answer and never raise.

Every ``check_*`` of ``nnlib.exercises`` (00), ``nnlib.exercises.neuron`` (01) and
``nnlib.exercises.activations`` (02) gets, in each argument a student fills in: wrong types,
NaN and inf, wrong shapes, text and symbols (``bad_answers()``), and off-by-one values of the
right kind. Where a checker's right answers form a set (any AND gate, any trained 2-2-2 XOR
network), its "correct" is compared with an independent computation of the truth.
"""
import fractions
import inspect
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnlib
from bad_answers import assert_never_lies, bad_answers, run_check
from nnlib import exercises as ex00
from nnlib import symbolic as S
from nnlib.exercises import activations as ex02
from nnlib.exercises import neuron as ex01

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# The right answers, computed here from their definitions (not read from the checkers).
X1, W1, W0 = np.array([1.0, -2.0]), np.array([0.5, 0.75]), 0.5
NEURON_Y = math.tanh(float(W1 @ X1) + W0)
AND_RIGHT = (1.0, 1.0, -1.5)
SIGMOID_PRIME_LN3 = 0.75 * 0.25
THRESHOLD = math.log(49 + 20 * math.sqrt(6))


def steps_until_right(w):
    steps = 0
    while 1 / (1 + math.exp(-w)) <= 0.5:
        s = 1 / (1 + math.exp(-w))
        w += 2 * (1 - s) * s * (1 - s)
        steps += 1
    return steps


STEPS = (steps_until_right(-2.0), steps_until_right(-10.0))


def model_2_4_2():
    return nnlib.Sequential(nnlib.Dense(2, 4, rng=0), nnlib.Tanh(), nnlib.Dense(4, 2, rng=1))


# Each checker, with a call that puts a bad answer in one argument and right answers elsewhere.
CALLS = {
    "check_number": [lambda bad: (ex00.check_number, bad, 0.25, "x")],
    "check_parameter_count": [lambda bad: (ex00.check_parameter_count, model_2_4_2(), bad),
                              lambda bad: (ex00.check_parameter_count, bad, 22)],
    "check_solves_xor": [lambda bad: (ex00.check_solves_xor, bad),
                         lambda bad: (ex00.check_solves_xor, bad, 2)],
    "check_neuron_output": [lambda bad: (ex01.check_neuron_output, bad)],
    "check_and_gate": [lambda bad: (ex01.check_and_gate, bad, 1.0, -1.5),
                       lambda bad: (ex01.check_and_gate, 1.0, bad, -1.5),
                       lambda bad: (ex01.check_and_gate, 1.0, 1.0, bad)],
    "check_linear_derivative": [lambda bad: (ex02.check_linear_derivative, bad)],
    "check_sigmoid_prime_at_ln3": [lambda bad: (ex02.check_sigmoid_prime_at_ln3, bad)],
    "check_saturation_threshold": [lambda bad: (ex02.check_saturation_threshold, bad)],
    "check_saturation_steps": [lambda bad: (ex02.check_saturation_steps, bad, STEPS[1]),
                               lambda bad: (ex02.check_saturation_steps, STEPS[0], bad),
                               lambda bad: (ex02.check_saturation_steps, bad, None)],
}


def checkers():
    """Every check_* function the three modules define."""
    found = set()
    for module in (ex00, ex01, ex02):
        found |= {name for name, f in vars(module).items()
                  if name.startswith("check_") and inspect.isfunction(f) and f.__module__ == module.__name__}
    return found


def test_every_checker_of_00_to_02_is_covered():
    assert checkers() == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
@SETTINGS
@given(bad=bad_answers())
def test_no_checker_calls_a_bad_answer_correct(name, bad):
    for call in CALLS[name]:
        check, *args = call(bad)
        assert_never_lies(check, *args)


def test_the_right_answers_pass():
    """The other side of the property: the checkers above are not simply always "wrong"."""
    for check, *args in [(ex00.check_number, 0.25, 0.25, "x"),
                         (ex00.check_parameter_count, model_2_4_2(), 22),
                         (ex01.check_neuron_output, NEURON_Y), (ex01.check_and_gate, *AND_RIGHT),
                         (ex02.check_linear_derivative, S.a),
                         (ex02.check_sigmoid_prime_at_ln3, SIGMOID_PRIME_LN3),
                         (ex02.check_saturation_threshold, THRESHOLD),
                         (ex02.check_saturation_steps, *STEPS)]:
        result, printed = run_check(check, *args)
        assert result is True and printed.startswith("correct"), (check.__name__, printed)


# -- off by one, and other near misses -----------------------------------------------------
@SETTINGS
@given(expected=st.integers(-10**5, 10**5), delta=st.sampled_from([-1, 1]),
       kind=st.sampled_from([int, float, np.float64, fractions.Fraction, sp.Integer]))
def test_check_number_off_by_one(expected, delta, kind):
    assert_never_lies(ex00.check_number, kind(expected + delta), expected, "x")


@SETTINGS
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4), bias=st.booleans(),
       delta=st.sampled_from([-1, 1]))
def test_parameter_count_off_by_one(sizes, bias, delta):
    model = nnlib.mlp(sizes, "tanh", rng=0, bias=bias)
    right = sum(o * i + (o if bias else 0) for i, o in zip(sizes[:-1], sizes[1:]))  # by hand
    assert_never_lies(ex00.check_parameter_count, model, right + delta)
    assert run_check(ex00.check_parameter_count, model, right)[0] is True


@pytest.mark.parametrize("answer", [NEURON_Y + 1, NEURON_Y - 1, NEURON_Y * 1.01, -NEURON_Y,
                                    float(W1 @ X1) + W0, math.tanh(float(W1 @ X1)), np.array([NEURON_Y, 0.0])])
def test_neuron_output_near_misses(answer):
    assert_never_lies(ex01.check_neuron_output, answer)


def exactly_and(w1, w2, w0):
    """The truth, in exact rational arithmetic: H(z) is 0 at three corners and 1 at (1, 1)."""
    w1, w2, w0 = (fractions.Fraction(v) for v in (w1, w2, w0))
    return w0 < 0 and w2 + w0 < 0 and w1 + w0 < 0 and w1 + w2 + w0 > 0


weights = st.one_of(st.floats(-1e6, 1e6), st.integers(-3, 3).map(float),
                    st.sampled_from([0.1, 0.2, 0.3, -0.3, 0.5, -0.5, 1.5, -1.5, 1e-17]))


@SETTINGS
@given(w1=weights, w2=weights, w0=weights)
def test_and_gate_is_correct_only_for_an_and_gate(w1, w2, w0):
    result, printed = run_check(ex01.check_and_gate, w1, w2, w0)
    if result is True:
        assert exactly_and(w1, w2, w0), printed


@pytest.mark.parametrize("w", [(1.0, 1.0, -0.5), (1.0, 1.0, -2.5), (2.0, 1.0, -1.5), (1.0, 2.0, -1.5),
                               (1.0, 1.0, -1.0), (1.0, 1.0, -2.0), (0.1, 0.2, -0.3), (-1.0, -1.0, 1.5)])
def test_and_gate_off_by_one(w):
    assert_never_lies(ex01.check_and_gate, *w)


@pytest.mark.parametrize("answer", [S.a + 1, S.a - 1, 2 * S.a, S.a * S.x, S.a * S.x + S.b, S.a + S.b,
                                    sp.Integer(1), S.x, sp.Symbol("a") + 1, S.b])
def test_linear_derivative_near_misses(answer):
    assert_never_lies(ex02.check_linear_derivative, answer)


@pytest.mark.parametrize("answer", [SIGMOID_PRIME_LN3 + 1, SIGMOID_PRIME_LN3 - 1, 3 / 15, 3 / 17,
                                    4 / 16, 2 / 16, SIGMOID_PRIME_LN3 * 1.002, sp.Rational(3, 17),
                                    fractions.Fraction(4, 16), 0.75, -SIGMOID_PRIME_LN3])
def test_sigmoid_prime_near_misses(answer):
    assert_never_lies(ex02.check_sigmoid_prime_at_ln3, answer)


@pytest.mark.parametrize("answer", [THRESHOLD + 1, THRESHOLD - 1, THRESHOLD + 0.002, THRESHOLD - 0.002,
                                    -THRESHOLD, math.log(99), sp.Float(THRESHOLD + 1)])
def test_threshold_near_misses(answer):
    assert_never_lies(ex02.check_saturation_threshold, answer)


@pytest.mark.parametrize("delta", [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1)])
def test_saturation_steps_off_by_one(delta):
    assert_never_lies(ex02.check_saturation_steps, STEPS[0] + delta[0], STEPS[1] + delta[1])


def truly_solves_xor_with_2_hidden_units(model):
    layers = list(model)
    X, y = nnlib.xor()
    return ([type(layer) for layer in layers] == [nnlib.Dense, nnlib.Tanh, nnlib.Dense]
            and layers[0].W.data.shape == (2, 2) and layers[2].W.data.shape == (2, 2)
            and bool(np.all(np.argmax(model(X), axis=1) == y)))


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 40), epochs=st.sampled_from([0, 20, 100, 500]),
       hidden=st.sampled_from([1, 2, 3]))
def test_solves_xor_is_correct_only_for_what_exercise_2_asks(seed, epochs, hidden):
    X, y = nnlib.xor()
    rng = np.random.default_rng(seed)
    model = nnlib.Sequential(nnlib.Dense(2, hidden, rng=rng), nnlib.Tanh(), nnlib.Dense(hidden, 2, rng=rng))
    if epochs:
        nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.5), X, y,
                  epochs=epochs, batch_size=4, rng=0)
    result, printed = run_check(ex00.check_solves_xor, model, 2)
    assert printed.strip() and result in (True, False)
    assert result is truly_solves_xor_with_2_hidden_units(model), printed
