"""Every checker of notebooks 03-06 never raises and never says "correct" to a wrong answer.

Each checker is fed, in every argument a student may type or change, the shared bad answers
(wrong types, NaN and inf, wrong shapes, text, symbols: ``tests/bad_answers.py``), and its own
off-by-one answers and indices. The right answer must still pass, so the property is not won by
a checker that refuses everything.
"""
import inspect

import numpy as np
import sympy as sp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnlib
from notebook06 import Softplus, big_setup
from nnlib.exercises import backprop, general, losses, structure
from tests.bad_answers import assert_never_lies, bad_answers, run_check

MODULES = (structure, losses, backprop, general)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the problems, as the notebooks pose them -------------------------------------------------
def notes_model():
    return nnlib.mlp([2, 3, 1], "sigmoid", rng=1, bias=False, output_activation="sigmoid")


X05, Y05 = np.array([2.0, -1.0]), 1.0


def grad05(i, j):
    model = notes_model()
    loss = nnlib.MSELoss(reduction="sum")
    model.zero_grad()
    loss.forward(model(X05[None, :]), np.array([[Y05]]))
    model.backward(loss.backward())
    return model[0].W.grad[i - 1, j - 1]


def delta05():
    model = notes_model()
    f = model(X05[None, :])[0, 0]
    return -2 * (Y05 - f) * f * (1 - f)


BIG = big_setup()
DELTA2 = general.deltas_of(*BIG)[0][1]




Z1, T1 = np.array([1.0, 3.0, -0.5]), 0
Z2, T2 = np.array([0.5, -1.0, 2.0]), 1
Z3, TARGET3 = np.array([2.0, 1.0, -0.5]), 0.9
CE1 = float(-nnlib.log_softmax(Z1)[T1])
GRAD2 = nnlib.softmax(Z2) - np.eye(3)[T2]
TEMP3 = 0.448125  # found by bisection; test_right_answers_pass checks that it passes

# checker -> (its right arguments, the names of the arguments a student may get wrong)
CASES = {
    "check_count": (dict(answer=54), ["answer"]),
    "check_tiny_output": (dict(answer=-1.25), ["answer"]),
    "check_budget": (dict(model=nnlib.mlp([2, 3, 4, 1], "relu", rng=0)), ["model"]),
    "check_cross_entropy": (dict(answer=CE1, z=Z1, true_class=T1), ["answer", "z", "true_class"]),
    "check_ce_gradient": (dict(answer=GRAD2, z=Z2, true_class=T2), ["answer", "z", "true_class"]),
    "check_temperature": (dict(answer=TEMP3, z=Z3, target=TARGET3), ["answer", "z", "target"]),
    "check_output_delta": (dict(model=notes_model(), x=X05, y=Y05, answer=delta05()),
                           ["model", "x", "y", "answer"]),
    "check_w1_gradient": (dict(model=notes_model(), x=X05, y=Y05, i=2, j=1, answer=grad05(2, 1)),
                          ["model", "x", "y", "i", "j", "answer"]),
    "check_shapes": (dict(sizes=[10, 32, 32, 5], batch_size=64, layer=1, delta_shape=(64, 32),
                          dW_shape=(32, 10)), ["layer", "delta_shape", "dW_shape"]),
    "check_hidden_delta": (dict(model=BIG[0], X=BIG[1], y=BIG[2], loss_fn=BIG[3], layer=2,
                                answer=DELTA2), ["layer", "answer"]),
    "check_fd_passes": (dict(sizes=[10, 32, 32, 5], answer=3146), ["answer"]),
    "check_layer_backward": (dict(layer=Softplus), ["layer"]),
    "check_softplus_backward": (dict(layer=Softplus), ["layer"]),
}
MODULE_OF = {name: module for module in MODULES for name in dir(module) if name in CASES}


def checker(name):
    return getattr(MODULE_OF[name], name)


def test_every_checker_of_03_to_06_is_covered():
    found = {name for module in MODULES for name, fn in vars(module).items()
             if name.startswith("check_") and inspect.isfunction(fn) and fn.__module__ == module.__name__}
    assert found == set(CASES), f"add the new checkers to CASES: {found ^ set(CASES)}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_right_answers_pass(name):
    """The property below is not won by refusing everything."""
    result, printed = run_check(checker(name), **CASES[name][0])
    assert result is True and printed.startswith("correct"), printed


@pytest.mark.parametrize("name", sorted(CASES))
@SETTINGS
@given(bad=bad_answers())
def test_bad_answers_in_every_argument(name, bad):
    right, arguments = CASES[name]
    for argument in arguments:
        assert_never_lies(checker(name), **{**right, argument: bad})


