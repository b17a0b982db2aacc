"""nnlib.text: the vocabulary, next-character windows, perplexity, counting baselines, sampling
(checked against recomputing every prediction from the whole prefix), PCA and neighbours; and
the course's grammar text (nnlib.datasets.grammar_text, grammar_report)."""
import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib import text
from nnlib.datasets import GRAMMAR, grammar_report, grammar_sentence, grammar_text

SETTINGS = settings(max_examples=40, deadline=None)


def char_model(V=6, D=3, H=5, seed=0):
    rng = np.random.default_rng(seed)
    return nnlib.Sequential(nnlib.Embedding(V, D, rng=rng), nnlib.LSTM(D, H, rng=rng), nnlib.Dense(H, V, rng=rng))


# -- Vocabulary -----------------------------------------------------------------------------
@given(st.text(alphabet="abc .1", min_size=1, max_size=40))
def test_encode_then_decode_gives_the_text_back(s):
    vocab = text.Vocabulary(s)
    ids = vocab.encode(s)
    assert ids.dtype == np.int64 and ids.shape == (len(s),)
    assert vocab.decode(ids) == s
    assert list(vocab.chars) == sorted(set(s)) and len(vocab) == len(set(s))


def test_vocabulary_indices_are_the_sorted_characters():
    vocab = text.Vocabulary("hello")
    assert vocab.chars == "ehlo" and vocab.encode("hole").tolist() == [1, 3, 2, 0]
    assert vocab.index("o") == 3


