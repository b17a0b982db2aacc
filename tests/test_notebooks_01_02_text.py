"""What notebooks 01 and 02 say agrees with what they compute and with their checkers: training's
words are defined before 01's first fit, the optional Hessian section says it is optional, the
distances 01 quotes are the ones it prints, the tolerance 01 states is the checker's, and 02's
exercise 3 template, with the typical sign slip, meets the checker's cap message."""
import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

import nnlib
from nnlib.exercises import activations as ex02
from nnlib.exercises import neuron as ex01

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


def load(stem):
    return json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def stdout(cell):
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("name") == "stdout")


def test_01_defines_trainings_words_before_its_first_fit():
    cells = load("01-the-neuron")
    first_fit = next(i for i, c in enumerate(cells) if c["cell_type"] == "code" and "nnlib.fit(" in source(c))
    before = "".join(source(c) for c in cells[:first_fit] if c["cell_type"] == "markdown")
    for words in ("**epochs**", "**batches**", "**learning rate**", "**SGD**", "**gradient descent**",
                  r"w \leftarrow w - \mathrm{lr}\,\partial L/\partial w", "notebook 07"):
        assert words in before, words


def test_01s_hessian_section_is_optional_and_recalls_eigenvectors():
    text = "\n".join(source(c) for c in load("01-the-neuron"))
    (heading,) = re.findall(r"^## How large a step\?.*$", text, re.M)
    assert heading.endswith("(optional)")
    assert r"Hv = \lambda v" in text and "**eigenvector**" in text and "**eigenvalue**" in text


def test_01_quotes_the_distances_it_prints():
    """'needed 300 steps' once stood beside distances of 3e-5 after 50 steps: the text now quotes
    what the notebook measures."""
    cells = load("01-the-neuron")
    (printed,) = [stdout(c) for c in cells if "distance to least squares" in stdout(c)]
    distance = {int(n): float(d) for n, d in re.findall(r"after\s+(\d+) steps: distance to least squares (\S+)", printed)}
    text = "".join(source(c) for c in cells if c["cell_type"] == "markdown")
    for steps in (50, 100):
        mantissa, exponent = f"{distance[steps]:.0e}".split("e")
        assert rf"{mantissa} \times 10^{{{int(exponent)}}}$ after {steps}" in text, (steps, distance[steps])
    assert distance[200] < 1e-14 and distance[300] < 1e-14  # "rounding error from 200 steps on"
    assert "from 200 steps on" in text and "needed 300 steps" not in text


def test_01_exercise_1_states_the_checkers_tolerance():
    text = "".join(source(c) for c in load("01-the-neuron"))
    assert ex01.TOLERANCE == 1e-3 and "within 0.1 % of the exact one" in text
    exact = float(np.tanh(-0.5))
    assert rf"\pm {ex01.TOLERANCE * abs(exact):.2g}" in text


def exercise_3(cells):
    template = next(source(c) for c in cells if c["cell_type"] == "code" and "def steps_until_right" in source(c))
    words = next(source(c) for c in cells if "What saturation costs" in source(c))
    solution = next(source(c) for c in cells if "<details>" in source(c) and "steps_until_right" in source(c))
    return words, template, solution


def run(code, **names):
    namespace = {"nnlib": nnlib, "np": np, **names}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)
    return namespace, out.getvalue()


def test_02_exercise_3_calls_the_starting_weight_w_not_w0():
    cells = load("02-activation-functions")
    for text in exercise_3(cells):
        assert "w0" not in text and "w_0" not in text
    check_cell = next(c for c in cells if "check_saturation_steps(steps_from" in source(c) and c["cell_type"] == "code")
    assert "w0" not in stdout(check_cell)


def test_02_exercise_3_template_is_capped_and_a_sign_slip_gets_the_cap_message():
    words, template, _ = exercise_3(load("02-activation-functions"))
    assert f"range(1, {ex02.STEP_CAP + 1:_})" in template and "check the sign" in words
    slipped = template.replace("w = w  # replace with one update",
                               "w = w + (-2 * (1 - nnlib.sigmoid(w)) * nnlib.sigmoid_prime(w))  #")
    assert slipped != template
    namespace, _ = run(slipped, check_saturation_steps=ex02.check_saturation_steps)
    n2, n10 = namespace["steps_until_right"](-2.0), namespace["steps_until_right"](-10.0)
    assert n2 == n10 == ex02.STEP_CAP
    _, printed = run("check_saturation_steps(n2, n10)", check_saturation_steps=ex02.check_saturation_steps,
                     n2=n2, n10=n10)
    assert printed.startswith("not yet right") and "Check the sign" in printed


def test_02_exercise_3_solution_as_written_is_correct():
    _, _, solution = exercise_3(load("02-activation-functions"))
    (code,) = re.findall(r"```python\n(.*?)```", solution, re.S)
    # the block is the answer cell filled in; the check cell after it then says "correct"
    namespace, printed = run(code)
    assert printed == ""
    _, printed = run("check_saturation_steps(steps_from_minus_2, steps_from_minus_10)",
                     check_saturation_steps=ex02.check_saturation_steps,
                     steps_from_minus_2=namespace["steps_from_minus_2"],
                     steps_from_minus_10=namespace["steps_from_minus_10"])
    assert printed.startswith("correct")


def test_02_says_what_train_loss_0_is():
    cells = load("02-activation-functions")
    (cell,) = [c for c in cells if "history.train_loss[0]" in source(c) and c["cell_type"] == "code"]
    assert "mean loss in epoch 1 -> in epoch 100" in stdout(cell)
    text = "".join(source(c) for c in cells)
    assert "is not the loss before training" in text


@pytest.mark.parametrize("name, largest, quoted", [("linear", 11, r"$|\varphi| = 11$"), ("relu", 5, "ReLU 5")])
def test_02_explains_the_finite_difference_columns_by_the_size_of_phi(name, largest, quoted):
    """Linear and ReLU have no truncation error but larger finite-difference errors than the
    sigmoid: the text says rounding grows with |phi|, and quotes |phi|'s largest values."""
    points = np.linspace(-5, 5, 400)
    kwargs = {"a": 2.0, "b": 1.0} if name == "linear" else {}
    assert round(float(np.abs(getattr(nnlib, name)(points, **kwargs)).max())) == largest
    text = " ".join("".join(source(c) for c in load("02-activation-functions")).split())
    assert r"so it grows with $|\varphi|$" in text
    assert quoted in text
