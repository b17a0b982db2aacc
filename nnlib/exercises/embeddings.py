"""Checks for notebook 12, embeddings and a character model: an embedding's gradient, the
perplexity of a few predictions, the parameters of a character model, and a probability at a
sampling temperature.

Every check answers with one sentence, never a traceback: answers are parsed by the shared
``as_number`` / ``as_array``. The right answers are computed by nnlib itself where nnlib
computes them (the Embedding's backward, the model's parameter count, softmax), so the checks
and the library agree.
"""
import numpy as np

from ..embedding import Embedding
from ..layers import Dense
from ..losses import softmax
from ..network import Sequential
from ..recurrent import LSTM
from . import as_array, as_number, describe, not_a_number, not_an_array, not_done, report


# A number typed by hand is right to three significant figures (3.36, 0.867) or more: it is
# accepted within RTOL of the exact value. Within NEAR, it is the right method, short of digits.
RTOL, NEAR = 1.5e-3, 2e-2


def _close(value, expected, rtol=RTOL):
    return bool(np.isclose(value, expected, rtol=rtol, atol=1e-9))


def _off_by(value, expected):
    """"you have 3.3, it is 3.36359": as many digits as it takes for the two to read differently."""
    digits = 6
    while digits < 17 and f"{value:.{digits}g}" == f"{expected:.{digits}g}":
        digits += 1
    return f"you have {value:.{digits}g}, it is {expected:.{digits}g}"


def _more_digits(value, expected):
    """The message for an answer near the right one but not within RTOL, or None."""
    if _close(value, expected, rtol=NEAR):
        return (f"{_off_by(value, expected)}: right method, give more digits (three significant "
                f"figures at least)")
    return None


def _whole(value):
    return value is not None and float(value).is_integer() and value >= 1


# -- exercise 1: the gradient of an embedding -----------------------------------------------
def embedding_grad(indices, dout, num_embeddings):
    """dW of nnlib's Embedding(num_embeddings, D) after a forward on ``indices`` (N,) and a
    backward of ``dout`` (N, D)."""
    layer = Embedding(num_embeddings, dout.shape[1], rng=0)
    layer.forward(indices)
    layer.backward(dout)
    return layer.W.grad.copy()


def check_embedding_grad(indices, dout, num_embeddings, answer):
    """dW: (V, D) for an Embedding(V, D) that looked up ``indices`` (N,) and received ``dout``
    (N, D): row k is the sum of dout's rows at the positions where index k was looked up."""
    idx, g, V = as_array(indices), as_array(dout), as_number(num_embeddings)
    if not _whole(V):
        return report(False, f"num_embeddings should be a whole number >= 1, got {describe(num_embeddings)}")
    V = int(V)
    if idx is None or idx.ndim != 1 or not idx.size or not np.all(idx == np.round(idx)) \
            or idx.min() < 0 or idx.max() >= V:
        return report(False, f"indices should be a 1-D list of whole numbers in [0, {V}), got {describe(indices)}")
    if g is None or g.ndim != 2 or g.shape[0] != idx.size or g.shape[1] < 1:
        return report(False, f"dout should be ({idx.size}, D): one row per index, got {describe(dout)}")
    idx = idx.astype(np.int64)
    shape = (V, g.shape[1])
    expected = embedding_grad(idx, g, V)
    if answer is None:
        return not_done(f"replace None with dW, an array of shape {shape}")
    value = as_array(answer)
    if value is None or value.shape != shape:
        if value is not None and value.shape == shape[::-1] and shape[0] != shape[1] \
                and np.allclose(value.T, expected, rtol=1e-6, atol=1e-9):
            return report(False, f"dW has the shape of W, (V, D) = {shape}, one row per symbol; yours is "
                                 f"{value.shape}: transpose it")
        if value is not None and value.shape == g.shape:
            return report(False, f"dW has one row per symbol of the table, not per lookup: shape (V, D) = "
                                 f"{shape}, yours is {value.shape} like dout; add dout's rows into the rows "
                                 f"of the symbols they looked up")
        return not_an_array(answer, "dW", shape)
    if np.allclose(value, expected, rtol=1e-6, atol=1e-9):
        return report(True, "row k of dW is the sum of dout over the places where k was looked up; rows "
                            "never looked up get no gradient")
    overwritten = np.zeros(shape)
    overwritten[idx] = g                          # W.grad[x] = dout: the last occurrence wins
    if np.allclose(value, overwritten) and not np.allclose(overwritten, expected):
        repeated = sorted({int(k) for k in idx if np.sum(idx == k) > 1})
        return report(False, f"index {repeated[0]} was looked up more than once, so its row receives "
                             f"dout from every occurrence: the gradients ADD (np.add.at), a plain "
                             f"assignment keeps only the last")
    if np.allclose(value, -expected, rtol=1e-6, atol=1e-9):
        return report(False, "the sign is flipped: dW is + the sum of dout's rows (the lookup passes the "
                             "gradient on unchanged), not minus it")
    wrong = [int(k) for k in range(V) if not np.allclose(value[k], expected[k], rtol=1e-6, atol=1e-9)]
    unused = [k for k in wrong if k not in idx]
    if unused:
        return report(False, f"row {unused[0]} was never looked up, so it took no part in the forward "
                             f"pass and its gradient is 0")
    k = wrong[0]
    positions = [int(n) for n in np.flatnonzero(idx == k)]
    if np.allclose(value[k], -expected[k], rtol=1e-6, atol=1e-9):
        return report(False, f"row {k} has the wrong sign: it is + the sum of dout's rows at positions "
                             f"{positions}, not minus it")
    return report(False, f"row {k} is not right: it should be the sum of dout's rows at the positions "
                         f"where index {k} occurs, {positions}")


