"""Bad input to Dropout, BatchNorm, SpectralNorm, Adam, RMSprop, SGD's weight decay and
BCEWithLogitsLoss: a clear error that names the argument and what it got, and nothing changed
(parameters, buffers, gradients, optimiser state and the random generator)."""
import copy

import numpy as np
import pytest

import nnlib


def things():
    """Fresh objects for each case to spoil: every case gets the same ones."""
    dense = nnlib.Dense(3, 2, rng=0)
    return {
        "dropout": nnlib.Dropout(0.5, rng=0),
        "bn1": nnlib.BatchNorm1d(3),
        "bn2": nnlib.BatchNorm2d(3),
        "sn": nnlib.SpectralNorm(dense, rng=0),
        "dense": dense,
        "x": np.random.default_rng(0).standard_normal((4, 3)),
        "bce": nnlib.BCEWithLogitsLoss(),
    }


def fingerprint(t):
    """Everything a failed call must leave as it was."""
    layers = {k: v for k, v in t.items() if isinstance(v, nnlib.Layer)}
    return {
        "state": {k: v.state_dict() for k, v in layers.items()},
        "grads": {k: [p.grad.copy() for p in v.parameters()] for k, v in layers.items()},
        "rng": copy.deepcopy(t["dropout"].rng.bit_generator.state),
        "x": t["x"].copy(),
        "bce": copy.deepcopy(t["bce"]._cache),
    }


def assert_same(a, b):
    assert a.keys() == b.keys() and a["rng"] == b["rng"]
    for k in a["state"]:
        for name in a["state"][k]:
            np.testing.assert_array_equal(a["state"][k][name], b["state"][k][name])
        for g1, g2 in zip(a["grads"][k], b["grads"][k]):
            np.testing.assert_array_equal(g1, g2)
    np.testing.assert_array_equal(a["x"], b["x"])
    assert (a["bce"] is None) == (b["bce"] is None)
    for u, v in zip(a["bce"] or (), b["bce"] or ()):
        np.testing.assert_array_equal(u, v)


