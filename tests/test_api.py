"""The shape of the public API: names, shapes, modes, reprs, and lazy imports."""
import subprocess
import sys

import numpy as np
import pytest

import nnlib


def test_dense_shapes_follow_the_notes():
    layer = nnlib.Dense(2, 3, rng=0)
    assert layer.W.data.shape == (3, 2) and layer.b.data.shape == (3,)
    assert layer.W.grad.shape == (3, 2) and np.all(layer.b.data == 0)
    x = np.array([1.0, 2.0])
    # one sample as a row gives the notes' column formula W x + b, transposed
    np.testing.assert_allclose(layer(x[None, :])[0], layer.W.data @ x + layer.b.data)
    assert repr(layer) == "Dense(in_features=2, out_features=3, bias=True)"
    no_bias = nnlib.Dense(2, 3, bias=False, rng=0)
    assert no_bias.b is None and no_bias.parameters() == [no_bias.W]


def test_dense_init_is_seeded_and_scaled():
    a, b = nnlib.Dense(50, 40, rng=7), nnlib.Dense(50, 40, rng=7)
    np.testing.assert_array_equal(a.W.data, b.W.data)
    assert not np.array_equal(a.W.data, nnlib.Dense(50, 40, rng=8).W.data)
    assert abs(a.W.data.std() - np.sqrt(1 / 50)) < 0.02
    assert abs(nnlib.Dense(50, 40, rng=7, init="he").W.data.std() - np.sqrt(2 / 50)) < 0.02
    wide = {init: nnlib.Dense(200, 50, rng=7, init=init).W.data.std() for init in ("lecun", "he", "xavier")}
    assert abs(wide["lecun"] - np.sqrt(1 / 200)) < 0.002 and abs(wide["he"] - np.sqrt(2 / 200)) < 0.002
    assert abs(wide["xavier"] - np.sqrt(2 / 250)) < 0.002  # fan_in + fan_out: in != out tells them apart
    with pytest.raises(ValueError, match="init must be one of"):
        nnlib.Dense(2, 2, init="glorot")
    assert nnlib.Dense(2, 2, rng=0, dtype=np.float32)(np.ones((1, 2), np.float32)).dtype == np.float32


def test_parameters_zero_grad_train_eval_and_repr():
    model = nnlib.Sequential(nnlib.Dense(2, 3, rng=0), nnlib.ReLU(), nnlib.Dense(3, 1, bias=False, rng=1))
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0.W", "0.b", "2.W"]
    assert model.num_parameters() == 2 * 3 + 3 + 3 == sum(p.data.size for p in model.parameters())
    loss = nnlib.MSELoss()
    loss.forward(model(np.ones((4, 2))), np.zeros((4, 1)))
    model.backward(loss.backward())
    assert any(np.any(p.grad != 0) for p in model.parameters())
    model.zero_grad()
    assert all(np.all(p.grad == 0) for p in model.parameters())
    assert model.eval() is model and not model.training and not model[0].training
    assert model.train().training and model[2].training
    text = repr(model)
    assert "(0): Dense(in_features=2, out_features=3, bias=True)" in text and "parameters: 12" in text
    assert len(model) == 3 and list(model)[1] is model[1]


def test_backward_accumulates_until_zero_grad():
    layer = nnlib.Dense(2, 2, rng=0)
    x, dout = np.ones((3, 2)), np.ones((3, 2))
    layer(x)
    layer.backward(dout)
    once = layer.W.grad.copy()
    layer.backward(dout)
    np.testing.assert_allclose(layer.W.grad, 2 * once)