# -- exercise 2: perplexity ------------------------------------------------------------------
def check_perplexity(probabilities, answer):
    """The perplexity of a model that gave the true next character the ``probabilities`` p_t
    (one per position): exp(mean of -ln p_t)."""
    p = as_array(probabilities)
    if p is None or p.ndim != 1 or not p.size or np.any(p <= 0) or np.any(p > 1):
        return report(False, f"probabilities should be a 1-D list of numbers in (0, 1], got "
                             f"{describe(probabilities)}")
    if answer is None:
        return not_done("replace None with the perplexity")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the perplexity")
    nats = -np.log(p)
    expected = float(np.exp(nats.mean()))
    if _close(value, expected):
        return report(True, f"the loss is {nats.mean():.4f} nats per character, and exp of it, "
                            f"{expected:.4f}, is the perplexity: as unsure as a fair choice among "
                            f"{expected:.2f} characters")
    hints = [(nats.mean(), "that is the loss, the mean of -ln p; the perplexity is exp of it"),
             (float(np.exp(nats.sum())), "that is exp of the SUM of -ln p; take the mean first"),
             (float(np.mean(1 / p)), "that is the mean of 1/p; the perplexity is a geometric mean, "
                                     "exp(mean(-ln p))"),
             (float(1 / p.mean()), "that is 1 / (mean p); the perplexity averages -ln p, not p"),
             (float(np.exp(-np.log2(p).mean())), "you mixed bases: exp goes with ln (or 2** with log2)"),
             (float(2 ** nats.mean()), "you mixed bases: exp goes with ln (or 2** with log2)")]
    for wrong, hint in hints:
        if _close(value, wrong) and not _close(wrong, expected):
            return report(False, f"{_off_by(value, expected)}: {hint}")
    near = _more_digits(value, expected)
    if near:
        return report(False, near)
    return report(False, f"{_off_by(value, expected)}: average -ln p over the positions, then take exp")


# -- exercise 3: the parameters of a character model ----------------------------------------
def char_model(V, D, H):
    """Sequential(Embedding(V, D), LSTM(D, H), Dense(H, V)): notebook 12's character model."""
    return Sequential(Embedding(V, D, rng=0), LSTM(D, H, rng=0), Dense(H, V, rng=0))


