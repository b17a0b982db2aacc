"""Checks for notebook 08, regularization and normalization: dropout's scale, batch norm's
running variance, Adam's first step and the Lipschitz bound of a network.

Every check answers with one sentence, never a traceback: answers are parsed by the shared
``as_number`` / ``as_array``. The right answers are computed by nnlib itself where nnlib
computes them (a BatchNorm1d's buffer, an Adam step), so the checks and the library agree.
"""
import numpy as np

from ..core import Parameter
from ..normalization import BatchNorm1d
from .. import optim
from . import as_array, as_number, describe, not_a_number, not_done, report


def _close(value, expected, rtol=1e-6):
    return bool(np.isclose(value, expected, rtol=rtol, atol=1e-12))


def _off_by(value, expected):
    return f"you have {value:.10g}, it is {expected:.10g} (off by {value - expected:+.3g})"


# -- exercise 1: dropout's scale ------------------------------------------------------------
def check_dropout_scale(p, answer):
    """The factor inverted dropout multiplies a KEPT unit by in training, for drop probability p."""
    p_value = as_number(p)
    if p_value is None or not 0.0 <= p_value < 1.0:
        return report(False, f"p should be a drop probability in [0, 1), got {describe(p)}")
    if answer is None:
        return not_done(f"replace None with the factor a kept unit is multiplied by (p = {p_value:g})")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the scale of a kept unit")
    expected = 1.0 / (1.0 - p_value)
    if _close(value, expected):
        return report(True, f"a kept unit is multiplied by 1/(1 - p) = {expected:.6g}, so E[out] = "
                            f"(1 - p) * x / (1 - p) = x")
    hints = [(1.0 - p_value, "that is the probability of KEEPING a unit; the kept ones are divided by it"),
             (p_value, "p is the probability of dropping; the kept units are scaled by 1/(1 - p)")]
    if p_value > 0:
        hints.append((1.0 / p_value, "that is 1/p; p is the probability of DROPPING, so divide by the "
                                     "probability of keeping, 1 - p"))
    for wrong, hint in hints:
        if _close(value, wrong) and not _close(wrong, expected):
            return report(False, f"{_off_by(value, expected)}: {hint}")
    return report(False, f"{_off_by(value, expected)}: E[mask * x] must equal x when the mask is "
                         f"kept with probability 1 - p")


# -- exercise 2: batch norm's running variance ----------------------------------------------
def running_var_after_one_batch(x, momentum):
    """What nnlib's BatchNorm1d(1, momentum=momentum) holds in ``running_var`` after one
    training forward on the batch x: (N,) values of one feature."""
    bn = BatchNorm1d(1, momentum=momentum)
    bn.train()
    bn.forward(np.asarray(x, dtype=float).reshape(-1, 1))
    return float(bn._buffers["running_var"][0])


def check_running_var(x, momentum, answer):
    """running_var after one training batch x (one feature), starting from 1, with ``momentum``."""
    values = as_array(x)
    m = as_number(momentum)
    if values is None or values.ndim != 1 or values.size < 2:
        return report(False, f"x should be a 1-D batch of at least 2 numbers, got {describe(x)}")
    if m is None or not 0.0 <= m <= 1.0:
        return report(False, f"momentum should be a number in [0, 1], got {describe(momentum)}")
    if answer is None:
        return not_done("replace None with running_var after the batch")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "running_var")
    expected = running_var_after_one_batch(values, m)
    if _close(value, expected):
        return report(True, f"running_var = (1 - {m:g}) * 1 + {m:g} * {values.var(ddof=1):.6g} = {expected:.6g}")
    n = values.size
    biased, unbiased = values.var(), values.var(ddof=1)
    hints = [((1 - m) + m * biased, f"you used the biased variance (divided by N = {n}); the running "
                                    f"variance is updated with the unbiased one (divided by N - 1 = {n - 1})"),
             (m + (1 - m) * unbiased, "momentum is the weight of the NEW batch: running = (1 - momentum) "
                                      "* running + momentum * batch value"),
             (unbiased, "that is the batch's variance itself; the buffer only moves part of the way "
                        "from its start, 1, towards it"),
             (biased, "that is the batch's biased variance itself; the buffer starts at 1 and moves "
                      "by momentum towards the UNBIASED variance"),
             ((1 - m) * 0 + m * unbiased, "the running variance starts at 1, not 0")]
    for wrong, hint in hints:
        if _close(value, wrong) and not _close(wrong, expected):
            return report(False, f"{_off_by(value, expected)}: {hint}")
    return report(False, f"{_off_by(value, expected)}: running_var = (1 - momentum) * 1 + momentum "
                         f"* (unbiased variance of x)")


