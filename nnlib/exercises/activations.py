"""Checks for notebook 02 (activation functions).

Each ``check_*`` prints one line ("not done yet", "correct: ...", "not yet right: ...") and
returns None, True or False. SymPy is imported only by the check that needs it. Numeric answers
may be any kind of number the shared parser takes (``as_number``: int, float, numpy scalar or
one-element array, ``Fraction``, SymPy number such as ``sp.Rational(3, 16)`` or what ``sp.nsolve``
returns); the tolerances are the ones the notebook states.
"""
import math

import numpy as np

from ..activations import sigmoid, sigmoid_prime
from . import as_number, check_number, describe, not_a_number, not_done, report

# sigma'(x) = sigma (1 - sigma) = 0.01  <=>  sigma = (1 + sqrt(0.96)) / 2  <=>  x = ln(49 + 20 sqrt 6)
SIGMOID_PRIME_THRESHOLD = float(np.log(49.0 + 20.0 * np.sqrt(6.0)))
SIGMOID_ROOTS = ((1.0 + np.sqrt(0.96)) / 2, (1.0 - np.sqrt(0.96)) / 2)  # sigma where sigma' = 0.01
SIGMOID_099 = float(np.log(99.0))  # where sigma(x) itself reaches 0.99: a tempting wrong answer

LN3_RTOL = 1e-3  # exercise 1 (b): within 0.1 % of 3/16, so 0.1875 and 0.18750 pass, 0.188 does not
THRESHOLD_ATOL = 1e-3  # exercise 2: within 0.001 of ln(49 + 20 sqrt 6), so 4.585 passes


# -- exercise 1 -----------------------------------------------------------------------------
def check_linear_derivative(answer):
    """``answer``: a SymPy expression for d/dx (a x + b), in the symbols a, b, x."""
    if answer is None:
        return not_done("replace None with a SymPy expression for d/dx (a x + b)")
    import sympy as sp

    from .. import symbolic as S

    if isinstance(answer, (str, bytes)):
        return report(False, f"{answer!r} is a string, not a SymPy expression: write it without quotes, "
                             "built from S.a, S.b, S.x (or let sp.diff compute it)")
    try:
        # strict: numbers and SymPy objects only, so that no string or odd object is parsed
        expr = sp.sympify(answer, strict=True)
    except (sp.SympifyError, TypeError, ValueError):
        expr = None
    if isinstance(expr, sp.Equality):  # sp.Eq(sp.Derivative(...), ...) as the notebook displays it
        return report(False, "that is an equation (sp.Eq); pass the derivative itself, e.g. its "
                             "right-hand side .rhs")
    if not isinstance(expr, sp.Expr) or getattr(expr, "is_Matrix", False):
        return report(False, f"expected a SymPy expression (e.g. built from S.a, S.b, S.x), "
                             f"got {describe(answer)}")
    if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return report(False, f"you have {expr}, which is not a finite expression; the derivative of "
                             "a x + b is finite everywhere")
    # Symbols the student made with sp.Symbol("a") (without real=True) are the course's a, b, x.
    ours = {"a": S.a, "b": S.b, "x": S.x}
    expr = expr.subs({s: ours[s.name] for s in expr.free_symbols if s.name in ours})
    a, b, x = S.a, S.b, S.x
    expr = expr.doit()  # an unevaluated sp.Derivative(a x + b, x) is a too

    def equals(other):
        try:
            return sp.simplify(expr - other) == 0
        except Exception:  # an expression SymPy cannot simplify is not equal, not a traceback
            return False

    if equals(a):
        return report(True, "d/dx (a x + b) = a: the slope, the same at every x")
    if equals(a * x + b):
        return report(False, "that is phi(x) = a x + b itself; differentiate it with respect to x")
    if equals(a + b):
        return report(False, "b is a constant, and the derivative of a constant is 0")
    if equals(1):
        return report(False, "1 is the derivative only when a = 1; keep the symbol a")
    if equals(x):
        return report(False, "x is the derivative with respect to a; the question asks d/dx")
    if x in expr.free_symbols:
        return report(False, f"you have {expr}, which depends on x; a straight line has the same slope everywhere")
    return report(False, f"you have {expr}; differentiate a x + b term by term with respect to x")


def check_sigmoid_prime_at_ln3(answer, rtol=LN3_RTOL):
    """``answer``: the number sigma'(ln 3), worked out from sigma' = sigma (1 - sigma); accepted
    within a relative ``rtol`` of 3/16."""
    value = as_number(answer)
    if value is not None:
        for wrong, hint in [(0.75, "0.75 is sigma(ln 3) itself; the derivative is sigma (1 - sigma)"),
                            (0.25, "0.25 is sigma'(0), the sigmoid's steepest slope; at ln 3 it is flatter"),
                            (0.36, "0.36 is tanh'(ln 3) = 1 - 0.8^2; the sigmoid's is sigma (1 - sigma)"),
                            (-0.1875, "sigma' is never negative: sigma and 1 - sigma are both positive")]:
            if np.isclose(value, wrong, rtol=rtol, atol=0):
                return report(False, hint)
    return check_number(answer, 3 / 16, "sigma'(ln 3)", rtol=rtol, atol=0)


