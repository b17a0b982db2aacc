"""Small data sets, made on the spot from a seed (nothing is downloaded).

Classification sets return ``X: (N, 2)`` floats and ``y: (N,)`` integer labels; ``sine``
returns ``y: (N, 1)`` for regression; ``digits`` is the 8x8 handwritten digits that ship
inside scikit-learn.
"""
import numpy as np

from ._checks import as_rng, check_positive_int, check_real


def _noise(rng, noise, shape):
    return noise * rng.standard_normal(shape) if noise > 0 else np.zeros(shape)


def xor(n_samples=4, *, noise=0.0, rng=None):
    """The XOR problem: label 1 when exactly one coordinate is 1.

    With the defaults, the four corners of the unit square (the truth table). With more
    samples, the corners are repeated in turn and moved by Gaussian noise of std ``noise``.
    """
    n = check_positive_int(n_samples, "n_samples")
    noise = check_real(noise, "noise", low=0.0)
    rng = as_rng(rng)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    idx = np.arange(n) % 4
    X = corners[idx] + _noise(rng, noise, (n, 2))
    y = np.array([0, 1, 1, 0])[idx]
    return X, y


def moons(n_samples=200, *, noise=0.1, rng=None):
    """Two interleaving half circles (the upper one label 0, the lower one label 1)."""
    n = check_positive_int(n_samples, "n_samples", minimum=2)
    noise = check_real(noise, "noise", low=0.0)
    rng = as_rng(rng)
    n0 = n // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n - n0)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)],
                        np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])  # (N, 2)
    y = np.r_[np.zeros(n0, dtype=int), np.ones(n - n0, dtype=int)]
    X = X + _noise(rng, noise, X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def circles(n_samples=200, *, noise=0.05, factor=0.5, rng=None):
    """A small circle (label 1, radius ``factor``) inside a large one (label 0, radius 1)."""
    n = check_positive_int(n_samples, "n_samples", minimum=2)
    noise = check_real(noise, "noise", low=0.0)
    factor = check_real(factor, "factor", low=0.0, high=1.0, low_open=True, high_open=True)
    rng = as_rng(rng)
    n0 = n // 2
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n - n0, endpoint=False)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], factor * np.c_[np.cos(t1), np.sin(t1)]])
    y = np.r_[np.zeros(n0, dtype=int), np.ones(n - n0, dtype=int)]
    X = X + _noise(rng, noise, X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def spirals(n_samples=300, *, n_classes=2, noise=0.2, rng=None):
    """``n_classes`` arms of a spiral turning around the origin, one class per arm.

    Each arm makes one full turn from the centre to its tip, so every arm wraps around the
    others and no straight line separates the classes: a linear model scores about chance
    (a third of a turn fewer, and a line already got 79 % of two arms right), while a network
    with hidden layers learns them. ``noise`` is the std of Gaussian noise on each point's angle
    (in radians)."""
    n = check_positive_int(n_samples, "n_samples", minimum=2)
    k = check_positive_int(n_classes, "n_classes", minimum=2)
    noise = check_real(noise, "noise", low=0.0)
    rng = as_rng(rng)
    y = np.arange(n) % k
    counts = np.bincount(y, minlength=k)
    rank = (np.arange(n) // k) / np.maximum(counts[y] - 1, 1)  # 0 at the centre, 1 at the tip
    r = 0.05 + 0.95 * rank
    theta = 2 * np.pi * (rank + y / k) + _noise(rng, noise, n)  # one turn per arm
    X = np.c_[r * np.sin(theta), r * np.cos(theta)]
    order = rng.permutation(n)
    return X[order], y[order]


def sine(n_samples=100, *, noise=0.1, rng=None):
    """Regression: x uniform in [-pi, pi], y = sin(x) + Gaussian noise. X: (N, 1), y: (N, 1)."""
    n = check_positive_int(n_samples, "n_samples")
    noise = check_real(noise, "noise", low=0.0)
    rng = as_rng(rng)
    X = rng.uniform(-np.pi, np.pi, size=(n, 1))
    return X, np.sin(X) + _noise(rng, noise, (n, 1))


def digits():
    """The 8x8 handwritten digits (1797 images, shipped inside scikit-learn: no download).

    X: (1797, 64) pixel intensities scaled from 0..16 to [0, 1]; y: (1797,) labels 0..9.
    """
    from sklearn.datasets import load_digits  # heavy: imported only when asked for

    data = load_digits()
    return data.data / 16.0, data.target.astype(np.int64)


def train_test_split(X, y, *, test_size=0.25, rng=None):
    """Shuffle with ``rng`` and split: returns X_train, X_test, y_train, y_test.

    test_size: a fraction in (0, 1) or a number of samples.
    """
    X, y = np.asarray(X), np.asarray(y)
    if y.ndim == 0 or X.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of samples, got shapes {X.shape} and {y.shape}")
    n = X.shape[0]
    if isinstance(test_size, float):
        check_real(test_size, "test_size", low=0.0, high=1.0, low_open=True, high_open=True)
        n_test = int(round(test_size * n))
    else:
        n_test = check_positive_int(test_size, "test_size")
    if not 1 <= n_test < n:
        raise ValueError(f"test_size gives {n_test} test samples of {n}; need between 1 and {n - 1}")
    order = as_rng(rng).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


# -- a text that ships with the course: sentences from a tiny grammar -----------------------
# Every choice made is uniform among its options ("" listed 4 times of 8: no adjective half of the
# time; a plural subject makes no choice of article, it takes "the"), so the grammar's own
# probability of a text is the product, over the choices made, of (times the option is listed) / len(options). No two different outcomes spell the same text (the
# number of a noun shows in its "s", the word lists are disjoint), so that product IS the
# probability of the text: -ln of it is the loss of a model that knows the grammar perfectly.
GRAMMAR = {
    "number": ("singular", "plural"),
    "article": ("the", "a"),                     # singular subjects only; plural ones take "the"
    "adjective": ("", "", "", "", "small", "deep", "tired", "clever"),  # none half of the time
    "subject": ("network", "neuron", "student", "layer", "teacher"),
    "verb": ("learn", "compute", "check", "train", "see"),
    "count": ("1", "2", "3", "4", "5", "6", "7", "8", "9"),
    "object": ("weight", "gradient", "number", "output", "unit"),
    "tail": ("", "", "", "", "by hand", "with numpy", "again", "after {count} steps"),
}


def grammar_sentence(rng):
    """One sentence of the course's grammar and its negative log-probability (nats) under it.

    subject phrase: "the" or "a" (singular) / "the" (plural), an adjective half of the time, a
    noun ("s" when plural); a verb that agrees with it ("s" when the subject is singular); a
    count 1-9 and an object noun, plural unless the count is 1; sometimes a tail ("by hand",
    "after 3 steps", ...); a full stop."""
    nll = 0.0

    def choose(options):
        nonlocal nll
        choice = options[rng.integers(len(options))]
        nll += np.log(len(options) / options.count(choice))  # "" is listed 4 times: p = 4/8
        return choice

    plural = choose(GRAMMAR["number"]) == "plural"
    article = "the" if plural else choose(GRAMMAR["article"])
    adjective = choose(GRAMMAR["adjective"])
    subject = choose(GRAMMAR["subject"]) + ("s" if plural else "")
    verb = choose(GRAMMAR["verb"]) + ("" if plural else "s")
    count = choose(GRAMMAR["count"])
    obj = choose(GRAMMAR["object"]) + ("" if count == "1" else "s")
    tail = choose(GRAMMAR["tail"])
    if "{count}" in tail:
        steps = choose(GRAMMAR["count"])
        tail = tail.format(count=steps)
        if steps == "1":
            tail = tail.replace("steps", "step")
    words = [article, adjective, subject, verb, count, obj, tail]
    return " ".join(w for w in words if w) + ".", nll


def grammar_text(n_sentences=500, *, rng=None):
    """A text of ``n_sentences`` sentences of the course's own tiny grammar (``GRAMMAR``),
    joined by spaces: "the deep network learns 3 weights. a student checks 1 unit by hand. ..."

    It is the corpus of notebook 12's character model: made on the spot from a seed, nothing
    downloaded, small enough to train on in seconds, with structure at every scale (the
    spelling of words, which word may follow which, a verb that agrees with its subject, "1
    weight" against "2 weights").

    Returns (text, nll): the text, and its negative log-likelihood under the grammar in nats
    (the sum of -ln p over every choice made; the spaces, spelling and full stops are
    determined by the choices and cost nothing). ``nll / len(text)`` is about the
    lowest loss per character any model can reach on such text.
    """
    n = check_positive_int(n_sentences, "n_sentences")
    rng = as_rng(rng)
    sentences, nll = [], 0.0
    for _ in range(n):
        sentence, cost = grammar_sentence(rng)
        sentences.append(sentence)
        nll += cost
    return " ".join(sentences), float(nll)


def _grammar_pattern():
    import re

    def words(part):
        return "|".join(w for w in GRAMMAR[part] if w)

    # the agreements are left open ("s?") so that a sentence with a wrong ending still parses
    return re.compile(rf"(the|a) (?:(?:{words('adjective')}) )?(?:{words('subject')})(s?) "
                      rf"(?:{words('verb')})(s?) ([1-9]) (?:{words('object')})(s?)"
                      rf"(?: by hand| with numpy| again| after ([1-9]) step(s?))?")


def grammar_report(text):
    """How well a text (a model's sample, say) follows ``GRAMMAR``.

    The text is cut at its full stops; a piece *parses* when it is a sentence of the grammar
    except, perhaps, for the agreements ("s" endings) and the article. Among the parsed ones three
    rules are checked, each counted on its own: the verb with the subject (no "s" after a plural
    subject, "s" after a singular one), the article ("a" only before a singular subject), and
    each noun with its count ("1 weight", "2 weights", "after 1 step"). Returns a dict of counts:
    "sentences" (complete pieces, the text before the first and after the last full stop
    dropped, as a sample may start or stop in the middle of one), "parsed", "subject_verb",
    "article" and "count_noun" (parsed sentences that keep that rule), and "grammatical" (parsed
    and keeping all three)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    pattern = _grammar_pattern()
    pieces = [p.strip() for p in text.split(".")[1:-1]]
    report = {"sentences": len(pieces), "parsed": 0, "subject_verb": 0, "article": 0, "count_noun": 0,
              "grammatical": 0}
    for piece in pieces:
        match = pattern.fullmatch(piece)
        if not match:
            continue
        article, subject_s, verb_s, count, object_s, steps, steps_s = match.groups()
        plural = subject_s == "s"
        verb_ok = (verb_s == "") == plural
        article_ok = not (article == "a" and plural)
        count_ok = (object_s == "") == (count == "1") and (steps is None or (steps_s == "") == (steps == "1"))
        report["parsed"] += 1
        report["subject_verb"] += verb_ok
        report["article"] += article_ok
        report["count_noun"] += count_ok
        report["grammatical"] += verb_ok and article_ok and count_ok
    return report
