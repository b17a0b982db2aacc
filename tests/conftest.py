import matplotlib
import numpy as np
import pytest
from hypothesis import settings

matplotlib.use("Agg")  # set here, not through MPLBACKEND, which notebook kernels would inherit

settings.register_profile("course", deadline=None, max_examples=40, derandomize=True)
settings.load_profile("course")


def snapshot(model):
    """Copies of every parameter's data, to show a failed call changed nothing."""
    return [p.data.copy() for p in model.parameters()]


def assert_unchanged(model, before):
    after = [p.data for p in model.parameters()]
    assert len(after) == len(before)
    for a, b in zip(after, before):
        np.testing.assert_array_equal(a, b)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