CASES = {
    # name: (call(t), exception, start of the message)
    "Dropout p = 1": (lambda t: nnlib.Dropout(1.0), ValueError, "p must be in [0.0, 1.0), got 1.0"),
    "Dropout p < 0": (lambda t: nnlib.Dropout(-0.1), ValueError, "p must be in [0.0, 1.0), got -0.1"),
    "Dropout p a string": (lambda t: nnlib.Dropout("0.5"), TypeError, "p must be a real number, got str"),
    "Dropout rng a string": (lambda t: nnlib.Dropout(0.5, rng="seed"), TypeError,
                             "rng must be an int seed or a numpy Generator, got str"),
    "Dropout x with NaN": (lambda t: t["dropout"](np.array([[1.0, np.nan]])), ValueError, "x contains NaN or inf"),
    "Dropout dout of wrong shape": (lambda t: t["dropout"].backward(np.ones((4, 2))), ValueError, "dout must have the output's shape (4, 3), got (4, 2)"),
    "BatchNorm num_features 0": (lambda t: nnlib.BatchNorm1d(0), ValueError, "num_features must be >= 1, got 0"),
    "BatchNorm num_features float": (lambda t: nnlib.BatchNorm2d(3.0), TypeError,
                                     "num_features must be an int, got float 3.0"),
    "BatchNorm eps 0": (lambda t: nnlib.BatchNorm1d(3, eps=0), ValueError, "eps must be in (0.0, inf], got 0.0"),
    "BatchNorm momentum 1.5": (lambda t: nnlib.BatchNorm1d(3, momentum=1.5), ValueError,
                               "momentum must be in [0.0, 1.0], got 1.5"),
    "BatchNorm affine a string": (lambda t: nnlib.BatchNorm1d(3, affine="yes"), TypeError,
                                  "affine must be True or False, got str 'yes'"),
    "BatchNorm1d wrong features": (lambda t: t["bn1"](np.ones((4, 2))), ValueError,
                                   "x must have 3 features (channels) on axis 1, got shape (4, 2)"),
    "BatchNorm2d wrong channels": (lambda t: t["bn2"](np.ones((2, 4, 3, 3))), ValueError,
                                   "x must have 3 features (channels) on axis 1, got shape (2, 4, 3, 3)"),
    "BatchNorm1d given images": (lambda t: t["bn1"](np.ones((2, 3, 4, 4))), ValueError,
                                 "x must be 2-D, got shape (2, 3, 4, 4)"),
    "BatchNorm2d given (N, C)": (lambda t: t["bn2"](np.ones((4, 3))), ValueError, "x must be 4-D, got shape (4, 3)"),
    "BatchNorm training batch of one": (lambda t: t["bn1"](np.ones((1, 3))), ValueError,
                                        "x has shape (1, 3): one value per channel, a batch of one sample"),
    "BatchNorm backward before forward": (lambda t: t["bn2"].backward(np.ones((2, 3, 2, 2))), RuntimeError,
                                          "BatchNorm2d.backward called before forward"),
    "SpectralNorm of a string": (lambda t: nnlib.SpectralNorm("dense"), TypeError,
                                 "layer must be an nnlib Layer with a weight W (a Dense), got str"),
    "SpectralNorm of a layer without W": (lambda t: nnlib.SpectralNorm(nnlib.Tanh()), TypeError,
                                          "layer must have a Parameter W of at least 2 axes (a Dense), Tanh has none"),
    "SpectralNorm 0 iterations": (lambda t: nnlib.SpectralNorm(t["dense"], n_power_iterations=0), ValueError,
                                  "n_power_iterations must be >= 1, got 0"),
    "SpectralNorm eps negative": (lambda t: nnlib.SpectralNorm(t["dense"], eps=-1.0), ValueError,
                                  "eps must be in (0.0, inf], got -1.0"),
    "SpectralNorm x of wrong width": (lambda t: t["sn"](np.ones((4, 2))), ValueError,
                                      "x must have shape (N, 3) or (N, ..., 3), got (4, 2)"),
    "SpectralNorm x 1-D": (lambda t: t["sn"](np.ones(3)), ValueError, "x must be at least 2-D, got shape (3,)"),
    "SpectralNorm dout of wrong shape": (lambda t: t["sn"].backward(np.ones((4, 3))), ValueError, "dout must have the output's shape (4, 2), got (4, 3)"),
    "Adam beta1 = 1": (lambda t: nnlib.Adam(t["dense"].parameters(), betas=(1.0, 0.999)), ValueError,
                       "betas[0] must be in [0.0, 1.0), got 1.0"),
    "Adam beta2 negative": (lambda t: nnlib.Adam(t["dense"].parameters(), betas=(0.9, -0.5)), ValueError,
                            "betas[1] must be in [0.0, 1.0), got -0.5"),
    "Adam betas a number": (lambda t: nnlib.Adam(t["dense"].parameters(), betas=0.9), TypeError,
                            "betas must be a pair (beta1, beta2), got 0.9"),
    "Adam eps 0": (lambda t: nnlib.Adam(t["dense"].parameters(), eps=0.0), ValueError,
                   "eps must be in (0.0, inf], got 0.0"),
    "Adam weight_decay negative": (lambda t: nnlib.Adam(t["dense"].parameters(), weight_decay=-1e-4), ValueError,
                                   "weight_decay must be in [0.0, inf], got -0.0001"),
    "Adam lr a string": (lambda t: nnlib.Adam(t["dense"].parameters(), lr="1e-3"), TypeError,
                         "lr must be a real number, got str"),
    "Adam of a Parameter, not a list": (lambda t: nnlib.Adam(t["dense"].W), TypeError,
                                        "params must be a list of Parameters"),
    "RMSprop alpha = 1": (lambda t: nnlib.RMSprop(t["dense"].parameters(), alpha=1.0), ValueError,
                          "alpha must be in [0.0, 1.0), got 1.0"),
    "RMSprop lr 0": (lambda t: nnlib.RMSprop(t["dense"].parameters(), lr=0.0), ValueError,
                     "lr must be in (0.0, inf], got 0.0"),
    "SGD weight_decay negative": (lambda t: nnlib.SGD(t["dense"].parameters(), lr=0.1, weight_decay=-0.1),
                                  ValueError, "weight_decay must be in [0.0, inf], got -0.1"),
    "SGD weight_decay NaN": (lambda t: nnlib.SGD(t["dense"].parameters(), lr=0.1, weight_decay=float("nan")),
                             ValueError, "weight_decay must be finite, got nan"),
    "BCE target above 1": (lambda t: t["bce"](np.zeros((4, 1)), [0.0, 1.0, 2.0, 1.0]), ValueError,
                           "target must hold probabilities in [0, 1], got values from 0.0 to 2.0"),
    "BCE target of wrong shape": (lambda t: t["bce"](np.zeros((4, 1)), np.zeros((4, 2))), ValueError,
                                  "target must have pred's shape (4, 1), got (4, 2)"),
    "BCE target with NaN": (lambda t: t["bce"](np.zeros((2, 1)), [0.0, np.nan]), ValueError,
                            "target contains NaN or inf"),
    "BCE pred 1-D": (lambda t: t["bce"](np.zeros(4), np.zeros(4)), ValueError, "pred must be 2-D, got shape (4,)"),
    "BCE empty batch": (lambda t: t["bce"](np.zeros((0, 1)), np.zeros(0)), ValueError,
                        "pred is an empty batch (N = 0)"),
    "BCE unknown reduction": (lambda t: nnlib.BCEWithLogitsLoss(reduction="none"), ValueError,
                              "reduction must be one of ('mean', 'sum'), got 'none'"),
    "BCE backward before forward": (lambda t: nnlib.BCEWithLogitsLoss().backward(), RuntimeError,
                                    "BCEWithLogitsLoss.backward called before forward"),
}


# cases that need a forward pass first (it may change buffers and draw masks: it is not the bad call)
PREPARE = {
    **{case: (lambda t: t["bce"](np.ones((4, 1)), np.ones(4))) for case in CASES if case.startswith("BCE")},
    "Dropout dout of wrong shape": lambda t: t["dropout"](t["x"]),
    "SpectralNorm dout of wrong shape": lambda t: t["sn"](t["x"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_a_clear_error_and_changes_nothing(case):
    call, exc, words = CASES[case]
    t = things()
    PREPARE.get(case, lambda t: None)(t)
    before = fingerprint(t)
    with pytest.raises(exc) as info:
        call(t)
    assert str(info.value).startswith(words), f"message {str(info.value)!r} should start with {words!r}"
    assert_same(fingerprint(t), before)


def test_there_are_at_least_ten_cases():
    assert len(CASES) >= 10
