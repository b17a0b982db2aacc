"""Details that mutation testing (make mutate, tests/MUTATION.md) found untested: exact messages
that name the argument and what it got, defaults, reprs, and the edges of the checks."""
import warnings

import numpy as np
import pytest

import nnlib
from layer_zoo import RunningMean, Scale


# -- gradcheck ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call, exc, words", [
    (lambda: nnlib.numerical_gradient(3, np.zeros(2)), TypeError, "f must be callable, got int"),
    (lambda: nnlib.numerical_gradient(np.sum, [1.0, 2.0]), TypeError, "x must be a float numpy array"),
    (lambda: nnlib.numerical_gradient(np.sum, np.arange(3)), TypeError, "x must be a float numpy array"),
    (lambda: nnlib.numerical_gradient(np.sum, np.zeros(2), h=0.0), ValueError, "h must be in (0.0, inf], got 0.0"),
    (lambda: nnlib.numerical_gradient(np.sum, np.zeros(2), h=-1e-5), ValueError, "h must be in (0.0, inf]"),
    (lambda: nnlib.rel_error(np.zeros(2), np.zeros(3)), ValueError,
     "a and b must have the same shape, got (2,) and (3,)"),
    (lambda: nnlib.check_gradients("model", nnlib.MSELoss(), np.ones((1, 1)), np.ones((1, 1))), TypeError,
     "model must be an nnlib Layer, got str"),
    (lambda: nnlib.check_gradients(nnlib.Dense(1, 1), len, np.ones((1, 1)), np.ones((1, 1))), TypeError,
     "loss_fn must be an nnlib loss, got builtin_function_or_method"),
    (lambda: nnlib.check_gradients(nnlib.Dense(1, 1), nnlib.MSELoss(), np.ones(1), np.ones((1, 1))), ValueError,
     "X must be at least 2-D, got shape (1,)"),
])
def test_gradcheck_messages(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(words)


def test_numerical_gradient_is_float64_and_uses_h():
    x32 = np.array([1.0, 2.0], dtype=np.float32)
    assert nnlib.numerical_gradient(lambda v: float(np.sum(v * v)), x32, h=0.5).dtype == np.float64
    cube = lambda v: float(np.sum(v**3))  # noqa: E731 - central difference error: h^2 exactly
    x = np.array([1.0])
    assert nnlib.numerical_gradient(cube, x, h=0.5)[0] == pytest.approx(3.0 + 0.25)


def test_check_gradients_passes_h_on():
    model = nnlib.Sequential(nnlib.Dense(2, 2, rng=0), nnlib.Tanh())
    X, y = np.random.default_rng(0).standard_normal((3, 2)), np.zeros((3, 2))
    coarse = nnlib.check_gradients(model, nnlib.MSELoss(), X, y, h=0.3)
    fine = nnlib.check_gradients(model, nnlib.MSELoss(), X, y)
    assert min(coarse.values()) > 1e-4 > 1e-7 > max(fine.values())


# -- activations: defaults and shapes ----------------------------------------------------------------
def test_linear_defaults_are_the_identity():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(nnlib.linear(x), x)
    np.testing.assert_array_equal(nnlib.linear_prime(x), np.ones(3))
    np.testing.assert_array_equal(nnlib.LinearActivation(a=2.0, b=1.0)(x[None, :])[0], 2 * x + 1)


@pytest.mark.parametrize("name", sorted(nnlib.ACTIVATIONS))
def test_derivative_functions_keep_shape_and_take_lists(name):
    prime = getattr(nnlib, name + "_prime")
    out = prime([[-1.0, 0.5, 2.0]])
    assert out.shape == (1, 3) and out.dtype == np.float64
    assert prime(np.array([0.5], np.float32)).dtype == np.float32


def test_an_activation_without_grad_names_itself():
    class Nothing(nnlib.Activation):
        def phi(self, z):
            return z

    with pytest.raises(NotImplementedError, match="Nothing must define grad"):
        Nothing().dphi(np.zeros(2))


# -- Sequential, buffers, state ---------------------------------------------------------------------
def test_sequential_repr_exactly():
    model = nnlib.Sequential(nnlib.Dense(2, 1, rng=0), nnlib.Sigmoid())
    assert repr(model) == ("Sequential(\n  (0): Dense(in_features=2, out_features=1, bias=True)\n"
                           "  (1): Sigmoid()\n  parameters: 3\n)")
    assert repr(nnlib.Sequential()) == "Sequential(\n  parameters: 0\n)"


def test_an_empty_sequential_is_the_identity():
    model = nnlib.Sequential()
    x = np.ones((2, 3))
    assert model(x) is x and model.backward(x) is x and model.backward(x, input_grad=False) is None


def test_register_buffer_checks_its_arguments():
    layer = RunningMean(2)
    with pytest.raises(ValueError, match="buffer name must be an identifier, got 'running mean'"):
        layer.register_buffer("running mean", np.zeros(2))
    with pytest.raises(ValueError, match="buffer name must be an identifier, got 3"):
        layer.register_buffer(3, np.zeros(2))
    with pytest.raises(ValueError, match="'a' is already a parameter of Scale"):
        Scale().register_buffer("a", np.zeros(1))
    with pytest.raises(ValueError, match="running_max contains NaN or inf"):
        layer.register_buffer("running_max", np.array([-np.inf, 0.0]))


def test_buffers_of_a_layer_that_skipped_super_init():
    class Bare(nnlib.Layer):
        def __init__(self):  # no super().__init__(): a student's first try
            self.register_buffer("count", np.zeros(1))

    class Plain(nnlib.Layer):
        def __init__(self):
            pass

    model = nnlib.Sequential(Bare(), Plain())
    assert [n for n, _ in model.named_buffers()] == ["0.count"] and model.named_parameters() == []


@pytest.mark.parametrize("state, exc, words", [
    ([1, 2], TypeError, "state must be a dict, got list"),
    ({"0.W": [[1.0, 2.0], [3.0, 4.0]], "0.b": np.zeros(2)}, TypeError, "state['0.W'] must be a float64 array, got list"),
    ({"0.W": np.zeros((2, 2), np.float32), "0.b": np.zeros(2)}, TypeError,
     "state['0.W'] must be a float64 array, got float32"),
])
def test_load_state_dict_messages(state, exc, words):
    model = nnlib.Sequential(nnlib.Dense(2, 2, rng=0))
    with pytest.raises(exc) as info:
        model.load_state_dict(state)
    assert words in str(info.value)


def test_state_dict_copies_buffers_with_their_shape():
    layer = RunningMean(3)
    layer._buffers["running_mean"][:] = [1.0, 2.0, 3.0]
    state = layer.state_dict()
    assert state["running_mean"].shape == (3,) and state["running_mean"].dtype == np.float64
    state["running_mean"][0] = 9.0
    assert layer._buffers["running_mean"][0] == 1.0


# -- messages in full ---------------------------------------------------------------------------------
def _looped():
    model = nnlib.Sequential(nnlib.Tanh())
    model.layers.append(model)
    return model.named_layers()


@pytest.mark.parametrize("call, exc, message", [
    (lambda: nnlib.numerical_gradient(np.sum, [1.0]), TypeError, "x must be a float numpy array (it is perturbed in place)"),
    (lambda: nnlib.SGD(nnlib.Parameter([1.0]), lr=0.1), TypeError,
     "params must be a list of Parameters: pass model.parameters()"),
    (lambda: nnlib.SGD([], lr=0.1), ValueError, "params is empty: pass model.parameters()"),
    (lambda: nnlib.SGD([nnlib.Parameter([1.0])] * 2, lr=0.1), ValueError,
     "params[1] is params[0] again: each parameter may be given once (it would be stepped twice)"),
    (lambda: nnlib.Sequential(*[nnlib.Tanh()] * 2), ValueError,
     "layer 1 (Tanh) is the same instance as layer 0: a layer caches one input, so use a new instance for "
     "each place (or share a Parameter between two layers)"),
    (_looped, ValueError, "layer 1 (Sequential) is the same instance as layer (model): a layer caches one input, "
     "so use a new instance for each place (or share a Parameter between two layers)"),
    (lambda: nnlib.fit(nnlib.Dense(1, 1), nnlib.MSELoss(), nnlib.SGD([nnlib.Parameter([1.0])], lr=0.1),
                       np.ones((2, 1)), np.ones((2, 1)), epochs=1, batch_size=1, rng=0, y_val=np.ones(2)),
     ValueError, "pass both X_val and y_val, or neither"),
    (lambda: nnlib.MSELoss()(np.zeros((0, 2)), np.zeros((0, 2))), ValueError, "pred is an empty batch (N = 0)"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((0, 2)), np.zeros(0, int)), ValueError, "pred is an empty batch (N = 0)"),
    (lambda: nnlib.MSELoss()(np.zeros(3), np.zeros(3)), ValueError, "pred must be 2-D, got shape (3,) (a single sample of shape (D,) is pred.reshape(1, -1))"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros(3), np.zeros(3, int)), ValueError, "pred must be at least 2-D, got shape (3,) (a single sample of shape (D,) is pred.reshape(1, -1))"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((2, 3)), "01"), TypeError,
     "target must be integer labels or one-hot rows, got a string: '01'"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((2, 3)), np.array([None, 1])), TypeError,
     "target must be integer labels or one-hot rows, got dtype object"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((2, 3)), np.zeros(2)), TypeError,
     "target labels must be integers, got dtype float64 (for one-hot targets pass shape (N, C))"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((2, 3)), np.zeros(3, int)), ValueError,
     "target must have 2 labels (one per row of pred), got 3"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((2, 3)), np.zeros((2, 3, 1))), ValueError,
     "target must be (N,) labels or (N, C) one-hot, got shape (2, 3, 1)"),
    (lambda: nnlib.CrossEntropyLoss()(np.zeros((2, 3)), np.zeros((2, 3))), ValueError,
     "one-hot target rows must contain a single 1 and otherwise 0"),
    (lambda: nnlib.Dense(2, 2, dtype=np.int64), TypeError, "dtype must be float32 or float64, got int64"),
    (lambda: nnlib.Parameter([np.nan]), ValueError, "data contains NaN or inf"),
    (lambda: nnlib.Parameter("w"), TypeError, "data must be an array of numbers, got a string: 'w'"),
    (lambda: nnlib.LinearActivation(a="2"), TypeError, "a must be a real number, got str '2'"),
    (lambda: nnlib.LinearActivation(b=np.inf), ValueError, "b must be finite, got inf"),
    (lambda: nnlib.get_activation(3), TypeError, "activation name must be a str, got int"),
    (lambda: nnlib.check_gradients(nnlib.Sequential(), nnlib.MSELoss(), np.ones(3), np.ones(3)), ValueError,
     "X must be 2-D, got shape (3,) (a single sample of shape (D,) is X.reshape(1, -1))"),
    (lambda: nnlib.Sequential()(np.ones(3)), ValueError, "x must be 2-D, got shape (3,) (a single sample of shape (D,) is x.reshape(1, -1))"),
    (lambda: nnlib.mlp([2, 0]), ValueError, "sizes[1] must be >= 1, got 0"),
    (lambda: nnlib.mlp("23"), ValueError, "sizes must be a list of at least two layer sizes, got '23'"),
    (lambda: nnlib.Tanh().backward(np.ones((1, 2))), RuntimeError, "Tanh.backward called before forward"),
])
def test_messages_in_full(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message


# -- behaviour the mutants changed quietly -------------------------------------------------------------
def test_defaults():
    x = np.array([[-1.0, 2.0]])
    np.testing.assert_array_equal(nnlib.LinearActivation()(x), x)
    assert type(nnlib.mlp([2, 3, 1])[1]) is nnlib.ReLU
    assert len(nnlib.mlp((2, 3, 1))) == 3 and len(nnlib.Sequential([nnlib.Tanh(), nnlib.ReLU()])) == 2
    assert repr(nnlib.MSELoss()) == "MSELoss(reduction='mean')"
    assert repr(nnlib.CrossEntropyLoss(reduction="sum")) == "CrossEntropyLoss(reduction='sum')"


def test_parameters_from_params_dict_only_and_two_buffers():
    class Plain(nnlib.Layer):
        def __init__(self):
            super().__init__()
            w = nnlib.Parameter(np.ones(2))
            self._params = {"w": w}
            self.weight = w  # the same Parameter under a second name: listed once, as "w"
            self.register_buffer("mean", np.zeros(2))
            self.register_buffer("var", np.ones(2))

    layer = Plain()
    assert [n for n, _ in layer.named_parameters()] == ["w"]
    assert [n for n, _ in layer.named_buffers()] == ["mean", "var"]


def test_dense_on_3d_input_accumulates_like_on_2d():
    layer = nnlib.Dense(3, 2, rng=0)
    x = np.random.default_rng(1).standard_normal((2, 4, 3))
    layer(x)
    layer.backward(np.ones((2, 4, 2)))
    once = (layer.W.grad.copy(), layer.b.grad.copy())
    layer.backward(np.ones((2, 4, 2)))
    np.testing.assert_allclose(layer.W.grad, 2 * once[0])
    np.testing.assert_allclose(layer.b.grad, 2 * once[1])


def test_check_gradients_works_in_float64_even_for_float32_data():
    model = nnlib.Sequential(nnlib.Dense(3, 4, rng=0), nnlib.Tanh(), nnlib.Dense(4, 2, rng=1))
    X = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)
    report = nnlib.check_gradients(model, nnlib.CrossEntropyLoss(), X, np.arange(5) % 2)
    assert max(report.values()) < 1e-7