def check_char_model_parameters(V, D, H, answer):
    """The number of parameters of Sequential(Embedding(V, D), LSTM(D, H), Dense(H, V))."""
    sizes = [as_number(v) for v in (V, D, H)]
    if not all(_whole(v) for v in sizes) or max(sizes) > 10_000:
        return report(False, f"V, D and H should be whole numbers from 1 to 10000, got "
                             f"{describe(V)}, {describe(D)}, {describe(H)}")
    V, D, H = (int(v) for v in sizes)
    if answer is None:
        return not_done("replace None with the number of parameters of the model")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the number of parameters")
    expected = char_model(V, D, H).num_parameters()
    if value == expected:
        return report(True, f"{V * D} in the table, {4 * H * (D + H + 1)} in the LSTM, "
                            f"{H * V + V} in the output layer: {expected}")
    if not value.is_integer():
        return report(False, f"a count of parameters is a whole number, you have {value:g}")
    lstm = 4 * H * (D + H + 1)
    hints = [(V * D + H * (D + H + 1) + H * V + V, "an LSTM has FOUR sets of weights (i, f, g, o): "
                                                  "Wx is (4H, D), Wh (4H, H), b (4H,)"),
             (lstm + H * V + V, "the embedding table W (V, D) is learned too"),
             (V * D + 4 * H * (D + H) + H * V, "you left out the biases (the LSTM's 4H and the "
                                               "output layer's V)"),
             (V * D + lstm + H * V, "you left out the output layer's V biases"),
             (V * D + 4 * H * (D + H) + H * V + V, "you left out the LSTM's 4H biases"),
             (V * D + lstm, "the output layer Dense(H, V) has H * V weights and V biases too"),
             (V * D + 4 * H * (D + H + 2) + H * V + V, "that counts two bias vectors of 4H (b_ih and b_hh), "
                                                       "as PyTorch's LSTM has; nnlib's LSTM has one"),
             (V * D + 3 * H * (D + H + 1) + H * V + V, "an LSTM has FOUR blocks (input, forget and output "
                                                       "gates, and the candidate g), not three"),
             (4 * H * (V + H + 1) + H * V + V, "that is an LSTM fed one-hot vectors of size V; here the "
                                               "table turns each character into D numbers first: V*D "
                                               "for the table, and the LSTM's Wx is (4H, D)")]
    for wrong, hint in hints:
        if value == wrong and wrong != expected:
            return report(False, f"you have {value:.0f}, it is {expected}: {hint}")
    return report(False, f"you have {value:.0f}, it is {expected}: add V*D (the table), 4H(D + H + 1) "
                         f"(the LSTM) and H*V + V (the output layer)")


# -- exercise 4: a probability at a temperature ---------------------------------------------
def check_temperature_probability(scores, temperature, index, answer):
    """softmax(scores / temperature)[index]: the probability of character ``index`` when
    sampling at ``temperature``."""
    z, t, k = as_array(scores), as_number(temperature), as_number(index)
    if z is None or z.ndim != 1 or z.size < 2:
        return report(False, f"scores should be a 1-D list of at least 2 numbers, got {describe(scores)}")
    if t is None or t <= 0:
        return report(False, f"temperature should be a number > 0, got {describe(temperature)}")
    if k is None or not float(k).is_integer() or not 0 <= k < z.size:
        return report(False, f"index should be a whole number in [0, {z.size}), got {describe(index)}")
    k = int(k)
    if answer is None:
        return not_done(f"replace None with the probability of character {k} at temperature {t:g}")
    value = as_number(answer)
    if value is None:
        return not_a_number(answer, "the probability")
    expected = float(softmax(z[None, :] / t)[0, k])
    if _close(value, expected):
        plain = float(softmax(z[None, :])[0, k])
        return report(True, f"p = {expected:.4f} (at temperature 1 it is {plain:.4f})")
    hints = [(float(softmax(z[None, :] * t)[0, k]), "you multiplied the scores by the temperature; "
                                                    "they are DIVIDED by it"),
             (float(softmax(z[None, :])[0, k]), "that is the probability at temperature 1; divide the "
                                                "scores by the temperature first"),
             (float(np.exp(z[k] / t)), "that is exp(z / T) before normalising: divide by the sum over "
                                       "all characters"),
             (float(z[k] / t / np.sum(z / t)) if np.sum(z) != 0 else np.nan,
              "softmax normalises exp(z / T), not z / T itself")]
    for wrong, hint in hints:
        if np.isfinite(wrong) and _close(value, wrong) and not _close(wrong, expected):
            return report(False, f"{_off_by(value, expected)}: {hint}")
    near = _more_digits(value, expected)
    if near:
        return report(False, near)
    if not 0 <= value <= 1:
        return report(False, f"a probability is between 0 and 1, you have {value:.6g}")
    return report(False, f"{_off_by(value, expected)}: p_k = exp(z_k / T) / sum_j exp(z_j / T)")
