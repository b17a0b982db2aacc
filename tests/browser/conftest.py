"""A real JupyterLab (and Voila) on a free local port, driven by Playwright in Debian's Chromium.

The server serves a temporary COPY of the notebooks (Lab autosaves what it serves) with fresh
config, runtime, workspace and settings folders, so nothing on the machine leaks in and nothing
the tests do leaks out. Without Chromium these tests are skipped, with the reason, except under
CI (``CI`` set), where a missing browser is a failure.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "browser" / "artifacts"  # screenshots; ignored by git
TOKEN = "course-browser-tests"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def _need_browser():
    if Path(CHROMIUM).exists():
        return
    message = (f"no Chromium at {CHROMIUM}: install it (Debian/Ubuntu: apt-get install chromium) "
               "or point CHROMIUM at one; the browser tests drive a real JupyterLab with it")
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set, so a missing browser is a failure)")
    pytest.skip(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=60, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


class Server:
    """A Jupyter server subprocess in its own folders; ``url(path)`` adds the token."""

    def __init__(self, argv, home, port):
        self.port = port
        env = dict(os.environ,
                   JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
                   JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_PLATFORM_DIRS="1",
                   IPYTHONDIR=str(home / "ipython"))
        env.pop("MPLBACKEND", None)  # the kernels must draw figures as in a student's Lab
        self.log = open(home / "server.log", "w")
        self.process = subprocess.Popen(argv, cwd=home, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def url(self, path):
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path}{sep}token={TOKEN}"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def _copy_course(home):
    work = home / "course"
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    if (ROOT / "app").exists():
        shutil.copytree(ROOT / "app", work / "app")
    return work


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab on a free port, serving a copy of the course."""
    _need_browser()
    home = tmp_path_factory.mktemp("lab")
    work = _copy_course(home)
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # no "get notified about Jupyter news?" toast covering the page
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # every cell in the DOM (no windowing), so prompts and widgets can be found by the tests
    notebook_settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = free_port()
    server = Server([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
                     f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
                     f"--ServerApp.root_dir={work}", f"--LabApp.user_settings_dir={home / 'settings'}",
                     f"--LabApp.workspaces_dir={home / 'workspaces'}"], home, port)
    try:
        wait_for(server.url("api/status"), process=server.process)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def voila_app(tmp_path_factory):
    """Voila serving the Playground app, as `make app` does."""
    _need_browser()
    home = tmp_path_factory.mktemp("voila")
    work = _copy_course(home)
    port = free_port()
    server = Server([sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
                     "--Voila.ip=127.0.0.1", f"--token={TOKEN}",
                     str(work / "app" / "playground.ipynb")], home, port)
    try:
        wait_for(f"http://127.0.0.1:{port}/?token={TOKEN}", timeout=90, process=server.process)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