@pytest.mark.parametrize("call, error, words", [
    (lambda v: v.encode("hex"), ValueError, "'x'"),
    (lambda v: v.index("z"), ValueError, "'z'"),
    (lambda v: v.encode(3), TypeError, "text"),
    (lambda v: v.decode([0, 9]), ValueError, "ids"),
    (lambda v: v.decode([0.0, 1.0]), TypeError, "ids"),
])
def test_vocabulary_bad_input_is_named(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call(text.Vocabulary("hello"))


@pytest.mark.parametrize("bad", ["", 5, None])
def test_a_vocabulary_needs_a_text(bad):
    with pytest.raises(TypeError, match="text"):
        text.Vocabulary(bad)


# -- windows ----------------------------------------------------------------------------------
@SETTINGS
@given(st.integers(10, 60), st.integers(1, 8), st.integers(1, 5), st.integers(0, 1000))
def test_random_windows_hold_the_next_character(L, T, n, seed):
    ids = np.random.default_rng(seed).integers(0, 7, size=L + T)
    X, Y = text.next_char_windows(ids, T, n, rng=seed)
    assert X.shape == Y.shape == (n, T)
    np.testing.assert_array_equal(X[:, 1:], Y[:, :-1])           # Y is X shifted by one
    for x, y in zip(X, Y):                                        # and each window is in the text
        s = next(s for s in range(ids.size - T) if np.array_equal(ids[s:s + T], x) and ids[s + T] == y[-1])
        np.testing.assert_array_equal(ids[s + 1:s + T + 1], y)
    X2, _ = text.next_char_windows(ids, T, n, rng=seed)
    np.testing.assert_array_equal(X, X2)


def test_consecutive_windows_cover_the_text_without_overlap():
    ids = np.arange(23)
    X, Y = text.next_char_windows(ids, 5)
    assert X.tolist() == [list(range(s, s + 5)) for s in (0, 5, 10, 15)]
    np.testing.assert_array_equal(Y, X + 1)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"ids": np.arange(5), "length": 5}, ValueError, "length + 1"),
    ({"ids": np.arange(10.0), "length": 3}, TypeError, "ids"),
    ({"ids": np.arange(10).reshape(2, 5), "length": 3}, ValueError, "ids"),
    ({"ids": np.arange(10), "length": 0}, ValueError, "length"),
    ({"ids": np.arange(10), "length": 3, "n_windows": 0}, ValueError, "n_windows"),
])
def test_windows_bad_input_is_named(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        text.next_char_windows(**kwargs)


# -- perplexity and the counting baselines -----------------------------------------------------
def test_a_model_that_knows_nothing_has_perplexity_V():
    model = char_model(V=6)
    model[2].W.data[:] = 0.0
    model[2].b.data[:] = 0.0                                      # equal scores: uniform
    X, Y = text.next_char_windows(np.arange(40) % 6, 7)
    assert text.perplexity(model, X, Y) == pytest.approx(6.0, rel=1e-12)


@pytest.mark.parametrize("batch_size", [1, 3, 256])
def test_perplexity_is_exp_of_the_mean_cross_entropy(batch_size):
    model = char_model()
    ids = np.random.default_rng(1).integers(0, 6, size=60)
    X, Y = text.next_char_windows(ids, 8)
    expected = np.exp(nnlib.CrossEntropyLoss()(model(X), Y))
    model.train()
    assert text.perplexity(model, X, Y, batch_size=batch_size) == pytest.approx(expected, rel=1e-12)
    assert model.training                                         # the mode is put back


def brute_force_ngram(train, test, V, order, alpha):
    counts = {}
    for k in range(len(train) - order + 1):
        counts[tuple(train[k:k + order])] = counts.get(tuple(train[k:k + order]), 0) + 1
    log_p = []
    for k in range(len(test) - order + 1):
        context = tuple(test[k:k + order - 1])
        total = sum(counts.get(context + (c,), 0) for c in range(V)) + alpha * V
        log_p.append(math.log((counts.get(tuple(test[k:k + order]), 0) + alpha) / total))
    return math.exp(-sum(log_p) / len(log_p))


@SETTINGS
@given(st.integers(1, 3), st.integers(2, 5), st.floats(0.01, 2.0), st.integers(0, 1000))
def test_ngram_perplexity_matches_counting_by_hand(order, V, alpha, seed):
    rng = np.random.default_rng(seed)
    train, test = rng.integers(0, V, size=50), rng.integers(0, V, size=20)
    assert text.ngram_perplexity(train, test, V, order, alpha) == pytest.approx(
        brute_force_ngram(train.tolist(), test.tolist(), V, order, alpha), rel=1e-10)


def test_a_bigram_model_predicts_a_cycle_almost_perfectly():
    cycle = np.tile(np.arange(4), 50)
    assert text.ngram_perplexity(cycle, cycle, 4, order=2, alpha=1e-6) == pytest.approx(1.0, abs=1e-4)
    assert text.ngram_perplexity(cycle, cycle, 4, order=1) == pytest.approx(4.0, rel=1e-3)


@pytest.mark.parametrize("kwargs, words", [
    ({"order": 0}, "order"), ({"order": 5}, "order"), ({"alpha": 0.0}, "alpha"),
    ({"test_ids": np.array([0, 9])}, "test_ids"), ({"train_ids": np.array([1])}, "train_ids"),
])
def test_ngram_bad_input_is_named(kwargs, words):
    args = dict(train_ids=np.arange(10) % 3, test_ids=np.arange(5) % 3, n_symbols=3, order=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=words):
        text.ngram_perplexity(**args)


# -- sampling ----------------------------------------------------------------------------------
def from_scratch(model, ids, temperature):
    """The next-character probabilities recomputed from the whole prefix (no state carried)."""
    scores = model(np.asarray(ids)[None, :])[0, -1]
    return nnlib.softmax(scores[None, :] / temperature)[0]


@pytest.mark.parametrize("recurrent", ["LSTM", "RNN"])
@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_sampling_carries_the_state_as_rereading_the_prefix_would(recurrent, temperature):
    rng = np.random.default_rng(3)
    layer = nnlib.LSTM(3, 5, rng=rng) if recurrent == "LSTM" else nnlib.RNN(3, 5, rng=rng)
    model = nnlib.Sequential(nnlib.Embedding(6, 3, rng=rng), layer, nnlib.Dense(5, 6, rng=rng))
    vocab = text.Vocabulary("abcdef")
    sampled = text.sample(model, vocab, "cab", 25, temperature=temperature, rng=7)
    draws, ids = np.random.default_rng(7), list(vocab.encode("cab"))
    for _ in range(25):
        ids.append(int(draws.choice(6, p=from_scratch(model, ids, temperature))))
    assert sampled == vocab.decode(ids[3:])
    assert text.sample(model, vocab, "cab", 25, temperature=temperature, rng=7) == sampled


def test_next_char_probabilities_are_the_models_last_prediction():
    model, vocab = char_model(), text.Vocabulary("abcdef")
    probs = text.next_char_probabilities(model, vocab, "fed", temperature=0.7)
    np.testing.assert_allclose(probs, from_scratch(model, vocab.encode("fed"), 0.7), rtol=1e-12)
    assert probs.sum() == pytest.approx(1.0)


def test_a_low_temperature_picks_the_likeliest_character():
    model, vocab = char_model(), text.Vocabulary("abcdef")
    sampled = text.sample(model, vocab, "a", 10, temperature=1e-3, rng=0)
    ids = list(vocab.encode("a"))
    for _ in range(10):
        ids.append(int(np.argmax(from_scratch(model, ids, 1.0))))
    assert sampled == vocab.decode(ids[1:])


@pytest.mark.parametrize("call, error, words", [
    (lambda m, v: text.sample(m, v, "a", 5, temperature=0.0), ValueError, "temperature"),
    (lambda m, v: text.sample(m, v, "", 5), ValueError, "prompt"),
    (lambda m, v: text.sample(m, v, "az", 5), ValueError, "'z'"),
    (lambda m, v: text.sample(m, v, "a", 0), ValueError, "length"),
    (lambda m, v: text.sample(nnlib.Sequential(nnlib.Dense(2, 2)), v, "a", 5), TypeError, "Embedding"),
    (lambda m, v: text.next_char_probabilities(m, v, "a", temperature=-1.0), ValueError, "temperature"),
])
def test_sampling_bad_input_is_named(call, error, words):
    model = char_model()
    with pytest.raises(error, match=words):
        call(model, text.Vocabulary("abcdef"))


# -- PCA and neighbours ------------------------------------------------------------------------
@SETTINGS
@given(st.integers(3, 12), st.integers(2, 6), st.integers(0, 1000))
def test_pca_2d_projects_on_the_two_directions_of_largest_variance(V, D, seed):
    W = np.random.default_rng(seed).normal(size=(V, D)) * np.arange(1, D + 1)
    coords, explained = text.pca_2d(W)
    centred = W - W.mean(axis=0)
    eigenvalues, vectors = np.linalg.eigh(centred.T @ centred)   # ascending
    for k in (0, 1):
        direction = vectors[:, -1 - k]
        np.testing.assert_allclose(np.abs(coords[:, k]), np.abs(centred @ direction), atol=1e-8)
        assert explained[k] == pytest.approx(eigenvalues[-1 - k] / eigenvalues.sum(), rel=1e-8)
    far = np.abs(coords).argmax(axis=0)
    assert (coords[far, [0, 1]] > 0).all()                        # the sign convention
    shifted, _ = text.pca_2d(W + 5.0)                             # a shift changes nothing
    np.testing.assert_allclose(shifted, coords, atol=1e-8)


@SETTINGS
@given(st.integers(3, 10), st.integers(1, 5), st.integers(0, 1000))
def test_nearest_neighbours_by_cosine_similarity(V, D, seed):
    W = np.random.default_rng(seed).normal(size=(V, D))
    k = min(2, V - 1)
    idx, sim = text.nearest_neighbours(W, 0, k)
    cos = [W[j] @ W[0] / (np.linalg.norm(W[j]) * np.linalg.norm(W[0])) for j in range(V)]
    assert 0 not in idx and list(sim) == sorted(sim, reverse=True)
    np.testing.assert_allclose(sim, [cos[j] for j in idx], atol=1e-12)
    rest = [cos[j] for j in range(1, V) if j not in idx]
    assert not rest or sim[-1] >= max(rest) - 1e-12


@pytest.mark.parametrize("call, words", [
    (lambda: text.pca_2d(np.ones((1, 3))), "W"), (lambda: text.pca_2d([[np.nan, 1.0], [0.0, 1.0]]), "NaN"),
    (lambda: text.nearest_neighbours(np.ones((3, 2)), 3), "index"),
    (lambda: text.nearest_neighbours(np.ones((3, 2)), 0, k=3), "k"),
])
def test_pca_and_neighbours_bad_input_is_named(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# -- the grammar text ---------------------------------------------------------------------------
def test_grammar_text_is_seeded():
    assert grammar_text(20, rng=4) == grammar_text(20, rng=4)
    assert grammar_text(20, rng=4)[0] != grammar_text(20, rng=5)[0]
    with pytest.raises(ValueError, match="n_sentences"):
        grammar_text(0)


def choice_probabilities(sentence):
    """The probability of every choice that made ``sentence``, read back from its words."""
    words = sentence.rstrip(".").split()
    adjective = words[1] in GRAMMAR["adjective"]
    plural = words[2 if adjective else 1].endswith("s")
    after = "after" in words
    tail = len(words) > (6 if adjective else 5)
    return ([1 / 2] + ([] if plural else [1 / 2]) + [1 / 8 if adjective else 1 / 2] + [1 / 5, 1 / 5, 1 / 9, 1 / 5]
            + [1 / 8 if tail else 1 / 2] + ([1 / 9] if after else []))


def test_the_nll_is_the_sum_of_minus_log_p_of_each_choice():
    rng = np.random.default_rng(0)
    for _ in range(200):
        sentence, nll = grammar_sentence(rng)
        assert nll == pytest.approx(-sum(math.log(p) for p in choice_probabilities(sentence)), rel=1e-12)
    text_, nll = grammar_text(50, rng=1)
    assert nll == pytest.approx(-sum(sum(math.log(p) for p in choice_probabilities(s.strip() + "."))
                                     for s in text_.split(".")[:-1]), rel=1e-12)


def every_sentence():
    """Every sentence of the grammar with its probability, each distinct outcome once."""
    g = GRAMMAR

    def outcomes(part):  # each distinct option with its probability
        return [(o, g[part].count(o) / len(g[part])) for o in dict.fromkeys(g[part])]

    for (plural, p_n), (adj, p_a), (subj, p_s), (verb, p_v), (count, p_c), (obj, p_o), (tail, p_t) in \
            itertools.product([(False, 0.5), (True, 0.5)], *(outcomes(part) for part in (
                "adjective", "subject", "verb", "count", "object", "tail"))):
        tails = [(tail.format(count=c).replace("1 steps", "1 step"), 1 / 9) for c in g["count"]] \
            if "{count}" in tail else [(tail, 1.0)]
        for article, p_art in ([("the", 1.0)] if plural else outcomes("article")):
            for t, p_steps in tails:
                words = [article, adj, subj + ("s" if plural else ""), verb + ("" if plural else "s"),
                         count, obj + ("" if count == "1" else "s"), t]
                yield " ".join(w for w in words if w) + ".", p_n * p_art * p_a * p_s * p_v * p_c * p_o * p_t * p_steps


def test_no_two_outcomes_spell_the_same_sentence():
    """So the product of the choices' probabilities IS the sentence's probability (what
    grammar_text's nll adds up), and the probabilities of all sentences sum to 1."""
    seen, total = {}, 0
    for sentence, p in every_sentence():
        seen[sentence] = p
        total += 1
    assert len(seen) == total == 3 * 5 * 5 * 5 * 9 * 5 * (4 + 9)   # articles x adjectives x ... x tails
    assert sum(seen.values()) == pytest.approx(1.0, rel=1e-9)
    rng = np.random.default_rng(5)
    for _ in range(100):
        sentence, nll = grammar_sentence(rng)
        assert math.exp(-nll) == pytest.approx(seen[sentence], rel=1e-9)


def test_grammar_text_is_all_grammatical():
    text_, _ = grammar_text(300, rng=2)
    report = grammar_report(text_)
    assert report == {"sentences": 299, "parsed": 299, "subject_verb": 299, "article": 299, "count_noun": 299,
                      "grammatical": 299}


@pytest.mark.parametrize("sentence, wrong", [
    ("a networks sees 2 weights", {"subject_verb", "article"}), ("a networks see 2 weights", {"article"}),
    ("the network learn 3 units", {"subject_verb"}),
    ("the neurons checks 3 units", {"subject_verb"}), ("a neuron checks 1 units", {"count_noun"}),
    ("the layers see 4 output", {"count_noun"}), ("a layer sees 4 outputs after 1 steps", {"count_noun"}),
    ("the students learn 4 outputs after 2 step", {"count_noun"}),
    ("the neuronz checks 1 weight", {"parsed"}), ("the network learns weights", {"parsed"}),
    ("the deep deep network learns 2 weights", {"parsed"}), ("a clever teacher trains 1 unit by hand", set()),
])
def test_grammar_report_finds_each_slip(sentence, wrong):
    report = grammar_report(f"start. {sentence}. end")
    assert report["sentences"] == 1
    if "parsed" in wrong:
        assert report["parsed"] == 0
        return
    assert report["parsed"] == 1
    for key in ("subject_verb", "article", "count_noun"):
        assert report[key] == (0 if key in wrong else 1), key
    assert report["grammatical"] == (0 if wrong else 1)
