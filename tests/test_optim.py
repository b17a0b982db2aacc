"""One optimiser interface (issue 11): an Optimizer base that SGD derives from, duplicates
refused, per-parameter state, and fit accepting any optimiser."""
import numpy as np
import pytest

import nnlib


def test_the_same_parameter_twice_is_refused():
    p, q = nnlib.Parameter(np.zeros(2)), nnlib.Parameter(np.zeros(2))
    with pytest.raises(ValueError, match=r"params\[2\] is params\[0\] again"):
        nnlib.SGD([p, q, p], lr=0.1)
    with pytest.raises(TypeError, match="list of Parameters"):
        nnlib.SGD(p, lr=0.1)


def test_sgd_is_an_optimizer_with_state_per_parameter():
    model = nnlib.mlp([2, 3, 1], "tanh", rng=0)
    opt = nnlib.SGD(model.parameters(), lr=0.1, momentum=0.5)
    assert isinstance(opt, nnlib.Optimizer)
    assert len(opt.state) == len(opt.params) == 4
    for p, state in zip(opt.params, opt.state):
        assert state["velocity"].shape == p.data.shape and not state["velocity"].any()
    assert nnlib.SGD(model.parameters(), lr=0.1).state == [{}] * 4  # plain SGD keeps nothing
    assert repr(opt) == "SGD(lr=0.1, momentum=0.5, 4 parameters)"


def test_a_new_optimizer_is_a_few_lines_and_fit_takes_it():
    class SignSGD(nnlib.Optimizer):
        """theta <- theta - lr * sign(grad); counts its steps in the state."""

        def update(self, p, state):
            state["steps"] = state.get("steps", 0) + 1
            p.data -= self.lr * np.sign(p.grad)

    X, y = nnlib.xor()
    model = nnlib.mlp([2, 8, 2], "tanh", rng=0)
    opt = SignSGD(model.parameters(), lr=0.05)
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), opt, X, y, epochs=100, batch_size=4, rng=0)
    assert all(state["steps"] == 100 for state in opt.state)
    assert hist.train_loss[-1] < hist.train_loss[0] / 2
    assert repr(opt) == "SignSGD(lr=0.05, 4 parameters)"
    with pytest.raises(NotImplementedError):
        nnlib.Optimizer(model.parameters(), lr=0.1).step()


def test_fit_refuses_what_is_not_an_optimiser():
    X, y = nnlib.xor()
    model = nnlib.mlp([2, 2, 2], "tanh", rng=0)
    with pytest.raises(TypeError, match=r"optimizer must be an optimiser \(with step\(\) and zero_grad\(\)\)"):
        nnlib.fit(model, nnlib.CrossEntropyLoss(), model.parameters(), X, y, epochs=1, batch_size=4, rng=0)


def test_zero_grad_clears_every_parameter_it_holds():
    p, q = nnlib.Parameter(np.ones(2)), nnlib.Parameter(np.ones(3))
    p.grad[:], q.grad[:] = 1.0, 2.0
    nnlib.SGD([p, q], lr=0.1).zero_grad()
    assert not p.grad.any() and not q.grad.any()