def test_activation_values_and_lookup():
    x = np.array([-2.0, 0.0, 3.0])
    assert np.array_equal(nnlib.heaviside(x), [0.0, 0.5, 1.0])
    assert np.array_equal(nnlib.relu(x), [0.0, 0.0, 3.0])
    assert np.array_equal(nnlib.relu_prime(x), [0.0, 0.0, 1.0])  # ReLU'(0) taken as 0
    assert np.array_equal(nnlib.linear(x, a=2, b=1), [-3.0, 1.0, 7.0])
    assert np.array_equal(nnlib.linear_prime(x, a=2, b=1), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(nnlib.sigmoid(x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(nnlib.tanh(x), np.tanh(x))
    assert sorted(nnlib.ACTIVATIONS) == ["heaviside", "linear", "relu", "sigmoid", "tanh"]
    for name, cls in nnlib.ACTIVATIONS.items():
        layer = nnlib.get_activation(name.upper())
        assert type(layer) is cls
        np.testing.assert_array_equal(layer(x[None, :])[0], layer.phi(x))
    lin = nnlib.get_activation("linear", a=3.0, b=0.5)
    assert repr(lin) == "LinearActivation(a=3.0, b=0.5)"


def test_softmax_rows_sum_to_one_and_match_the_formula():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    p = nnlib.softmax(z)
    np.testing.assert_allclose(p, np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(nnlib.log_softmax(z), np.log(p))


def test_cross_entropy_labels_and_one_hot_agree():
    z = np.random.default_rng(0).standard_normal((5, 4))
    y = np.array([0, 3, 1, 1, 2])
    a, b = nnlib.CrossEntropyLoss(), nnlib.CrossEntropyLoss()
    assert a.forward(z, y) == pytest.approx(b.forward(z, np.eye(4)[y]), abs=1e-15)
    np.testing.assert_allclose(a.backward(), b.backward())
    np.testing.assert_allclose(a.backward(), (nnlib.softmax(z) - np.eye(4)[y]) / 5)
    s = nnlib.CrossEntropyLoss(reduction="sum")
    assert s.forward(z, y) == pytest.approx(5 * a.forward(z, y))


def test_cross_entropy_keeps_its_own_copy_of_the_labels():
    """The caller may reuse its label array after forward: backward must not see the change."""
    z = np.random.default_rng(0).standard_normal((4, 3))
    y = np.array([0, 1, 2, 1])
    loss = nnlib.CrossEntropyLoss()
    loss.forward(z, y)
    y[:] = 0
    np.testing.assert_allclose(loss.backward(), (nnlib.softmax(z) - np.eye(3)[[0, 1, 2, 1]]) / 4)


def test_mse_follows_the_notes():
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    target = np.array([[0.0, 2.0], [3.0, 6.0]])
    assert nnlib.MSELoss().forward(pred, target) == (1 + 4) / 2  # summed over outputs, 1/|D|
    assert nnlib.MSELoss(reduction="sum").forward(pred, target) == 5.0
    loss = nnlib.MSELoss()
    assert loss.forward(np.array([[1.0], [2.0]]), np.array([0.0, 0.0])) == 2.5  # (N,) target is fine


def test_import_nnlib_loads_numpy_only():
    code = ("import sys, nnlib; heavy = ['sympy', 'matplotlib', 'ipywidgets', 'sklearn', 'scipy'];"
            "print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        nnlib.nope  # noqa: B018


def test_mlp_builds_the_notes_network_and_counts_its_parameters():
    model = nnlib.mlp([2, 3, 1], "sigmoid", rng=0, bias=False, output_activation="sigmoid")
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["Dense", "Sigmoid", "Dense", "Sigmoid"]
    assert model[0].W.data.shape == (3, 2) and model[2].W.data.shape == (1, 3)
    assert model.num_parameters() == nnlib.count_parameters([2, 3, 1], bias=False) == 9
    deep = nnlib.mlp([4, 8, 8, 3], "relu", rng=1)
    assert deep.num_parameters() == nnlib.count_parameters([4, 8, 8, 3]) == 40 + 72 + 27
    assert deep[0].init == "he" and model[0].init == "lecun"
    same = nnlib.mlp([4, 8, 8, 3], "relu", rng=1)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(deep.parameters(), same.parameters()))
    with pytest.raises(ValueError, match="unknown activation"):
        nnlib.mlp([2, 2], "swish")
    with pytest.raises(ValueError, match="at least two"):
        nnlib.mlp([2], "relu")
    with pytest.raises(ValueError, match=r"sizes\[1\]"):
        nnlib.count_parameters([2, 0, 1])


def test_mse_docstring_names_the_outputs_as_notebook_04_does():
    """Bug: help(nnlib.MSELoss) used D for the data set ("(1/|D|)") and for the outputs ("For D
    outputs per sample ... (1/(N D))"); notebook 04 calls the outputs K."""
    import json
    import re
    from pathlib import Path

    doc = nnlib.MSELoss.__doc__
    assert "(1/|D|)" in doc and "D is the\n    data set" in doc
    assert "K outputs" in doc and "(1/(N K))" in doc and "(N, K)" in doc
    assert not re.search(r"\bD outputs|\(N D\)|\(N, D\)|D = 1", doc), doc
    nb = json.loads((Path(__file__).parent.parent / "notebooks" / "04-losses-and-softmax.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"])
    assert "several outputs per sample ($K$ of them)" in text  # the letter the docstring follows


def test_sequence_layers_are_exported_and_registered():
    for name in ("RNN", "LSTM", "LastTimeStep", "Embedding", "clip_grad_norm"):
        assert name in nnlib.__all__ and hasattr(nnlib, name)
    for name in ("RNN", "LSTM", "LastTimeStep", "Embedding"):
        assert nnlib.LAYER_TYPES[name] is getattr(nnlib, name)
    with pytest.raises(ValueError, match="one of nnlib's own layers"):
        nnlib.register_layer(type("LSTM", (nnlib.Layer,), {}))
