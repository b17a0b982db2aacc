"""Notebook 10's checkers: right answers (computed here from their definitions, not read from the
checkers) are accepted in any number type; the usual slips get their hint; bad answers
(``tests/bad_answers.py``), every other number and every wrong backward are never called correct."""
import fractions

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnlib
from bad_answers import assert_never_lies, checker_tests, run_check
from nnlib.exercises.cnn import (check_conv_parameters, check_global_avg_pool, check_receptive_field,
                                 receptive_field)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The notebook's exercises and their answers, worked out by hand.
CONV = (16, 32, 3)
CONV_COUNT = 32 * 16 * 3 * 3 + 32
LAYERS = [(3, 1), (2, 2), (3, 1)]
FIELD = 8                                   # 3, then 3 + 1 = 4, then 4 + 2 * 2 = 8

CALLS = [
    lambda bad: (check_conv_parameters, *CONV, bad),
    lambda bad: (check_receptive_field, LAYERS, bad),
    lambda bad: (check_global_avg_pool, bad),
    # bad problem arguments (with a right answer) are explained, never called correct
    lambda bad: (check_conv_parameters, bad, 32, 3, CONV_COUNT),
    lambda bad: (check_conv_parameters, 16, 32, bad, CONV_COUNT),
    lambda bad: (check_receptive_field, bad, FIELD),
    lambda bad: (check_receptive_field, [(3, 1), bad], FIELD),
]


RIGHT = [(check_conv_parameters, CONV, CONV_COUNT), (check_receptive_field, (LAYERS,), FIELD)]
(test_bad_answers_are_never_correct, test_right_answers_of_any_number_type_are_correct,
 test_none_is_not_done_yet) = checker_tests(
    CALLS, RIGHT, [(c, a) for c, a, _ in RIGHT] + [(check_global_avg_pool, ())], SETTINGS, kinds=[int, float, np.int64, np.float32, np.array, lambda v: fractions.Fraction(v)])


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_other_number_is_wrong(value):
    for check, args, right in ((check_conv_parameters, CONV, CONV_COUNT), (check_receptive_field, (LAYERS,), FIELD)):
        if value != right:
            assert_never_lies(check, *args, value)


@SETTINGS
@given(st.integers(1, 20), st.integers(1, 20), st.integers(1, 7))
def test_conv_count_is_the_layers_own_count(cin, cout, k):
    expected = nnlib.Conv2d(cin, cout, k).num_parameters()
    assert expected == cout * cin * k * k + cout
    result, printed = run_check(check_conv_parameters, cin, cout, k, expected)
    assert result is True, printed
    assert_never_lies(check_conv_parameters, cin, cout, k, expected + 1)


def test_a_huge_layer_is_counted_without_building_it():
    result, printed = run_check(check_conv_parameters, 10**5, 10**5, 9, 10**10 * 81 + 10**5)
    assert result is True, printed


@pytest.mark.parametrize("answer, words", [(32 * 16 * 9, "not the 32 biases"), (32 * 9 + 32, "EACH of the 16"),
                                           (32 * 16 * 9 + 16, "per OUTPUT channel"), (32 * 16 * 3 + 32, "9 weights"),
                                           (4640.5, "whole number")])
def test_conv_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_conv_parameters, *CONV, answer)
    assert result is False and words in printed


@pytest.mark.parametrize("answer, words", [(6, "2 pixels apart"), (18, "do not multiply"), (64, "SIDE"),
                                           (FIELD - 1, "one pixel short")])
def test_receptive_field_slips_get_their_hint(answer, words):
    result, printed = assert_never_lies(check_receptive_field, LAYERS, answer)
    assert result is False and words in printed


