"""Bad input: a clear error that names the problem, and the model left exactly as it was."""
import numpy as np
import pytest

import nnlib
from model_state import assert_unchanged, snapshot


def make():
    """A fresh 2-4-3 classifier, a loss, an optimiser and good data, for each case to spoil."""
    model = nnlib.Sequential(nnlib.Dense(2, 4, rng=0), nnlib.Tanh(), nnlib.Dense(4, 3, rng=1))
    X = np.random.default_rng(0).standard_normal((10, 2))
    y = np.arange(10) % 3
    return model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y


def fit(model, loss, opt, X, y, **kw):
    args = dict(epochs=2, batch_size=4, rng=0)
    args.update(kw)
    return nnlib.fit(model, loss, opt, X, y, **args)


def with_nan(X):
    X = X.copy()
    X[3, 1] = np.nan
    return X


def with_inf(X):
    X = X.copy()
    X[0, 0] = np.inf
    return X


CASES = {
    # name: (call(model, loss, opt, X, y), exception, words the message must contain)
    "X wrong width": (lambda m, l, o, X, y: fit(m, l, o, X[:, :1], y),
                      ValueError, "x must have shape (N, 2)"),
    "X 1-D": (lambda m, l, o, X, y: m(X[0]), ValueError, "x must be at least 2-D, got shape (2,)"),
    "X of strings": (lambda m, l, o, X, y: m(np.array([["a", "b"]])),
                     TypeError, "x must be an array of real numbers, got dtype <U1"),
    "X a string": (lambda m, l, o, X, y: m("1, 2"), TypeError, "x must be an array of numbers, got a string"),
    "X with NaN": (lambda m, l, o, X, y: fit(m, l, o, with_nan(X), y), ValueError, "X contains NaN or inf"),
    "X with inf": (lambda m, l, o, X, y: fit(m, l, o, with_inf(X), y), ValueError, "X contains NaN or inf"),
    "X empty": (lambda m, l, o, X, y: fit(m, l, o, X[:0], y[:0]), ValueError, "X is empty"),
    "X and y lengths differ": (lambda m, l, o, X, y: fit(m, l, o, X, y[:7]), ValueError,
                               "X and y must have the same number of samples, got 10 and 7"),
    "label too large": (lambda m, l, o, X, y: fit(m, l, o, X, np.r_[y[:-1], 3]),
                        ValueError, "target labels must be in [0, 3), got values from 0 to 3"),
    "negative label": (lambda m, l, o, X, y: fit(m, l, o, X, np.r_[-1, y[1:]]),
                       ValueError, "target labels must be in [0, 3), got values from -1 to 2"),
    "float labels": (lambda m, l, o, X, y: fit(m, l, o, X, y.astype(float)),
                     TypeError, "target labels must be integers, got dtype float64"),
    "one-hot of wrong width": (lambda m, l, o, X, y: l.forward(m(X), np.eye(4)[y]), ValueError,
                               "one-hot target must have pred's shape (10, 3), got (10, 4)"),
    "one-hot not 0/1": (lambda m, l, o, X, y: l.forward(m(X), 0.5 * np.eye(3)[y]), ValueError,
                        "one-hot target rows must contain a single 1 and otherwise 0"),
    "one-hot with two 1s in a row": (lambda m, l, o, X, y: l.forward(m(X), np.eye(3)[y] + np.eye(3)[(y + 1) % 3]),
                                     ValueError, "one-hot target rows must contain a single 1 and otherwise 0"),
    "one-hot row of zeros": (lambda m, l, o, X, y: l.forward(m(X), np.eye(3)[y] * (y != 2)[:, None]),
                             ValueError, "one-hot target rows must contain a single 1 and otherwise 0"),
    "X with NaN, called directly": (lambda m, l, o, X, y: m(with_nan(X)), ValueError, "x contains NaN or inf"),
    "SGD given a parameter twice": (lambda m, l, o, X, y: nnlib.SGD(m.parameters() * 2, lr=0.1), ValueError,
                                    "params[4] is params[0] again"),
    "a layer used twice": (lambda m, l, o, X, y: nnlib.Sequential(m[0], nnlib.Tanh(), m[0]), ValueError,
                           "layer 2 (Dense) is the same instance as layer 0"),
    "model not a layer": (lambda m, l, o, X, y: fit("model", l, o, X, y), TypeError,
                          "model must be an nnlib Layer, got str"),
    "loss not a loss": (lambda m, l, o, X, y: fit(m, nnlib.softmax, o, X, y), TypeError,
                        "loss_fn must be an nnlib loss, got function"),
    "optimizer not an optimiser": (lambda m, l, o, X, y: fit(m, l, m.parameters(), X, y), TypeError,
                                   "optimizer must be an optimiser (with step() and zero_grad()), got list"),
    "y a string": (lambda m, l, o, X, y: fit(m, l, o, X, "0120"),
                   TypeError, "y must be an array, got a string"),
    "y a scalar": (lambda m, l, o, X, y: fit(m, l, o, X, 1), ValueError,
                   "X and y must have the same number of samples, got 10 and a scalar"),
    "X_val with NaN": (lambda m, l, o, X, y: fit(m, l, o, X, y, X_val=with_nan(X), y_val=y), ValueError,
                       "X_val contains NaN or inf"),
    "y_val too short": (lambda m, l, o, X, y: fit(m, l, o, X, y, X_val=X, y_val=y[:3]), ValueError,
                        "X_val and y_val must have the same number of samples, got 10 and 3"),
    "lr zero": (lambda m, l, o, X, y: nnlib.SGD(m.parameters(), lr=0),
                ValueError, "lr must be in (0.0, inf], got 0.0"),
    "lr negative": (lambda m, l, o, X, y: nnlib.SGD(m.parameters(), lr=-0.1),
                    ValueError, "lr must be in (0.0, inf], got -0.1"),
    "lr a string": (lambda m, l, o, X, y: nnlib.SGD(m.parameters(), lr="0.1"),
                    TypeError, "lr must be a real number, got str"),
    "momentum 1": (lambda m, l, o, X, y: nnlib.SGD(m.parameters(), lr=0.1, momentum=1.0), ValueError,
                   "momentum must be in [0.0, 1.0), got 1.0"),
    "batch_size 0": (lambda m, l, o, X, y: fit(m, l, o, X, y, batch_size=0),
                     ValueError, "batch_size must be >= 1, got 0"),
    "batch_size float": (lambda m, l, o, X, y: fit(m, l, o, X, y, batch_size=2.5),
                         TypeError, "batch_size must be an int, got float 2.5"),
    "epochs 0": (lambda m, l, o, X, y: fit(m, l, o, X, y, epochs=0),
                 ValueError, "epochs must be >= 1, got 0"),
    "rng a string": (lambda m, l, o, X, y: fit(m, l, o, X, y, rng="seed"),
                     TypeError, "rng must be an int seed or a numpy Generator, got str"),
    "X_val without y_val": (lambda m, l, o, X, y: fit(m, l, o, X, y, X_val=X),
                            ValueError, "pass both X_val and y_val, or neither"),
    "bad label in validation data": (lambda m, l, o, X, y: fit(m, l, o, X, y, X_val=X, y_val=y + 1),
                                     ValueError, "target labels must be in [0, 3), got values from 1 to 3"),
    "backward before forward": (lambda m, l, o, X, y: m.backward(np.ones((10, 3))), RuntimeError,
                                "Dense.backward called before forward"),
    "loss backward before forward": (lambda m, l, o, X, y: l.backward(),
                                     RuntimeError, "CrossEntropyLoss.backward called before forward"),
    "dout of wrong shape": (lambda m, l, o, X, y: (m(X), m.backward(np.ones((10, 2)))), ValueError,
                            "dout must have the output's shape (10, 3), got (10, 2)"),
    "unknown activation": (lambda m, l, o, X, y: nnlib.get_activation("swish"),
                           ValueError, "unknown activation 'swish'"),
    "unknown reduction": (lambda m, l, o, X, y: nnlib.MSELoss(reduction="avg"),
                          ValueError, "reduction must be one of ('mean', 'sum'), got 'avg'"),
    "MSE target of wrong shape": (lambda m, l, o, X, y: nnlib.MSELoss().forward(m(X), np.zeros((10, 2))),
                                  ValueError, "target must have pred's shape (10, 3), got (10, 2)"),
    "MSE target with NaN": (lambda m, l, o, X, y: nnlib.MSELoss().forward(np.zeros((2, 1)), [[0.0], [np.nan]]),
                            ValueError, "target contains NaN"),
    "Dense with 0 inputs": (lambda m, l, o, X, y: nnlib.Dense(0, 3),
                            ValueError, "in_features must be >= 1, got 0"),
    "Dense with float size": (lambda m, l, o, X, y: nnlib.Dense(2, 3.0),
                              TypeError, "out_features must be an int, got float"),
    "Sequential of a non-layer": (lambda m, l, o, X, y: nnlib.Sequential(m[0], np.tanh), TypeError,
                                  "layer 1 must be an nnlib Layer, got ufunc"),
    "SGD of arrays": (lambda m, l, o, X, y: nnlib.SGD([np.zeros(3)], lr=0.1),
                      TypeError, "params[0] must be an nnlib Parameter, got ndarray"),
    "callback not callable": (lambda m, l, o, X, y: fit(m, l, o, X, y, callback=3),
                              TypeError, "callback must be callable, got int"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_a_clear_error_and_changes_nothing(case):
    call, exc, words = CASES[case]
    model, loss, opt, X, y = make()
    before = snapshot(model)
    with pytest.raises(exc) as info:
        call(model, loss, opt, X, y)
    assert str(info.value).startswith(words), f"message {str(info.value)!r} should start with {words!r}"
    assert_unchanged(model, before)


def test_there_are_at_least_twenty_distinct_cases():
    assert len(CASES) >= 20


def test_a_failed_fit_leaves_the_optimiser_state_alone():
    """A label error found up front means no step was taken, so momentum is still zero too."""
    model, loss, _, X, y = make()
    opt = nnlib.SGD(model.parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError):
        fit(model, loss, opt, X, np.r_[y[:-1], 7])
    velocities = [state["velocity"] for state in opt.state]
    assert len(velocities) == len(opt.params) and all(np.all(v == 0) for v in velocities)


def test_load_rejects_a_file_that_is_not_a_model(tmp_path):
    bad = tmp_path / "notes.npz"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(ValueError, match="not an nnlib model file"):
        nnlib.load(bad)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    with pytest.raises(ValueError, match="no architecture"):
        nnlib.load(other)
    with pytest.raises(FileNotFoundError, match="no such model file"):
        nnlib.load(tmp_path / "missing.npz")


def test_a_nan_prediction_is_a_nan_loss_not_an_error():
    """Bad *data* raises; a NaN *prediction* is what a diverged network outputs, and the loss
    reports it as NaN (fit stops on that and sets History.diverged)."""
    pred = np.array([[0.5], [np.nan]])
    with np.errstate(invalid="ignore"):
        assert np.isnan(nnlib.MSELoss().forward(pred, np.zeros((2, 1))))
        # the NaN is in another class than the true one: it still spoils ln p of the true class
        assert np.isnan(nnlib.CrossEntropyLoss().forward(np.array([[0.0, np.nan]]), np.array([0])))