# -- exercise 3: Adam's first step ----------------------------------------------------------
def adam_first_step(theta, grad, lr):
    """One step of nnlib's Adam (default betas and eps) on one number from ``theta`` with
    gradient ``grad``; returns the new theta."""
    p = Parameter(np.array([theta], dtype=float))
    opt = optim.Adam([p], lr=lr)
    p.grad[:] = grad
    opt.step()
    return float(p.data[0])


def check_adam_first_step(theta, grad, lr, answer):
    """theta after Adam's first step (betas 0.9, 0.999, eps 1e-8, bias correction as in the paper)."""
    numbers = [as_number(v) for v in (theta, grad, lr)]
    if any(v is None for v in numbers) or numbers[2] <= 0:
        return report(False, f"theta, grad and lr should be numbers, lr > 0; got "
                             f"{describe(theta)}, {describe(grad)}, {describe(lr)}")
    t0, g, a = numbers
    if answer is None:
        return not_done("replace None with theta after one Adam step")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "theta after one Adam step")
    expected = adam_first_step(t0, g, a)
    if _close(value, expected, rtol=1e-9):
        return report(True, f"theta = {expected:.10g}: the bias-corrected m_hat = g and v_hat = g^2, "
                            f"so the first step is lr * g / (|g| + eps), about lr in size")
    m, v = 0.1 * g, 0.001 * g * g
    hints = [(t0 - a * m / (np.sqrt(v) + 1e-8), "without the bias correction: m and v start at 0, so "
                                                "divide m by 1 - beta1^t and v by 1 - beta2^t (t = 1)"),
             (t0 - a * g, "that is an SGD step, theta - lr * g; Adam divides by sqrt(v_hat) + eps"),
             (t0 + a * g / (abs(g) + 1e-8), "the sign: Adam steps AGAINST the gradient"),
             (t0 + a * m / (np.sqrt(v) + 1e-8), "the sign is flipped and the bias correction is missing"),
             (t0 - a * np.sign(g), "you left out epsilon: the step is lr * g / (|g| + eps), a little "
                                   "shorter than lr; keep eps = 1e-8 in the denominator")]
    for wrong, hint in hints:
        if _close(value, wrong, rtol=1e-9) and not _close(wrong, expected, rtol=1e-9):
            return report(False, f"{_off_by(value, expected)}: {hint}")
    return report(False, f"{_off_by(value, expected)}: m_hat = m / (1 - 0.9), v_hat = v / (1 - 0.999), "
                         f"theta - lr * m_hat / (sqrt(v_hat) + eps)")


# -- exercise 4: the Lipschitz bound of a network -------------------------------------------
LIPSCHITZ_RTOL = 1e-3  # the notebook says so: sigmas rounded by hand to 4 digits must pass


def _largest_stretch_near_zero(mats):
    """||W_L ... W_1||: how much the network stretches a small difference near x = 0 when the
    biases are 0, where every tanh' = 1."""
    product = mats[0]
    for w in mats[1:]:
        product = w @ product
    return float(np.linalg.svd(product, compute_uv=False)[0])


