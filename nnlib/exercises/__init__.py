"""Checks for the notebooks' exercises: the shared helpers and notebook 00's checks here,
one module per later notebook (``nnlib.exercises.neuron`` for 01, and so on).

Each ``check_*`` prints one line that starts with "not done yet", "correct" or "not yet right"
and, when wrong, says *what* is wrong; it returns True, False, or None (not done yet) so tests
can call it too. An unfinished exercise (an answer still ``None``) never raises, so a notebook
always runs top to bottom.

In a graded assignment (``graded_assignment()``, the first cell of every nbgrader release) the
checks say only "correct" or "not yet right": a hint such as "the output is -0.462117, you have
-0.46" would hand a student the answer to copy. A self-learner's notebook keeps its hints.
"""
import copy
import numbers
import os

import numpy as np

from ..activations import LinearActivation, Tanh
from ..core import Layer
from ..datasets import xor
from ..layers import Dense
from ..network import Sequential
from ..train import History


# Graded mode lives in the environment, not in a module global: the autograder reloads this
# package before each check (so that an answer cell cannot patch a check), and a reload would
# reset a global. A student can still switch it off in their own kernel; that only brings the
# hints back, it changes no grade.
GRADED_ENV = "NNLIB_GRADED_ASSIGNMENT"
GRADED_CORRECT = "correct: this exercise's check passes"
GRADED_WRONG = "not yet right: (a graded assignment's check gives no hints)"


def graded_assignment(on=True):
    """Switch this kernel's checks to graded mode (``on=False`` switches back): every check then
    prints one fixed line, GRADED_CORRECT or GRADED_WRONG, never a value or a hint. "not done
    yet" lines stay as they are: they say only what to fill in."""
    if on:
        os.environ[GRADED_ENV] = "1"
        print("A graded assignment: its checks say only \"correct\" or \"not yet right\" "
              "(no hints, no values).")
    else:
        os.environ.pop(GRADED_ENV, None)


def graded():
    return os.environ.get(GRADED_ENV) == "1"


def report(ok, message):
    if graded():
        print(GRADED_CORRECT if ok else GRADED_WRONG)
    else:
        print(("correct: " if ok else "not yet right: ") + message)
    return ok


def not_done(what):
    print(f"not done yet: {what}")
    return None


