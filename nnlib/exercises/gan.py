"""Checks for notebook 14, GANs: the optimal discriminator, the generator's gradient under the
two losses, and the per-mode distance of a collapsed generator.

Every check answers with one sentence, never a traceback: answers are parsed by the shared
``as_number``. The right answers are computed by nnlib where nnlib computes them (the loss's
own backward, ``nnlib.gan.mode_coverage``), so the checks and the library agree.
"""
import numpy as np

from ..gan import mode_coverage, ring_centres
from ..losses import BCEWithLogitsLoss
from . import as_number, describe, not_a_number, not_done, report


def _close(value, expected, rtol=1e-6):
    return bool(np.isclose(value, expected, rtol=rtol, atol=1e-12))


def _off_by(value, expected):
    return f"you have {value:.10g}, it is {expected:.10g} (off by {value - expected:+.3g})"


def _first_hint(value, expected, hints, rtol=1e-6):
    for wrong, hint in hints:
        if _close(value, wrong, rtol) and not _close(wrong, expected, rtol):
            return f"{_off_by(value, expected)}: {hint}"
    return None


# -- exercise 1: the best discriminator ------------------------------------------------------
def check_optimal_discriminator(p_data, p_gen, answer):
    """D*(x) = p_data(x) / (p_data(x) + p_gen(x)): the discriminator that minimises its BCE loss
    when real and generated samples come in equal numbers, at a point with these two densities."""
    pd, pg = as_number(p_data), as_number(p_gen)
    if pd is None or pd < 0:
        return report(False, f"p_data should be a density value >= 0, got {describe(p_data)}")
    if pg is None or pg < 0 or pd + pg <= 0:
        return report(False, f"p_gen should be a density value >= 0 (not both 0), got {describe(p_gen)}")
    if answer is None:
        return not_done("replace None with the probability 'real' the best discriminator gives here")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "D*(x)")
    expected = pd / (pd + pg)
    if _close(value, expected):
        return report(True, f"D*(x) = p_data / (p_data + p_gen) = {pd:g} / {pd + pg:g} = {expected:.6g}; "
                            f"where the generator matches the data, D* = 1/2 everywhere")
    hints = [(pg / (pd + pg), "that is the probability 'fake'; D gives the probability 'real'"),
             (pd / pg if pg > 0 else np.nan, "that is the ratio p_data / p_gen; D* divides by the sum"),
             (pd, "that is p_data alone; D* compares it with p_gen")]
    hint = _first_hint(value, expected, hints)
    return report(False, hint or f"{_off_by(value, expected)}: for each x, maximise "
                                 f"p_data ln D + p_gen ln(1 - D) over D")


# -- exercise 2: the generator's gradient, non-saturating and saturating -----------------------
# The answer is an exponential worked out by hand: three significant figures (-0.982) are right,
# so are the digits of the notebook's own solution; two (-0.98) are not.
GRADIENT_RTOL = 5e-4


def nonsaturating_dlogit(s):
    """d/ds of the generator's non-saturating loss -ln sigmoid(s), for one fake sample whose
    discriminator logit is s: BCEWithLogitsLoss against the target 1, its own backward."""
    loss = BCEWithLogitsLoss()
    loss.forward(np.array([[float(s)]]), np.array([[1.0]]))
    return float(loss.backward()[0, 0])


def check_generator_gradient(s, answer):
    """dL/ds of the non-saturating generator loss L = -ln sigmoid(s) at the logit s."""
    s_value = as_number(s)
    if s_value is None:
        return report(False, f"s should be a number (a discriminator logit), got {describe(s)}")
    if answer is None:
        return not_done(f"replace None with dL/ds at s = {s_value:g}")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "dL/ds")
    expected = nonsaturating_dlogit(s_value)
    sig = 1.0 / (1.0 + np.exp(-s_value))
    if _close(value, expected, GRADIENT_RTOL):
        return report(True, f"dL/ds = sigmoid(s) - 1 = {expected:.6g}: large when D is sure the sample "
                            f"is fake, where the saturating loss ln(1 - sigmoid(s)) gives only "
                            f"-sigmoid(s) = {-sig:.3g}")
    hints = [(-sig, "that is the gradient of the SATURATING loss ln(1 - sigmoid(s)), which vanishes "
                    "when D is sure; the non-saturating loss is -ln sigmoid(s)"),
             (1.0 - sig, "check the sign: the loss falls as s grows, so dL/ds is negative"),
             (sig, "that is sigmoid(s); dL/ds = sigmoid(s) - 1, the 'p - y' of BCE with target y = 1")]
    hint = _first_hint(value, expected, hints, GRADIENT_RTOL)
    return report(False, hint or f"{_off_by(value, expected)}: BCE with target 1 has dL/ds = p - 1 "
                                 f"with p = sigmoid(s)")


# -- exercise 3: the distance of a generator stuck on some modes ---------------------------------
def collapsed_distance(n_on, n_modes=8):
    """``mode_coverage``'s distance for a generator that puts equal shares of its samples exactly
    on ``n_on`` of the ``n_modes`` centres (and none elsewhere)."""
    centres = ring_centres(n_modes)
    samples = np.repeat(centres[:n_on], 10 * n_modes, axis=0)
    return mode_coverage(samples, centres, std=0.05).distance


def check_collapsed_distance(n_on, answer, n_modes=8):
    """The total-variation distance between a generator spread evenly over n_on of the n_modes
    modes and the data (1/n_modes in each)."""
    k_value, m_value = as_number(n_on), as_number(n_modes)
    if m_value is None or m_value != int(m_value) or m_value < 1:
        return report(False, f"n_modes should be a whole number >= 1, got {describe(n_modes)}")
    if k_value is None or k_value != int(k_value) or not 1 <= k_value <= m_value:
        return report(False, f"n_on should be a whole number from 1 to n_modes, got {describe(n_on)}")
    k, m = int(k_value), int(m_value)
    if answer is None:
        return not_done(f"replace None with the distance for {k} of {m} modes")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the distance")
    expected = collapsed_distance(k, m)
    if _close(value, expected):
        return report(True, f"distance = 1/2 ({k} |1/{k} - 1/{m}| + {m - k} / {m}) = 1 - {k}/{m} = "
                            f"{expected:.6g}")
    sum_abs = 2 * expected
    hints = [(sum_abs, "that is the sum of |differences|; the total-variation distance is half of it"),
             (k / m, f"that is the share of modes covered, {k}/{m}; the distance is what is missing"),
             ((m - k) / m * 0.5, "the covered modes differ too: each has 1/n_on where the data has 1/n_modes")]
    hint = _first_hint(value, expected, hints)
    return report(False, hint or f"{_off_by(value, expected)}: add |share - 1/{m}| over all {m} modes, "
                                 f"then halve")