def test_evaluate_gives_no_accuracy_for_regression():
    model = nnlib.Dense(2, 1, rng=0)
    X = np.ones((4, 2))
    assert nnlib.evaluate(model, nnlib.MSELoss(), X, np.zeros(4))[1] is None
    assert nnlib.evaluate(model, nnlib.MSELoss(), X, np.zeros((4, 1)))[1] is None


def test_regression_with_1d_targets_has_no_accuracy():
    X, y = nnlib.sine(20, rng=0)
    model = nnlib.mlp([1, 4, 1], "tanh", rng=0)
    hist = nnlib.fit(model, nnlib.MSELoss(), nnlib.SGD(model.parameters(), lr=0.01), X, y.ravel(),
                     epochs=2, batch_size=5, rng=0)
    assert hist.train_acc == [] and len(hist.train_loss) == 2


def test_train_acc_adds_up_over_the_batches():
    X, y = nnlib.moons(40, noise=0.3, rng=0)
    model = nnlib.mlp([2, 3, 2], "tanh", rng=4)
    before = nnlib.accuracy(model(X), y)
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=1e-12), X, y,
                     epochs=1, batch_size=7, rng=0)
    assert hist.train_acc == [before]


def test_a_diverging_fit_warns_nothing():
    """Logits of inf: log-softmax computes inf - inf = NaN, which numpy would warn about."""
    model = nnlib.Dense(1, 2, rng=0)
    model.W.data[:] = 1e308
    X, y = np.full((4, 1), 10.0), np.array([0, 1, 0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), nnlib.SGD(model.parameters(), lr=0.1), X, y,
                         epochs=2, batch_size=2, rng=0)
    assert hist.diverged and hist.epochs == 0