def field_by_backprop(layers, size=40):
    """The side of the input window one output depends on, measured: all-positive weights and
    average pooling (so nothing cancels), the input gradient of one central output, and the span
    of its nonzero pixels."""
    model_layers = []
    for kernel, stride in layers:
        if stride == 1:
            conv = nnlib.Conv2d(1, 1, kernel, stride=1)
            conv.W.data[:] = 1.0
            model_layers.append(conv)
        else:
            model_layers.append(nnlib.AvgPool2d(kernel, stride))
    model = nnlib.Sequential(*model_layers)
    out = model.forward(np.ones((1, 1, size, size)))
    dout = np.zeros_like(out)
    dout[0, 0, out.shape[2] // 2, out.shape[3] // 2] = 1.0
    rows = np.flatnonzero(np.abs(model.backward(dout)[0, 0]).sum(axis=1) > 0)
    return int(rows[-1] - rows[0] + 1)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.tuples(st.integers(1, 5), st.just(1)), st.tuples(st.integers(2, 3), st.just(2))),
                min_size=1, max_size=4))
def test_the_formula_is_what_backprop_measures(layers):
    assert receptive_field(layers) == field_by_backprop(layers)


def test_the_notebooks_field_is_measured_on_its_own_layers():
    assert field_by_backprop(LAYERS) == FIELD == receptive_field(LAYERS)


def pixels_seen_by_padded_second_conv(size=8):
    """How many pixels of a size x size image each output of the notebook's second convolution
    (before its pooling) depends on, with the notebook's padding: the stack Conv2d(3, padding=1),
    2x2 pooling, Conv2d(3, padding=1), all-positive weights and average pooling (so nothing cancels,
    and the pooling's windows are max pooling's), the input gradient of one output at a time.
    Returns (H', W') counts."""
    conv1, conv2 = nnlib.Conv2d(1, 1, 3, padding=1), nnlib.Conv2d(1, 1, 3, padding=1)
    conv1.W.data[:] = conv2.W.data[:] = 1.0
    model = nnlib.Sequential(conv1, nnlib.AvgPool2d(2, 2), conv2)
    out = model.forward(np.ones((1, 1, size, size)))
    counts = np.zeros(out.shape[2:], dtype=int)
    for i, j in np.ndindex(*counts.shape):
        dout = np.zeros_like(out)
        dout[0, 0, i, j] = 1.0
        counts[i, j] = np.count_nonzero(model.backward(dout))
    return counts


def test_the_solution_says_how_many_pixels_the_padded_units_see():
    """Exercise 2's solution: the window is 8 wide, but with padding 1 it is not centred on the
    8x8 image, so no unit sees all 64 pixels; the counts in the text are the measured ones."""
    import json
    from pathlib import Path

    counts = pixels_seen_by_padded_second_conv()
    corner, edge, inner = counts[0, 0], counts[0, 1], counts[1, 1]
    assert counts.max() < 64 and counts[2, 2] == inner and counts[3, 3] == corner
    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "10-cnn.ipynb").read_text())
    solution = next("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"
                    and "my_side = 8" in "".join(c["source"]))
    side = lambda n: int(round(np.sqrt(n)))  # noqa: E731
    for n in (corner, inner):
        assert f"{side(n)}×{side(n)} = {n}" in solution, (n, solution)
    assert f"{edge}" in solution and "whole 8×8" not in solution


# -- exercise 3: students' GlobalAvgPool classes, right and wrong -------------------------------
class _Pool(nnlib.Layer):
    input_ndim = 4

    def forward(self, x):
        self.x_shape = x.shape
        return x.mean(axis=(2, 3))


class RightPool(_Pool):
    def backward(self, dout):
        N, C, H, W = self.x_shape
        return np.broadcast_to(dout[:, :, None, None] / (H * W), self.x_shape).copy()


class NotDivided(_Pool):
    def backward(self, dout):
        return np.broadcast_to(dout[:, :, None, None], self.x_shape).copy()


class Zeros(_Pool):
    def backward(self, dout):
        return np.zeros(self.x_shape)


class OnePixel(_Pool):
    def backward(self, dout):
        dx = np.zeros(self.x_shape)
        dx[:, :, 0, 0] = dout
        return dx


