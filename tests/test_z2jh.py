"""The Zero to JupyterHub files in classroom/z2jh/: the Helm values, the image and the home populator.

No Kubernetes cluster, no helm and no container daemon run here, and nothing may need the internet at
test time, so the chart's values schema cannot be fetched. What the chart expects was looked up once
and is written down below, with where it comes from:

- the chart's values schema, ``jupyterhub/values.schema.yaml`` in jupyterhub/zero-to-jupyterhub-k8s:
  every level used here is ``additionalProperties: false`` (a misspelt key fails ``helm install``);
  ``singleuser.cpu.limit``/``guarantee`` are ``number``; ``singleuser.memory.limit``/``guarantee``
  are number or string; ``singleuser.image`` requires string ``name`` and ``tag``;
  ``singleuser.storage`` requires ``type`` (``dynamic``, ``static`` or ``none``) and
  ``homeMountPath``; ``singleuser.lifecycleHooks`` takes ``postStart``/``preStop``;
  ``cull.enabled`` is required, ``cull.timeout``/``every``/``maxAge`` are integers;
  ``hub.config`` passes traitlets through (``JupyterHub.authenticator_class``);
- which JupyterHub a chart's hub pod runs: the chart's changelog (``docs/source/changelog.md``:
  "4.4.0 upgrades JupyterHub to 5.5.0", 2026-06-10, the newest stable release found), and that the
  single-user server must share the hub's major version (JupyterHub's maintainers: "as long as the
  major version matches, it should work").
"""

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
Z2JH = ROOT / "classroom" / "z2jh"

# The JupyterHub each stable chart release runs in its hub pod (the chart's changelog).
CHART_HUB_VERSION = {"4.4.0": "5.5.0"}

# Keys the schema allows at the levels config.yaml uses (a subset of each: the ones we may set).
TOP_LEVEL = {"hub", "proxy", "singleuser", "cull", "scheduling", "prePuller", "ingress", "custom",
             "debug", "rbac", "global", "imagePullSecret", "imagePullSecrets", "fullnameOverride",
             "nameOverride", "enabled"}
SINGLEUSER = {"networkPolicy", "podNameTemplate", "cpu", "memory", "image", "initContainers",
              "profileList", "extraFiles", "extraEnv", "nodeSelector", "extraTolerations",
              "extraNodeAffinity", "extraPodAffinity", "extraPodAntiAffinity", "cloudMetadata", "cmd",
              "defaultUrl", "events", "extraAnnotations", "extraContainers", "extraLabels",
              "extraPodConfig", "extraResource", "fsGid", "lifecycleHooks", "networkTools",
              "serviceAccountName", "startTimeout", "storage", "allowPrivilegeEscalation", "uid"}
STORAGE = {"capacity", "dynamic", "extraLabels", "extraVolumeMounts", "extraVolumes", "homeMountPath",
           "static", "type"}
CULL = {"enabled", "users", "adminUsers", "removeNamedServers", "timeout", "every", "concurrency",
        "maxAge"}
IMAGE = {"name", "tag", "pullPolicy", "pullSecrets"}


@pytest.fixture(scope="module")
def config():
    return yaml.safe_load((Z2JH / "config.yaml").read_text())


@pytest.fixture(scope="module")
def dockerfile():
    return (Z2JH / "Dockerfile").read_text()


@pytest.fixture(scope="module")
def readme():
    return (Z2JH / "README.md").read_text()


def test_only_keys_the_chart_knows(config):
    assert set(config) <= TOP_LEVEL, set(config) - TOP_LEVEL
    singleuser = config["singleuser"]
    assert set(singleuser) <= SINGLEUSER, set(singleuser) - SINGLEUSER
    assert set(singleuser["storage"]) <= STORAGE, set(singleuser["storage"]) - STORAGE
    assert set(singleuser["image"]) <= IMAGE, set(singleuser["image"]) - IMAGE
    assert set(singleuser["cpu"]) <= {"limit", "guarantee"}
    assert set(singleuser["memory"]) <= {"limit", "guarantee"}
    assert set(singleuser["lifecycleHooks"]) <= {"postStart", "preStop"}
    assert set(config["cull"]) <= CULL, set(config["cull"]) - CULL


def test_image_is_named_with_string_name_and_tag(config):
    image = config["singleuser"]["image"]
    # An unquoted tag such as 2026.1 would be read as a float and refused by the schema.
    assert isinstance(image["name"], str) and image["name"]
    assert isinstance(image["tag"], str) and image["tag"]


def test_the_readme_builds_and_pushes_the_image_config_names(config, readme):
    image = config["singleuser"]["image"]
    wanted = f"{image['name']}:{image['tag']}"
    built = re.findall(r"docker build -f classroom/z2jh/Dockerfile -t (\S+) \.", readme)
    pushed = re.findall(r"docker push (\S+)", readme)
    assert built == [wanted], (built, wanted)
    assert pushed == [wanted], (pushed, wanted)