def _real(value):
    """A Python float from one number of any kind a student may type: int, float, a numpy
    scalar, a ``fractions.Fraction``, or a SymPy number (``sp.Rational(3, 16)``, ``sp.Float``,
    ``sp.sqrt(2)/4``); None for text, booleans, symbols, complex numbers and anything else."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        return None
    if isinstance(value, numbers.Real):  # int, float, numpy scalars, Fraction, SymPy Float/Rational
        try:
            return float(value)
        except (TypeError, ValueError, OverflowError):
            return None
    if getattr(value, "is_number", False) and getattr(value, "is_real", False):  # SymPy: sp.sqrt(2)/4
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return None


def as_array(answer):
    """A finite float array from a number, a list or an array of numbers (numbers of any kind
    ``_real`` takes); None for text, booleans, symbols, ragged lists, NaN or inf.

    This is the one path every checker parses its answers through, so they all accept and refuse
    the same things."""
    if answer is None or isinstance(answer, (str, bytes, bool, np.bool_, dict, set)):
        return None
    try:
        arr = np.asarray(answer)
    except (ValueError, TypeError):  # ragged lists
        return None
    if arr.dtype.kind in "iuf":
        arr = arr.astype(float)
    elif arr.dtype.kind == "O" and arr.size:  # SymPy numbers, Fractions, mixed lists
        values = [_real(v) for v in arr.reshape(-1)]
        if any(v is None for v in values):
            return None
        arr = np.array(values, dtype=float).reshape(arr.shape)
    else:  # booleans, complex numbers, strings inside a list, empty object arrays
        return None
    return arr if np.isfinite(arr).all() else None


def as_number(answer):
    """A finite float from one number (int, float, numpy scalar, 0-d or one-element array,
    ``Fraction``, SymPy number; ``model(x)`` gives (1, 1) arrays); None for anything else."""
    arr = as_array(answer)
    return None if arr is None or arr.size != 1 else float(arr.item())


def describe(answer):
    """How an answer that is not what a checker wanted looks, for its message: the type and a
    short repr (an array shows its shape instead of all its numbers)."""
    if isinstance(answer, np.ndarray):
        return f"a numpy array of shape {answer.shape} and dtype {answer.dtype}"
    text = repr(answer)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(answer).__name__} {text}"


def not_a_number(answer, what):
    """The message for an answer that is not one finite number."""
    arr = None
    try:
        raw = np.asarray(answer)
        if raw.dtype.kind in "biuf":
            arr = raw.astype(float)
    except (TypeError, ValueError):  # ragged lists
        pass
    if arr is not None and arr.size and not np.isfinite(arr).all():
        return report(False, f"{what} should be a finite number, got {describe(answer)}")
    if arr is not None and arr.size > 1:
        return report(False, f"{what} should be one number, got {arr.size} numbers "
                             f"({describe(answer)})")
    return report(False, f"{what} should be a number, got {describe(answer)}")


def _entry(index):
    """An array index as a student types it: [2] or [1, 3] (counting from 0, as numpy does)."""
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _entry_kind(value):
    """What one entry of an object array is, when it is not a finite real number: "text 'a'",
    "nan", "the complex number I", ..."""
    if isinstance(value, (str, bytes)):
        return f"text {value!r}"
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {value}"
    if value is None:
        return "None"
    if isinstance(value, (complex, np.complexfloating)):
        return f"the complex number {value}"
    if np.ndim(value) or isinstance(value, (list, tuple)):
        return f"a sequence ({describe(value)}), not one number"
    if getattr(value, "free_symbols", None):  # SymPy: x, 2*x
        return f"the symbolic expression {value}, not a number"
    try:
        real = float(value)  # inf, nan, sp.nan, sp.oo
    except (TypeError, ValueError, OverflowError):
        if getattr(value, "is_number", False):  # SymPy's I, 1 + 2*I
            return f"the complex number {value}"
        return describe(value)
    return str(real) if not np.isfinite(real) else describe(value)


def why_not_array(answer, shape=None):
    """Why ``as_array`` refuses ``answer``, or why it is not of ``shape``, as the end of a
    sentence ("entry [1, 3] is nan", "its rows have different lengths: 2, 3"); None when it is
    an array of finite numbers (of ``shape``, when one is given).

    Entries are named as numpy indexes them, from 0, so a student can look at ``answer[1, 3]``."""
    if answer is None:
        return "it is None"
    if isinstance(answer, (str, bytes)):
        return f"it is text ({describe(answer)}), not numbers"
    if isinstance(answer, (bool, np.bool_)):
        return f"it is the boolean {answer}, not numbers"
    if isinstance(answer, (dict, set)):
        return f"it is a {type(answer).__name__} ({describe(answer)}); use a list or a numpy array"
    try:
        raw = np.asarray(answer)
    except (ValueError, TypeError):  # numpy 2 refuses ragged lists
        lengths = [len(row) if hasattr(row, "__len__") else 1 for row in answer] \
            if isinstance(answer, (list, tuple)) else None
        rows = f": {', '.join(map(str, lengths))}" if lengths else ""
        return f"its rows have different lengths{rows} (a ragged list is not an array)"
    kind = raw.dtype.kind
    if kind in "US":  # every entry is text once one is: numpy makes the whole array strings
        def is_text(entry):
            try:
                float(entry)
                return False
            except ValueError:
                return True
        flat = [str(v) for v in raw.reshape(-1)]
        text = next((v for v in flat if is_text(v)), flat[0] if flat else "")
        return f"it holds text (such as {text!r}), not numbers"
    if kind == "b":
        return "it holds booleans (True/False), not numbers"
    if kind == "c":
        bad = np.argwhere(np.imag(raw) != 0)
        where = f" (entry {_entry(bad[0])} is {raw[tuple(bad[0])]})" if raw.ndim and bad.size else ""
        return f"it holds complex numbers{where}; the answer is real"
    if kind == "O":
        flat = raw.reshape(-1)
        for n, value in enumerate(flat):
            if _real(value) is None or not np.isfinite(_real(value)):
                k = np.unravel_index(n, raw.shape)
                return f"entry {_entry(k)} is {_entry_kind(value)}" if raw.ndim else \
                    f"it is {_entry_kind(value)}"
        if not flat.size:
            return "it is empty"
        arr = np.array([_real(v) for v in flat], dtype=float).reshape(raw.shape)
    elif kind in "iuf":
        arr = raw.astype(float)
    else:
        return f"it is {describe(answer)}, not numbers"
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))
        if not arr.ndim:
            return f"it is {float(arr)}"
        first = tuple(bad[0])
        more = (f" (and {len(bad) - 1} more entr{'ies are' if len(bad) > 2 else 'y is'} NaN or inf)"
                if len(bad) > 1 else "")
        return f"entry {_entry(first)} is {arr[first]}{more}"
    if shape is not None and arr.shape != tuple(shape):
        return f"it has shape {arr.shape}, not {tuple(shape)}"
    return None


def not_an_array(answer, what, shape=None, should="should be"):
    """The message for an array answer that is not finite numbers (of ``shape``), with the
    reason from ``why_not_array`` (which entry is NaN or inf, text inside, ragged, complex,
    shape): "{what} {should} an array of finite numbers of shape (3,), but entry [2] is nan"."""
    of = f" of shape {tuple(shape)}" if shape is not None else ""
    why = why_not_array(answer, shape) or f"got {describe(answer)}"
    return report(False, f"{what} {should} an array of finite numbers{of}, but {why}")


def check_number(answer, expected, what, rtol=1e-6, atol=1e-9):
    """Compare a numeric answer with the expected value; say by how much it is off."""
    if answer is None:
        return not_done(f"replace None with your value of {what}")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, what)
    if np.isclose(value, expected, rtol=rtol, atol=atol):
        return report(True, f"{what} = {expected:g}")
    return report(False, f"{what} is {expected:g}, you have {value:g} (off by {value - expected:+g})")


def check_parameter_count(model, answer):
    """The number of numbers a model learns: W has out*in, b has out, for every Dense layer."""
    if not isinstance(model, Layer):
        return report(False, f"the first argument should be the nnlib model whose parameters "
                             f"you counted, got {describe(model)}")
    if answer is None:
        return not_done("replace None with your count of the model's parameters")
    expected = model.num_parameters()
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the number of parameters")
    if not value.is_integer():
        return report(False, f"a count of parameters is a whole number, you have {value:g}")
    if value != expected:
        biases = sum(p.data.size for name, p in model.named_parameters() if name.endswith("b"))
        if biases and value == expected - biases:
            return report(False, f"you counted the weights but not the {biases} biases")
    return check_number(value, expected, "the number of parameters")


# What notebook 00's exercise 2 trains with, for the checker's diagnosis of a wrong model.
XOR_LR, XOR_BATCH, XOR_MORE_EPOCHS = 0.5, 4, 5000


def _hidden_layer_problem(model, hidden_units):
    """What keeps ``model`` from being Dense(2, h), Tanh(), Dense(h, 2) with h = hidden_units;
    None when it has that shape (wrong input or output sizes are caught by running it)."""
    wanted = (f"one hidden layer of {hidden_units} units: Sequential(Dense(2, {hidden_units}), "
              f"Tanh(), Dense({hidden_units}, 2))")
    layers = list(model) if isinstance(model, Sequential) else [model]
    hidden = [layer.W.data.shape[0] for layer in layers if isinstance(layer, Dense)][:-1]  # W: (out, in)
    if hidden != [hidden_units]:
        have = ("no hidden layer" if not hidden else f"a hidden layer of {hidden[0]} units"
                if len(hidden) == 1 else f"{len(hidden)} hidden layers, of {hidden} units")
        return f"the exercise asks for {wanted}; your model has {have}"
    if [type(layer) for layer in layers] != [Dense, Tanh, Dense]:
        names = ", ".join(type(layer).__name__ for layer in layers)
        return f"the exercise asks for {wanted}; your model's layers are {names}"
    return None


def _is_linear(model):
    """True for a model of Dense layers and linear activations only: a straight-line classifier."""
    layers = list(model) if isinstance(model, Sequential) else [model]
    return all(isinstance(layer, (Dense, LinearActivation)) for layer in layers)


def _more_training_solves(model, X, y):
    """Does training a copy of ``model`` for XOR_MORE_EPOCHS more epochs, with the exercise's
    SGD, classify all four points? None when the copy cannot be trained."""
    from ..losses import CrossEntropyLoss
    from ..optim import SGD
    from ..train import fit

    try:
        trial = copy.deepcopy(model)  # the student's model stays as it was
        fit(trial, CrossEntropyLoss(), SGD(trial.parameters(), lr=XOR_LR), X, y,
            epochs=XOR_MORE_EPOCHS, batch_size=XOR_BATCH, rng=0)
        return bool(np.all(trial(X).argmax(axis=1) == y))
    except Exception:  # an unusual model: the checker then gives both remedies
        return None


LN2 = float(np.log(2.0))  # the cross-entropy of a point given probability 1/2 for each class


def _where_the_loss_sits(scores, y):
    """A note on the model's loss (cross-entropy, mean over the 4 points) when it sits at one of
    the two places a 2-2-2 XOR run stalls; "" elsewhere. scores: (4, 2), y: (4,).

    Every point at probability about 1/2 for its class (loss ln 2): the start's plateau, where
    the gradient is small but not zero and more epochs escape. Two points right with probability
    near 1 and two at about 1/2 (loss near ln 2 / 2): a local minimum, which more epochs do not
    leave."""
    from ..losses import CrossEntropyLoss, softmax

    loss = float(CrossEntropyLoss()(scores, y))
    p = softmax(scores)[np.arange(4), y]  # each point's probability for its true class
    halves = np.abs(p - 0.5) < 0.1
    if halves.all():
        return (f" (its loss is {loss:.4f}, about ln 2 = {LN2:.4f}: every point still gets "
                "probability about 1/2: the plateau that training starts on)")
    if halves.sum() == 2 and (p[~halves] > 0.9).all():
        return (f" (its loss is {loss:.4f}, near ln 2 / 2 = {LN2 / 2:.4f}: two points right with "
                "probability near 1, two at about 1/2)")
    return ""


def check_solves_xor(model, hidden_units=None):
    """Does ``model`` (2 inputs, 2 class scores) classify all four XOR points correctly?

    ``hidden_units``: when given, the model must also be the network the exercise asks for,
    Dense(2, hidden_units), Tanh(), Dense(hidden_units, 2). A model that misclassifies is
    diagnosed by training a copy of it further: if that fixes it, the advice is to train
    longer; if not, the run sits in a local minimum, and the advice is another seed.
    """
    if model is None:
        return not_done("build and train a model, then pass it here")
    if isinstance(model, History):  # small_model = nnlib.fit(...): fit trains the model in place
        return report(False, "that is the History that nnlib.fit returns; fit trains the model you "
                             "give it in place, so pass that model")
    if not isinstance(model, Layer):
        return report(False, f"expected an nnlib model (a Sequential of layers), got {describe(model)}")
    if hidden_units is not None:
        problem = _hidden_layer_problem(model, hidden_units)
        if problem:
            return report(False, problem)
    X, y = xor()
    try:
        scores = np.asarray(model(X))
    except Exception as exc:  # a model with 3 inputs, say: explain instead of a traceback
        return report(False, f"the model cannot take the 4 XOR points (shape (4, 2)): {exc}")
    if scores.shape != (4, 2):
        return report(False, f"the model should output 2 class scores per point, got shape {scores.shape[1:]}")
    if not np.isfinite(scores).all():
        return report(False, "the model's scores are NaN or infinite: training diverged; build it "
                             "again and train with a smaller learning rate")
    pred = scores.argmax(axis=1)
    wrong = [tuple(int(v) for v in X[i]) for i in np.flatnonzero(pred != y)]
    if not wrong:
        return report(True, "all four XOR points classified correctly")
    missed = f"{len(wrong)} of 4 points misclassified: {wrong}"
    if _is_linear(model):
        return report(False, f"{missed}; without an activation between its Dense layers the model "
                             "is linear, and no straight line separates XOR (notebook 03)")
    more = (f"a copy of your model trained for {XOR_MORE_EPOCHS} more epochs (SGD, lr {XOR_LR}, "
            f"batches of {XOR_BATCH})")
    solved_later = _more_training_solves(model, X, y)
    where = _where_the_loss_sits(scores, y)
    if solved_later:
        return report(False, f"{missed}; {more} gets all four right: train longer{where}")
    if solved_later is None:
        return report(False, f"{missed}; train longer, or build the model again from another seed{where}")
    if hidden_units is not None:  # the shape the exercise asks for, which can learn XOR
        return report(False, f"{missed}; {more} still misses some: this run is stuck in a local minimum. "
                             f"Build the model again from another seed (rng=...) and train it again{where}")
    return report(False, f"{missed}; {more} still misses some: the run is stuck in a local minimum, or "
                         "the model is too small for XOR. Build it again from another seed (rng=...), "
                         "or give it more hidden units")
