"""nnlib.conv_matrix (notebook 09's single-channel convolutions and their matrices) against
plain loops written here and against numpy's own correlate/convolve."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import conv_matrix as CM

SETTINGS = settings(max_examples=40, deadline=None)


def loop_correlate1d(x, w, stride, padding):
    xp = np.concatenate([np.zeros(padding), x, np.zeros(padding)])
    return np.array([sum(w[k] * xp[i + k] for k in range(len(w)))
                     for i in range(0, len(xp) - len(w) + 1, stride)])


def loop_correlate2d(x, k, stride, padding):
    xp = np.pad(x, padding)
    kh, kw = k.shape
    return np.array([[sum(k[a, b] * xp[i + a, j + b] for a in range(kh) for b in range(kw))
                      for j in range(0, xp.shape[1] - kw + 1, stride)]
                     for i in range(0, xp.shape[0] - kh + 1, stride)])


sizes = st.tuples(st.integers(1, 9), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2)).filter(
    lambda t: t[1] <= t[0] + 2 * t[3])


@SETTINGS
@given(sizes, st.integers(0, 10**6))
def test_correlate1d_and_its_matrix_are_the_loop(size, seed):
    n, k, s, p = size
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    expected = loop_correlate1d(x, w, s, p)
    assert len(expected) == CM.output_size(n, k, s, p)
    np.testing.assert_allclose(CM.correlate1d(x, w, s, p), expected, atol=1e-12)
    T = CM.conv1d_matrix(w, n, s, p)
    np.testing.assert_allclose(T @ x, expected, atol=1e-12)
    batch = rng.standard_normal((3, n))
    np.testing.assert_allclose(CM.correlate1d(batch, w, s, p), batch @ T.T, atol=1e-12)


def test_correlation_is_numpys_correlate_and_convolution_flips_the_kernel():
    x, w = np.array([1.0, 2.0, -1.0, 0.5, 3.0]), np.array([1.0, 0.0, -2.0])
    np.testing.assert_allclose(CM.correlate1d(x, w), np.correlate(x, w, mode="valid"))
    np.testing.assert_allclose(CM.correlate1d(x, w[::-1]), np.convolve(x, w, mode="valid"))
    assert not np.allclose(CM.correlate1d(x, w), np.convolve(x, w, mode="valid"))


def test_toeplitz_matrix_has_constant_diagonals():
    T = CM.conv1d_matrix([1.0, 2.0, 3.0], 6)
    assert T.shape == (4, 6)
    for offset in range(-3, 6):
        diag = np.diagonal(T, offset)
        assert np.all(diag == diag[0])
    np.testing.assert_array_equal(T[1], [0, 1, 2, 3, 0, 0])


@SETTINGS
@given(st.integers(2, 7), st.integers(2, 7), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(0, 2), st.integers(0, 10**6))
def test_correlate2d_and_its_matrix_are_the_loop(H, W, kh, kw, s, p, seed):
    if kh > H + 2 * p or kw > W + 2 * p:
        return
    rng = np.random.default_rng(seed)
    x, k = rng.standard_normal((H, W)), rng.standard_normal((kh, kw))
    expected = loop_correlate2d(x, k, s, p)
    np.testing.assert_allclose(CM.correlate2d(x, k, s, p), expected, atol=1e-12)
    M = CM.conv2d_matrix(k, (H, W), s, p)
    assert M.shape == (expected.size, H * W)
    np.testing.assert_allclose(M @ x.ravel(), expected.ravel(), atol=1e-12)


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 3), st.integers(0, 1), st.integers(0, 10**6))
def test_transposed_matrix_is_the_adjoint_and_sizes_agree(n, k, s, p, seed):
    if k > n + 2 * p:
        return
    rng = np.random.default_rng(seed)
    kernel = rng.standard_normal((k, k))
    M = CM.conv2d_matrix(kernel, (n, n), s, p)
    x, y = rng.standard_normal(n * n), rng.standard_normal(M.shape[0])
    assert np.isclose((M @ x) @ y, x @ (M.T @ y))
    m = CM.output_size(n, k, s, p)
    # the transposed size formula gives back n for one of the output paddings 0 .. s - 1
    assert n in [CM.transposed_output_size(m, k, s, p, op) for op in range(s)
                 if (m - 1) * s - 2 * p + k + op >= 1]


@pytest.mark.parametrize("args, error, words", [
    ((5, 7), ValueError, "larger than the padded input"), ((0, 1), ValueError, "n must be >= 1"),
    ((5, 3, 0), ValueError, "stride must be >= 1"), ((5, 3, 1, -1), ValueError, "padding must be >= 0"),
    ((5.0, 3), TypeError, "n must be an int"), ((5, True), TypeError, "kernel_size must be an int")])
def test_output_size_names_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        CM.output_size(*args)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="output_padding must be smaller than stride"):
        CM.transposed_output_size(3, 3, 2, 0, 2)
    with pytest.raises(ValueError, match="padding 3 is too large"):
        CM.transposed_output_size(1, 3, 1, 3)
    with pytest.raises(TypeError, match="shape must be a pair"):
        CM.conv2d_matrix(np.ones((2, 2)), 5)
    with pytest.raises(ValueError, match="w must be 1-D"):
        CM.correlate1d(np.ones(5), np.ones((2, 2)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        CM.correlate2d(np.ones((2, 2)), np.ones((3, 3)))