def test_dockerfile_installs_the_course_environment_from_environment_yml(dockerfile):
    assert re.search(r"^COPY \. /opt/course$", dockerfile, re.M)
    assert re.search(r"^WORKDIR /opt/course$", dockerfile, re.M)
    assert re.search(r"micromamba install --yes --name base --file environment.yml", dockerfile)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    # nnlib comes from the copied course through environment.yml's pip section
    pip = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-e ." in pip


def _jupyterhub_in_image(dockerfile):
    """The JupyterHub version the image ends with: the Dockerfile's override if any, else environment.yml's."""
    override = re.search(r"^ARG JUPYTERHUB_VERSION=(\S+)$", dockerfile, re.M)
    if override:
        assert '"jupyterhub=${JUPYTERHUB_VERSION}"' in dockerfile
        return override.group(1)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("jupyterhub=")]
    assert pins, "environment.yml does not pin jupyterhub: the image would have no single-user server"
    return pins[0].split("=", 1)[1]


def test_single_user_jupyterhub_shares_the_charts_hub_major_version(dockerfile, readme):
    chart = re.findall(r"--version (\S+)", readme)
    assert len(chart) == 1, chart
    assert chart[0] in CHART_HUB_VERSION, f"chart {chart[0]}: look up the JupyterHub it runs"
    hub = CHART_HUB_VERSION[chart[0]]
    image = _jupyterhub_in_image(dockerfile)
    assert image.split(".")[0] == hub.split(".")[0], (image, hub)


def test_the_students_account_and_home_agree_with_the_image(config, dockerfile):
    singleuser = config["singleuser"]
    uid, gid = singleuser["uid"], singleuser["fsGid"]
    assert re.search(rf"useradd --uid {uid} --gid {gid} ", dockerfile)
    home = singleuser["storage"]["homeMountPath"]
    assert re.search(rf"HOME={re.escape(home)}\b", dockerfile)
    assert singleuser["cmd"] == re.search(r'^CMD \["(\S+)"\]$', dockerfile, re.M).group(1)


def test_the_course_is_copied_into_each_home_without_overwriting(config, dockerfile):
    command = config["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    installed = re.search(r"install -m 755 classroom/z2jh/populate-home.sh /usr/local/bin/(\S+)",
                          dockerfile).group(1)
    assert command[0] == installed
    source, target = command[1:]
    assert source == "/opt/course/notebooks"
    assert target.startswith(config["singleuser"]["storage"]["homeMountPath"] + "/")


def test_per_student_resources_are_guaranteed_and_limited(config):
    singleuser = config["singleuser"]
    cpu, memory = singleuser["cpu"], singleuser["memory"]
    for value in cpu.values():
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
    assert 0 < cpu["guarantee"] <= cpu["limit"]
    assert 0 < _bytes(memory["guarantee"]) <= _bytes(memory["limit"])


def test_memory_guarantee_covers_what_the_load_test_measured(config):
    """README's "Teaching a class" gives the load test's largest memory per student; the guarantee covers it."""
    text = (ROOT / "README.md").read_text()
    measured = re.findall(r"memory per student \(server and kernel\): median (\d+) MiB, largest (\d+) MiB",
                          text)
    assert measured, "README.md does not give the load test's memory per student"
    largest = max(int(m[1]) for m in measured) * 2**20
    assert _bytes(config["singleuser"]["memory"]["guarantee"]) >= largest


def test_idle_servers_are_culled_and_users_kept(config):
    cull = config["cull"]
    assert cull["enabled"] is True
    assert cull["users"] is False
    for key in ("timeout", "every"):
        assert isinstance(cull[key], int) and cull[key] > 0
    assert cull["every"] < cull["timeout"]


def test_each_student_has_a_persistent_home(config):
    storage = config["singleuser"]["storage"]
    assert storage["type"] == "dynamic"
    assert re.fullmatch(r"\d+(Mi|Gi)", storage["capacity"])


def test_an_authenticator_is_chosen(config):
    hub_config = config["hub"]["config"]
    assert hub_config["JupyterHub"]["authenticator_class"] == "github"
    assert hub_config["Authenticator"]["allowed_users"]
    assert hub_config["Authenticator"]["admin_users"]
    # secrets stay out of the file in git (README: secrets.yaml)
    assert "client_secret" not in hub_config.get("GitHubOAuthenticator", {})


def _bytes(quantity):
    """A Kubernetes memory quantity ('512M', '1G', '1Gi', 2**30) in bytes."""
    if isinstance(quantity, (int, float)):
        return int(quantity)
    units = {"K": 10**3, "M": 10**6, "G": 10**9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]i?)", quantity).groups()
    return int(float(number) * units[unit])


