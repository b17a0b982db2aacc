"""Details that mutation testing (make mutate, tests/MUTATION.md) found untested: exact messages
that name the argument and what it got, defaults, reprs, and the edges of the checks."""
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
    assert words in str(info.value)


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