class DividedByH(_Pool):
    def backward(self, dout):
        return np.broadcast_to(dout[:, :, None, None] / self.x_shape[2], self.x_shape).copy()


class WrongShape(_Pool):
    def backward(self, dout):
        return dout


class Raises(_Pool):
    def backward(self, dout):
        raise RuntimeError("oops")


class SumPool(nnlib.Layer):  # forward and backward agree, but it is not the mean
    input_ndim = 4

    def forward(self, x):
        self.x_shape = x.shape
        return x.sum(axis=(2, 3))

    def backward(self, dout):
        return np.broadcast_to(dout[:, :, None, None], self.x_shape).copy()


class NeedsArgs(RightPool):
    def __init__(self, size):
        super().__init__()


class Stale(_Pool):  # right for the first shape it saw, wrong for the next
    def backward(self, dout):
        return np.broadcast_to(dout[:, :, None, None] / 20, self.x_shape).copy()


class ListPool(_Pool):  # the right numbers, but a list: the layer below would do list arithmetic
    def backward(self, dout):
        N, C, H, W = self.x_shape
        return np.broadcast_to(dout[:, :, None, None] / (H * W), self.x_shape).tolist()


class NanPool(_Pool):
    def backward(self, dout):
        return np.full(self.x_shape, np.nan)


def test_the_solution_passes_as_class_and_instance():
    for layer in (RightPool, RightPool()):
        result, printed = run_check(check_global_avg_pool, layer)
        assert result is True and "check_gradients agrees" in printed, printed


@pytest.mark.parametrize("layer, words", [
    (NotDivided, "divides by H * W"), (Zeros, "check_gradients disagrees"), (OnePixel, "check_gradients disagrees"),
    (DividedByH, "check_gradients disagrees"), (WrongShape, "input's shape"), (Raises, "backward raised"),
    (SumPool, "right shape, (2, 3), but not each channel's mean"), (ListPool, "numpy array of the input's shape"), (NeedsArgs, "raised TypeError"), (Stale, "check_gradients disagrees"),
    (NanPool, "finite"), (nnlib.Dense, "raised TypeError"), (int, "subclass of nnlib.Layer"),
    (nnlib.Flatten(), "forward should return")])
def test_wrong_layers_are_never_correct(layer, words):
    result, printed = assert_never_lies(check_global_avg_pool, layer)
    assert result is False and words in printed, printed


@pytest.mark.parametrize("layer", [RightPool, DividedByH, OnePixel])
def test_gradient_messages_name_the_test_networks_layers_in_words(layer):
    """check_gradients' keys ("0.W", "2.b", "input") are not what the student sees."""
    import re

    _, printed = run_check(check_global_avg_pool, layer)
    assert not re.search(r"\b\d\.[Wb]\b", printed) and printed.count("input") == printed.count("the input images"), printed
    assert "of the Conv2d" in printed or "of the Dense" in printed or "input images" in printed, printed


def test_the_notebooks_solutions_as_written_are_correct():
    """Each ```python block of notebook 10's solutions is the answer cell filled in: run as the
    student would paste it (after the notebook's imports), it makes its check cell print "correct"."""
    import contextlib
    import io
    import json
    import re
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "10-cnn.ipynb").read_text())
    blocks = [block for cell in nb["cells"] if cell["cell_type"] == "markdown"
              for block in re.findall(r"```python\n(.*?)```", "".join(cell["source"]), re.S)]
    checks = ["".join(cell["source"]) for cell in nb["cells"]
              if cell["metadata"].get("nbgrader", {}).get("grade")]
    assert len(blocks) == len(checks) == 3
    namespace = {"np": np, "nnlib": nnlib}
    for block, check in zip(blocks, checks):
        exec(block, namespace)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(check, namespace)
        assert out.getvalue().startswith("correct"), (block, check, out.getvalue())
