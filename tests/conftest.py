import matplotlib
import numpy as np
import pytest
from hypothesis import settings

matplotlib.use("Agg")  # set here, not through MPLBACKEND, which notebook kernels would inherit

settings.register_profile("course", deadline=None, max_examples=40, derandomize=True)
settings.load_profile("course")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