# -- exercise 2 -----------------------------------------------------------------------------
def check_saturation_threshold(answer, atol=THRESHOLD_ATOL):
    """``answer``: the x > 0 beyond which sigma'(x) < 0.01, accepted within ``atol``."""
    if answer is None:
        return not_done("replace None with the x at which sigma'(x) falls to 0.01")
    x = as_number(answer)
    if x is None:
        return not_a_number(answer, "x")
    expected = SIGMOID_PRIME_THRESHOLD
    if np.isclose(x, expected, rtol=0, atol=atol):
        return report(True, f"x = ln(49 + 20 sqrt 6) = {expected:.4f}; beyond it sigma'(x) < 0.01, "
                            f"a 25th of its value at 0")
    if np.isclose(-x, expected, rtol=0, atol=atol):
        return report(False, "sigma' is symmetric (sigma'(-x) = sigma'(x)); give the positive x")
    for root in SIGMOID_ROOTS:  # (1 -+ sqrt(0.96)) / 2: a value of sigma, not yet an x
        if np.isclose(x, root, rtol=1e-3, atol=0):
            side = ("" if root > 0.5 else
                    "; this is the smaller root, which belongs to a negative x: take the one above 1/2")
            return report(False, f"{x:g} is sigma(x) at the point, a root of sigma (1 - sigma) = 0.01, "
                                 f"not x itself; turn it back into x = ln(sigma / (1 - sigma)){side}")
    if np.isclose(x, 0.01, rtol=1e-3, atol=0):
        return report(False, "0.01 is the value of sigma'(x) at the point; the question asks for the x")
    if np.isclose(abs(x), SIGMOID_099, rtol=0, atol=atol):
        return report(False, f"{SIGMOID_099:.4f} is where sigma(x) = 0.99; the question is where "
                             "sigma'(x) = sigma(x) (1 - sigma(x)) = 0.01")
    # Six decimals: just outside the tolerance sigma' differs from 0.01 by about 1e-5.
    slope = float(sigmoid_prime(x))
    accepted = f"(accepted: within {atol:g} of the exact point)"
    if slope >= 0.01:
        return report(False, f"at x = {x:g}, sigma'(x) = {slope:.6f} is still above 0.01: the point is "
                             f"further out {accepted}")
    return report(False, f"at x = {x:g}, sigma'(x) = {slope:.6f} is below 0.01, but it fell below "
                         f"0.01 earlier: the point is closer to 0 {accepted}")


# -- exercise 3 -----------------------------------------------------------------------------
STEP_CAP = 100_000  # the notebook's loop stops after this many updates: a count equal to it never got there


def sigmoid_steps(w, lr=1.0, factor=2.0, max_steps=10**6):
    """SGD updates until sigma(w) > 0.5 for the neuron y = sigma(w * 1), target 1,
    loss (1 - sigma(w))^2, starting at the weight w: w <- w - lr * dloss/dw, with
    dloss/dw = -factor (1 - sigma(w)) sigma'(w) (factor 2 is the true derivative)."""
    w, steps = float(w), 0
    s = 1.0 / (1.0 + math.exp(-w))  # scalar math: 10 times faster than numpy on one number
    while s <= 0.5 and steps < max_steps:
        w -= lr * -factor * (1.0 - s) * s * (1.0 - s)
        s = 1.0 / (1.0 + math.exp(-w))
        steps += 1
    return steps


def _from(starts):
    return "from " + " and ".join(f"w = {w}" for w in starts)


def check_saturation_steps(steps_from_minus_2, steps_from_minus_10):
    """``steps_from_minus_2``, ``steps_from_minus_10``: the number of SGD updates (lr = 1) until
    sigma(w) > 0.5, starting at the weight w = -2 and at w = -10. A count equal to the
    notebook's cap (STEP_CAP) means the loop never got there: typically w = w + dL/dw."""
    answers = {-2: steps_from_minus_2, -10: steps_from_minus_10}
    for w, n in answers.items():  # the counts given so far: whole numbers of steps?
        if n is None:
            continue
        value = as_number(n)
        if value is None or not value.is_integer() or value < 0:
            return report(False, f"the count from w = {w} should be a whole number of steps (0 or "
                                 f"more), got {describe(n)}")
        answers[w] = int(value)
    missing = [f"w = {w}" for w, n in answers.items() if n is None]
    if missing:
        return not_done("replace None with your step count from " + " and ".join(missing))
    expected = {w: sigmoid_steps(w) for w in answers}
    without_2 = {w: sigmoid_steps(w, factor=1.0) for w in answers}
    right = [w for w, n in answers.items() if n == expected[w]]
    capped = [w for w, n in answers.items() if n == STEP_CAP and w not in right]
    dropped = [w for w, n in answers.items() if w not in right + capped and n == without_2[w]]
    off_by_one = [w for w, n in answers.items()
                  if w not in right + capped + dropped and abs(n - expected[w]) == 1]
    wrong = []
    if capped:
        wrong.append(f"{_from(capped)} your loop ran to its cap of {STEP_CAP} updates: sigma(w) never "
                     "rose above 0.5. Check the sign of your update: w <- w - dL/dw, and dL/dw < 0 here, "
                     "so every update must make w larger (w + dL/dw makes it smaller)")
    if dropped:
        wrong.append(f"{_from(dropped)} you seem to have dropped the 2 in "
                     "d/dw (1 - sigma(w))^2 = -2 (1 - sigma(w)) sigma'(w)")
    if off_by_one:
        wrong.append(f"{_from(off_by_one)} you are off by one: count the updates, and stop as soon "
                     "as sigma(w) > 0.5")
    for w, n in answers.items():
        if w not in right + capped + dropped + off_by_one:
            wrong.append(f"from w = {w}, {n} is {'too many' if n > expected[w] else 'too few'}")
    if wrong:
        return report(False, "; ".join(wrong))
    ratio = float(sigmoid_prime(-2.0) / sigmoid_prime(-10.0))
    return report(True, f"{expected[-2]} steps from w = -2, but {expected[-10]} from w = -10: "
                        f"sigma'(-10) is {ratio:.0f} times smaller than sigma'(-2), so the confidently "
                        "wrong neuron crawls")