def _largest_stretch_any_slopes(mats, max_units=16):
    """The largest ||W_L D_{L-1} ... D_1 W_1|| over diagonal D with entries 0 or 1 (the norm is
    convex in each entry, so this is the largest over every tanh' in [0, 1]): an upper limit on
    any 1-Lipschitz network's stretch. None when there are too many hidden units to enumerate."""
    hidden = [w.shape[0] for w in mats[:-1]]
    if sum(hidden) > max_units:
        return None
    best = 0.0
    for code in range(2 ** sum(hidden)):
        bits = [(code >> k) & 1 for k in range(sum(hidden))]
        product, start = mats[0], 0
        for n, w in zip(hidden, mats[1:]):
            product = w @ (np.array(bits[start:start + n], dtype=float)[:, None] * product)
            start += n
        best = max(best, float(np.linalg.svd(product, compute_uv=False)[0]))
    return best


def check_lipschitz_bound(weights, answer):
    """The bound on ||f(x) - f(x')|| / ||x - x'|| of a network of Dense layers (weights: the
    (out, in) matrices, first layer first) with 1-Lipschitz activations (tanh, ReLU) between
    them: the product of the weights' largest singular values, accepted within a relative error of
    ``LIPSCHITZ_RTOL`` (0.1 %: sigmas worked out by hand and rounded are fine)."""
    rtol = LIPSCHITZ_RTOL
    try:
        mats = [as_array(w) for w in weights]
    except TypeError:
        mats = [None]
    if not mats or any(w is None or w.ndim != 2 for w in mats):
        return report(False, f"weights should be a list of 2-D weight matrices, got {describe(weights)}")
    if any(nxt.shape[1] != w.shape[0] for w, nxt in zip(mats, mats[1:])):
        return report(False, f"each weight matrix should take the previous one's outputs (shapes (out, in)), "
                             f"got shapes {[w.shape for w in mats]}")
    if answer is None:
        return not_done("replace None with the product of the layers' largest singular values")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the Lipschitz bound")
    sigmas = [float(np.linalg.svd(w, compute_uv=False)[0]) for w in mats]
    expected = float(np.prod(sigmas))
    if _close(value, expected, rtol):
        return report(True, f"the bound is {' x '.join(f'{s:.4f}' for s in sigmas)} = {expected:.6g}")
    tight = _largest_stretch_near_zero(mats)
    any_slopes = _largest_stretch_any_slopes(mats)
    if len(mats) > 1 and _close(value, tight, rtol) and not _close(tight, expected, rtol):
        if any_slopes is not None and any_slopes <= tight * (1 + 1e-9):
            what = "that is the real largest stretch of this network: ||W_L ... W_1||, reached near x = 0 " \
                   "where tanh' = 1"
        else:
            what = "that is ||W_L ... W_1||, the stretch near x = 0 where tanh' = 1"
        return report(False, f"{_off_by(value, expected)}: {what}. The question asks for the bound the "
                             f"product of the layers' sigmas gives, which is larger: multiply the largest "
                             f"singular value of each weight matrix")
    frob = float(np.prod([np.linalg.norm(w) for w in mats]))
    eig_or_sigma = [float(np.abs(np.linalg.eigvals(w)).max()) if w.shape[0] == w.shape[1] else s
                    for w, s in zip(mats, sigmas)]
    hints = [(sum(sigmas), "you added the sigmas; the layers are applied one after the other, so "
                           "their stretch factors multiply"),
             (frob, "that is the product of the Frobenius norms (sqrt of the sum of squares), a larger, "
                    "looser bound; sigma is the largest SINGULAR value (np.linalg.svd or power iteration)"),
             (float(np.prod([np.abs(w).max() for w in mats])), "the largest entry is not how much a matrix "
                                                               "stretches a vector: take the largest singular value")]
    if any(w.shape[0] == w.shape[1] for w in mats):
        hints.append((float(np.prod(eig_or_sigma)), "you used the largest |eigenvalue| of a square weight; "
                                                    "a matrix can stretch a vector by more: sigma is the "
                                                    "square root of the largest eigenvalue of W^T W"))
    for wrong, hint in hints:
        if _close(value, wrong, rtol) and not _close(wrong, expected, rtol):
            return report(False, f"{_off_by(value, expected)}: {hint}")
    return report(False, f"{_off_by(value, expected)}: multiply the largest singular value of each "
                         f"weight matrix")