OFF_BY_ONE = {
    "check_count": [dict(answer=53), dict(answer=55), dict(answer=54.5)],
    "check_tiny_output": [dict(answer=-0.25), dict(answer=-2.25), dict(answer=[-1.25, 0.0])],
    "check_budget": [dict(model=nnlib.mlp([2, 3, 4, 2], "relu", rng=0)),
                     dict(model=nnlib.mlp([2, 3, 5, 1], "relu", rng=0)),
                     dict(model=nnlib.mlp([2, 4, 1], "relu", rng=0))],
    "check_cross_entropy": [dict(true_class=1), dict(true_class=3), dict(true_class=-1)],
    "check_ce_gradient": [dict(true_class=0), dict(true_class=2), dict(true_class=3),
                          dict(answer=GRAD2[:2]), dict(answer=np.r_[GRAD2, 0.0])],
    "check_temperature": [dict(answer=TEMP3 + 0.01), dict(answer=-TEMP3), dict(answer=0.0)],
    "check_output_delta": [dict(answer=delta05() * 1.01)],
    "check_w1_gradient": [dict(i=i, j=j) for i in (0, 1, 3, 4, -1) for j in (0, 1, 2, 3)
                          if (i, j) != (2, 1)] + [dict(i=1, j=1), dict(i=2.0)],
    "check_shapes": [dict(layer=0), dict(layer=2), dict(layer=4), dict(delta_shape=(64, 33)),
                     dict(dW_shape=(32, 11))],
    "check_hidden_delta": [dict(layer=1), dict(layer=3), dict(layer=0),
                           dict(answer=DELTA2[:-1]), dict(answer=DELTA2.T)],
    "check_fd_passes": [dict(answer=3145), dict(answer=3147)],
    "check_layer_backward": [],  # its wrong layers have their own tests (test_exercises_general)
    # right backward, wrong layer: the exercise asks for Softplus
    "check_softplus_backward": [dict(layer=nnlib.ReLU), dict(layer=nnlib.Sigmoid()), dict(layer=nnlib.Tanh)],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_off_by_one_answers_and_indices(name):
    right, _ = CASES[name]
    for change in OFF_BY_ONE[name]:
        assert_never_lies(checker(name), **{**right, **change})


@pytest.mark.parametrize("shape", [(1, 2), (2, 1)])
def test_05_takes_the_sample_as_the_notebook_writes_it(shape):
    """x_n (2,), X_n (1, 2) and the notes' column (2, 1) are the same sample; Y_n (1, 1) is y_n."""
    right, _ = CASES["check_w1_gradient"]
    result, printed = run_check(backprop.check_w1_gradient,
                                **{**right, "x": X05.reshape(shape), "y": np.array([[Y05]])})
    assert result is True, printed
    result, printed = run_check(backprop.check_output_delta, notes_model(), X05.reshape(shape),
                                np.array([[Y05]]), delta05())
    assert result is True, printed


# -- an array answer with one NaN or inf entry: the sentence names the entry -----------------
ARRAY_ARGUMENTS = [(name, argument) for name, (right, arguments) in sorted(CASES.items())
                   for argument in arguments
                   if isinstance(right[argument], np.ndarray) and right[argument].size > 1]


def test_the_array_arguments_are_found():
    """The property below covers every argument of CASES that is an array: 04's answers and
    logits, 05's sample, 06's delta (and any array checker added later, through CASES)."""
    assert {("check_ce_gradient", "answer"), ("check_ce_gradient", "z"), ("check_hidden_delta", "answer"),
            ("check_w1_gradient", "x")} <= set(ARRAY_ARGUMENTS)


@pytest.mark.parametrize("name, argument", ARRAY_ARGUMENTS)
@SETTINGS
@given(where=st.integers(0, 10**6), bad=st.sampled_from([np.nan, np.inf, -np.inf]),
       as_list=st.booleans())
def test_a_nan_entry_of_an_array_answer_is_named(name, argument, where, bad, as_list):
    """Bug: check_ce_gradient([0.1753, -0.9609, nan]) said "should be an array of 3 numbers, got
    a numpy array of shape (3,)", and 06's check_hidden_delta "array of finite numbers of shape
    (20, 32), got ... shape (20, 32)": an answer of the right shape, refused with no reason."""
    right, _ = CASES[name]
    answer = np.array(right[argument], dtype=float)
    index = np.unravel_index(where % answer.size, answer.shape)
    answer[index] = bad
    result, printed = assert_never_lies(checker(name), **{**right, argument: answer.tolist() if as_list else answer})
    entry = "[" + ", ".join(str(int(i)) for i in index) + "]"
    assert result is False and f"entry {entry} is {bad}" in printed, printed


@SETTINGS
@given(where=st.integers(0, 11), bad=st.sampled_from([np.nan, np.inf]))
def test_a_layer_whose_backward_has_a_nan_entry_is_told_which(where, bad):
    """06 exercise 4's dx is an array answer too."""
    index = np.unravel_index(where, (4, 3))

    class Broken(Softplus):
        def backward(self, dout):
            dx = super().backward(dout)
            dx[index] = bad
            return dx

    result, printed = assert_never_lies(general.check_layer_backward, Broken)
    entry = "[" + ", ".join(str(int(i)) for i in index) + "]"
    assert f"entry {entry} is {bad}" in printed and "Broken.backward should return" in printed, printed


@pytest.mark.parametrize("answer, why", [
    ([[1.0], [2.0, 3.0]], "rows have different lengths: 1, 2"),
    ([1.0, "a"], "text (such as 'a')"),
    ([1 + 2j, 0.0, 1.0], "complex numbers (entry [0] is (1+2j))"),
    ([sp.Symbol("x"), 0.0, 1.0], "entry [0] is the symbolic expression x"),
    ([0.1, sp.nan, 0.2], "entry [1] is nan"),
    ([None, 1.0, 2.0], "entry [0] is None"),
    ([True, False, True], "booleans"),
    ([0.1, 0.2], "yours has shape (2,)"),
])
def test_an_array_answer_is_refused_with_its_reason(answer, why):
    result, printed = run_check(losses.check_ce_gradient, answer, Z2, T2)
    assert result is False and why in printed, printed
