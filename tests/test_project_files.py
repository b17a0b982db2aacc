"""The two install routes stay in step: every pin in requirements*.txt is in environment.yml."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"matplotlib": "matplotlib-base"}


def pins(path):
    """{name: version} for the lines of a requirements file that apply to Python >= 3.11."""
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        req, _, marker = line.partition(";")
        if marker and ">=" not in marker:
            continue  # the Python 3.10 fallbacks
        name, op, version = re.match(r"([A-Za-z0-9_.-]+)\s*(==)\s*(\S+)", req.strip()).groups()
        found[name.lower()] = version
    return found


def test_every_requirement_is_pinned_exactly():
    for path in ("requirements.txt", "requirements-test.txt"):
        for line in (ROOT / path).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line:
                assert "==" in line, f"{path}: {line!r} is not pinned with =="


def test_environment_yml_has_the_same_pins():
    conda = dict(re.findall(r"^\s*-\s*([A-Za-z0-9_.-]+)=([^=\s]+)\s*$",
                            (ROOT / "environment.yml").read_text(), flags=re.M))
    wanted = {**pins("requirements.txt"), **pins("requirements-test.txt")}
    for name, version in wanted.items():
        conda_name = CONDA_NAMES.get(name, name)
        assert conda.get(conda_name) == version, f"environment.yml: {conda_name} should be {version}"
    assert "-e ." in (ROOT / "environment.yml").read_text()


def test_readme_ci_and_pyproject_name_the_same_oldest_python():
    """.ci/run tests the oldest Python the README promises; it reads it from pyproject.toml."""
    oldest = re.search(r'^requires-python = ">=([0-9.]+)"', (ROOT / "pyproject.toml").read_text(), flags=re.M).group(1)
    assert f"Python {oldest} or newer" in (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "requires-python" in ci and 'make test PYTHON="$py"' in ci

