import os
from pathlib import Path

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


@pytest.fixture(scope="session")
def tools_dir():
    """The hub's proxy (configurable-http-proxy from npm) and accounts mode's students' environment,
    shared by the hub's tests and the load test's, and kept between runs (~1 GB, 2-5 min to build):
    /var/tmp/backprop-hub-tools, or BACKPROP_HUB_TOOLS. Each is rebuilt when its pin moves; nnlib is
    reinstalled at every start. Without node/npm the hub cannot run: skipped, except under CI."""
    from classroom import hub

    path = Path(os.environ.get("BACKPROP_HUB_TOOLS", "/var/tmp/backprop-hub-tools"))
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o755)
    try:
        hub.ensure_proxy(path)
    except hub.ProxyUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI: the hub's proxy could not be installed: {error}")
        pytest.skip(f"node/npm unavailable, the hub cannot run: {error}")
    return path
