"""Adam, RMSprop and weight decay: three steps against their formulas written out by hand, the
state they keep, and that they train."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlib

GRADS = [np.array([0.5, -2.0, 1e-3]), np.array([-0.25, -1.0, 4.0]), np.array([1.0, 0.0, -3.0])]
THETA0 = np.array([1.0, -1.0, 0.5])


def run(opt_cls, steps=3, **kw):
    p = nnlib.Parameter(THETA0.copy())
    opt = opt_cls([p], **kw)
    thetas = []
    for g in GRADS[:steps]:
        p.grad[:] = g
        opt.step()
        np.testing.assert_array_equal(p.grad, g)  # the step never changes grad
        thetas.append(p.data.copy())
    return opt, thetas


@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_adam_equals_its_formulas_written_out_for_three_steps(wd):
    lr, b1, b2, eps = 0.01, 0.8, 0.95, 1e-6
    opt, thetas = run(nnlib.Adam, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    th0 = THETA0
    g1 = GRADS[0] + wd * th0
    m1 = (1 - b1) * g1
    v1 = (1 - b2) * g1**2
    th1 = th0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    g2 = GRADS[1] + wd * th1
    m2 = b1 * m1 + (1 - b1) * g2
    v2 = b2 * v1 + (1 - b2) * g2**2
    th2 = th1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    g3 = GRADS[2] + wd * th2
    m3 = b1 * m2 + (1 - b1) * g3
    v3 = b2 * v2 + (1 - b2) * g3**2
    th3 = th2 - lr * (m3 / (1 - b1**3)) / (np.sqrt(v3 / (1 - b2**3)) + eps)
    for got, want in zip(thetas, [th1, th2, th3]):
        np.testing.assert_allclose(got, want, rtol=1e-14)
    assert opt.t == 3
    np.testing.assert_allclose(opt.state[0]["m"], m3, rtol=1e-14)
    np.testing.assert_allclose(opt.state[0]["v"], v3, rtol=1e-14)
    assert opt.m[0] is opt.state[0]["m"] and opt.v[0] is opt.state[0]["v"]


def test_rmsprop_equals_its_formulas_written_out_for_three_steps():
    lr, a, eps = 0.05, 0.9, 1e-6
    opt, thetas = run(nnlib.RMSprop, lr=lr, alpha=a, eps=eps)
    v1 = (1 - a) * GRADS[0] ** 2
    th1 = THETA0 - lr * GRADS[0] / (np.sqrt(v1) + eps)
    v2 = a * v1 + (1 - a) * GRADS[1] ** 2
    th2 = th1 - lr * GRADS[1] / (np.sqrt(v2) + eps)
    v3 = a * v2 + (1 - a) * GRADS[2] ** 2
    th3 = th2 - lr * GRADS[2] / (np.sqrt(v3) + eps)
    for got, want in zip(thetas, [th1, th2, th3]):
        np.testing.assert_allclose(got, want, rtol=1e-14)
    np.testing.assert_allclose(opt.v[0], v3, rtol=1e-14)
    assert opt.v[0] is opt.state[0]["v"]


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_weight_decay_is_l2_folded_into_the_gradient(momentum):
    lr, wd = 0.1, 0.01
    opt, thetas = run(nnlib.SGD, lr=lr, momentum=momentum, weight_decay=wd)
    th, vel = THETA0, np.zeros(3)
    for g, got in zip(GRADS, thetas):
        vel = momentum * vel - lr * (g + wd * th)
        th = th + vel
        np.testing.assert_allclose(got, th, rtol=1e-14)
    assert repr(opt) == f"SGD(lr=0.1, momentum={momentum}, weight_decay=0.01, 1 parameters)"


def test_weight_decay_zero_is_bit_identical_to_plain_sgd():
    _, plain = run(nnlib.SGD, lr=0.1, momentum=0.5)
    _, zero = run(nnlib.SGD, lr=0.1, momentum=0.5, weight_decay=0.0)
    for a, b in zip(plain, zero):
        np.testing.assert_array_equal(a, b)


def test_weight_decay_alone_shrinks_weights_geometrically():
    p = nnlib.Parameter(np.array([2.0, -4.0]))
    opt = nnlib.SGD([p], lr=0.1, weight_decay=0.5)
    for _ in range(10):
        opt.step()  # grad stays 0: theta <- (1 - lr wd) theta
    np.testing.assert_allclose(p.data, np.array([2.0, -4.0]) * 0.95**10, rtol=1e-14)


@given(g=st.lists(st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3), min_size=1, max_size=6))
def test_adams_first_step_is_about_lr_in_every_coordinate(g):
    g = np.array(g)
    p = nnlib.Parameter(np.zeros_like(g))
    p.grad[:] = g
    nnlib.Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.data, -0.01 * np.sign(g), rtol=1e-4)


def test_state_starts_at_zero_and_float32_stays_float32():
    p = nnlib.Parameter(np.ones(3, dtype=np.float32))
    adam, rms = nnlib.Adam([p]), nnlib.RMSprop([p])
    assert adam.t == 0 and not adam.m[0].any() and not adam.v[0].any() and not rms.v[0].any()
    p.grad[:] = 1.0
    adam.step()
    rms.step()
    assert p.data.dtype == adam.m[0].dtype == rms.v[0].dtype == np.float32


@pytest.mark.parametrize("make", [lambda ps: nnlib.Adam(ps, lr=0.01), lambda ps: nnlib.RMSprop(ps, lr=0.005),
                                  lambda ps: nnlib.Adam(ps, lr=0.01, weight_decay=1e-4)])
def test_adam_and_rmsprop_train_a_network_with_fit(make):
    X, y = nnlib.moons(200, noise=0.1, rng=0)
    model = nnlib.mlp([2, 16, 16, 2], "tanh", rng=1)
    opt = make(model.parameters())
    hist = nnlib.fit(model, nnlib.CrossEntropyLoss(), opt, X, y, epochs=60, batch_size=20, rng=0,
                     X_val=X, y_val=y)
    assert hist.val_acc[-1] > 0.95 and hist.train_loss[-1] < hist.train_loss[0] / 5


def test_adam_crosses_a_narrow_valley_where_sgd_crawls():
    """loss = (x^2 + 100 y^2) / 2: SGD's rate is capped by the steep y, so x barely moves."""
    def descend(opt_cls, **kw):
        p = nnlib.Parameter(np.array([-5.0, 1.0]))
        opt = opt_cls([p], **kw)
        for _ in range(100):
            p.grad[:] = p.data * [1.0, 100.0]
            opt.step()
        return float(0.5 * (p.data[0] ** 2 + 100 * p.data[1] ** 2))

    sgd, adam, rms = descend(nnlib.SGD, lr=0.015), descend(nnlib.Adam, lr=0.3), descend(nnlib.RMSprop, lr=0.1)
    # SGD multiplies x by 1 - 0.015 and y by 1 - 1.5 each step (lr 0.015 is near its limit 0.02)
    assert sgd == pytest.approx(0.5 * (25 * 0.985**200 + 100 * 0.5**200), rel=1e-12) and sgd > 0.5
    assert adam < 1e-3 and rms < 1e-3, (adam, rms)