# populate-home.sh: what the postStart hook runs on every start of a student's server.

@pytest.fixture
def course(tmp_path):
    src = tmp_path / "image" / "notebooks"
    (src / "sub").mkdir(parents=True)
    (src / "07-training.ipynb").write_text("shipped 07")
    (src / "sub" / "data.txt").write_text("shipped data")
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "07-training-checkpoint.ipynb").write_text("checkpoint")
    return src


def _populate(src, dest, home):
    return subprocess.run(["sh", str(Z2JH / "populate-home.sh"), str(src), str(dest)],
                          capture_output=True, text=True, env={**os.environ, "HOME": str(home)})


def test_populate_home_copies_the_course_on_first_start(course, tmp_path):
    home = tmp_path / "home"
    dest = home / "notebooks"
    result = _populate(course, dest, home)
    assert result.returncode == 0, result.stderr
    assert (dest / "07-training.ipynb").read_text() == "shipped 07"
    assert (dest / "sub" / "data.txt").read_text() == "shipped data"
    assert not (dest / ".ipynb_checkpoints" / "07-training-checkpoint.ipynb").exists()


def test_populate_home_never_overwrites_a_students_work_and_adds_new_notebooks(course, tmp_path):
    home = tmp_path / "home"
    dest = home / "notebooks"
    assert _populate(course, dest, home).returncode == 0
    (dest / "07-training.ipynb").write_text("the student's answers")
    (dest / "sub" / "data.txt").unlink()
    (course / "15-new.ipynb").write_text("added in a newer image")
    (course / "07-training.ipynb").write_text("a newer 07 in the image")
    result = _populate(course, dest, home)
    assert result.returncode == 0, result.stderr
    assert (dest / "07-training.ipynb").read_text() == "the student's answers"
    assert (dest / "15-new.ipynb").read_text() == "added in a newer image"
    # a file the student deleted comes back: the hook cannot tell a deletion from a first start
    assert (dest / "sub" / "data.txt").read_text() == "shipped data"


def test_populate_home_defaults_to_the_image_paths_and_refuses_a_missing_source(tmp_path):
    result = _populate(tmp_path / "no-such-folder", tmp_path / "dest", tmp_path)
    assert result.returncode != 0
    assert "no-such-folder does not exist" in result.stderr
    text = (Z2JH / "populate-home.sh").read_text()
    assert "src=${1:-/opt/course/notebooks}" in text
    assert 'dest=${2:-$HOME/notebooks}' in text


# --- what stays out of the image ----------------------------------------------------------------
def _docker_ignores(path):
    """Docker's .dockerignore rules for the patterns used here: `**` any folders, `*` within one
    name; a pattern that matches a folder excludes everything under it."""
    patterns = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert not line.startswith("!"), f"{path}: exceptions are not handled by this check"
        regex = ""
        for part in re.split(r"(\*\*/|\*\*|\*|\?)", line.strip("/")):
            regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
        patterns.append(re.compile(regex))

    def ignored(relpath):
        parts = relpath.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        return any(p.fullmatch(prefix) for p in patterns for prefix in prefixes)
    return ignored


SECRETS = ["classroom-state/passwords.txt", "classroom-state/hub/jupyterhub_cookie_secret",
           "classroom-state/hub/jupyterhub.sqlite", "classroom-state/hub/settings.json",
           "classroom-state/homes/ann/notebooks/07-training.ipynb",
           "classroom-state-spring/passwords.txt",
           "build/classroom/source/07-training/07-training.ipynb", "build/classroom/gradebook.db",
           "build/classroom/submitted/ann/07-training/07-training.ipynb",
           "somewhere/else/passwords.txt", ".venv/bin/python", ".git/config"]
NEEDED = ["environment.yml", "pyproject.toml", "nnlib/__init__.py", "notebooks/07-training.ipynb",
          "classroom/z2jh/populate-home.sh", "lecture-notes.md"]


@pytest.mark.parametrize("ignore_file", [Z2JH / "Dockerfile.dockerignore", ROOT / ".dockerignore"],
                         ids=["buildkit-Dockerfile.dockerignore", "legacy-root-.dockerignore"])
def test_the_build_context_leaves_out_secrets_and_state(ignore_file):
    # BuildKit reads the Dockerfile's own ignore file, the legacy builder only the context root's
    # .dockerignore: the context is the repository's root, so both must keep the secrets out.
    ignored = _docker_ignores(ignore_file)
    assert [path for path in SECRETS if not ignored(path)] == []
    assert [path for path in NEEDED if ignored(path)] == []


def test_both_ignore_files_hold_the_same_patterns():
    def patterns(path):
        return [line.strip() for line in path.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert patterns(Z2JH / "Dockerfile.dockerignore") == patterns(ROOT / ".dockerignore")
