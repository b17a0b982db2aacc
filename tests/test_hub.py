"""The class served by JupyterHub (classroom/hub.py): a real hub, real logins, real servers.

One hub for the module (three students, shared isolation) keeps this to a minute or two. The hub's
proxy is node's configurable-http-proxy from npm: without node/npm these tests are skipped with
the reason, except under CI (`CI` set), where that is a failure.
"""
import asyncio
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from classroom import hub as hubmod
from classroom.hub import HubError, running_hub

ROOT = Path(__file__).resolve().parent.parent
COURSE_NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
RELEASE_DIR = hubmod.RELEASE_DIR   # before the hub fixture points it at a release of its own


def _searchable_tempdir(prefix):
    # Under /tmp, not pytest's tmp_path (mode 700): other unix accounts must reach it (accounts mode).
    path = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(path, 0o711)
    return path


@pytest.fixture(scope="session")
def release_dir():
    """The student release of all notebooks (make assignments' build), once per session, in a tmp
    folder: the hub's default course is the release, and the tests point RELEASE_DIR at this one."""
    from classroom import assignments

    out = _searchable_tempdir("backprop-hub-release-")
    assignments.build(ROOT / "notebooks", out, log=lambda *_: None)
    yield out / "release"
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="module")
def hub(tools_dir, release_dir):
    state = _searchable_tempdir("backprop-hub-state-")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hubmod, "RELEASE_DIR", release_dir)
        # the default course (no course=): the release
        with running_hub(["alice", "bob", "carol"], state_dir=state, tools_dir=tools_dir,
                         isolation="shared") as running:
            yield running
    # Everything the hub started (proxy, servers, kernels) is gone, and the hub stopped it itself.
    assert running.leftovers == [], f"processes left after the hub stopped: {running.leftovers}"
    assert hubmod.marked_processes(state) == []
    shutil.rmtree(state, ignore_errors=True)


def login(hub, name, password):
    """The real login form, with its _xsrf: (session, final response)."""
    session = requests.Session()
    form = session.get(f"{hub.url}/hub/login", timeout=30)
    assert form.status_code == 200
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', form.text).group(1)
    response = session.post(f"{hub.url}/hub/login", timeout=120, allow_redirects=True,
                            data={"username": name, "password": password, "_xsrf": xsrf})
    return session, response


def logged_in(session, hub):
    return session.get(f"{hub.url}/hub/api/user", timeout=30).status_code == 200


def wait_ready(hub, name, ready=True, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, user = hub.api("GET", f"users/{name}")
        assert status == 200, user
        server = user["servers"].get("")
        if (server is not None and server["ready"]) == ready and not (user.get("pending")):
            return
        time.sleep(0.5)
    raise AssertionError(f"{name}'s server did not become {'ready' if ready else 'stopped'}")


def start_server(hub, name):
    status, body = hub.api("POST", f"users/{name}/server")
    assert status in (201, 202, 400), body   # 400: already running
    wait_ready(hub, name)


@pytest.fixture(scope="module")
def alice(hub):
    """Alice logged in through the form, her server started and opened (the OAuth hand-over)."""
    session, response = login(hub, "alice", hub.passwords["alice"])
    assert logged_in(session, hub)
    start_server(hub, "alice")
    lab = session.get(f"{hub.url}/user/alice/lab", timeout=60)
    assert lab.status_code == 200 and "JupyterLab" in lab.text
    return session


BOBS_SECRET = "bob's answer: w = 0.3141"


@pytest.fixture(scope="module")
def bob(hub):
    """Bob's server running, with a file only he should see."""
    session, _ = login(hub, "bob", hub.passwords["bob"])
    start_server(hub, "bob")
    assert session.get(f"{hub.url}/user/bob/lab", timeout=60).status_code == 200
    put = session.put(f"{hub.url}/user/bob/api/contents/bobs-secret.txt",
                      headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/user/bob/")},
                      json={"type": "file", "format": "text", "content": BOBS_SECRET})
    assert put.status_code in (200, 201), put.text
    return session


def user_token(hub, name):
    """A token of `name`'s own, as a student makes on the hub's token page."""
    status, body = hub.api("POST", f"users/{name}/tokens", {"expires_in": 3600, "note": "test"})
    assert status == 201, body
    return body["token"]


def xsrf_headers(session, name):
    return {"X-XSRFToken": session.cookies.get("_xsrf", path=f"/user/{name}/")}


# --- logging in ----------------------------------------------------------------------------------
def test_each_student_has_a_password_and_the_file_is_private(hub):
    assert set(hub.passwords) == {"alice", "bob", "carol", hub.admin}
    assert len(set(hub.passwords.values())) == 4
    assert hub.password_file.stat().st_mode & 0o777 == 0o600
    for name, password in hub.passwords.items():
        assert f"{name} {password}" in hub.password_file.read_text()
    settings = (hub.state_dir / "hub" / "settings.json").read_text()
    assert not any(password in settings for password in hub.passwords.values())


def test_a_student_logs_in_with_their_password(hub):
    session, response = login(hub, "carol", hub.passwords["carol"])
    assert logged_in(session, hub)
    assert session.get(f"{hub.url}/hub/api/user", timeout=30).json()["name"] == "carol"


def test_a_wrong_password_cannot_log_in(hub):
    for name, password in [("alice", "not-her-password"), ("alice", hub.passwords["bob"]),
                           ("alice", "")]:
        session, response = login(hub, name, password)
        assert response.status_code == 403 and "Invalid username or password" in response.text
        assert not logged_in(session, hub)


def test_a_name_not_in_the_class_list_cannot_log_in(hub):
    for name in ["mallory", "root", "alice2"]:
        session, response = login(hub, name, hub.passwords["alice"])
        assert response.status_code == 403
        assert not logged_in(session, hub)


def test_a_login_name_is_case_insensitive(hub):
    # Names are lowercase in the class list; a student typing "Alice" or "ALICE" is still alice.
    for typed in ("Alice", "ALICE", " alice "):
        session, response = login(hub, typed, hub.passwords["alice"])
        assert logged_in(session, hub), typed
        assert session.get(f"{hub.url}/hub/api/user", timeout=30).json()["name"] == "alice"
    session, response = login(hub, "ALICE", hub.passwords["bob"])
    assert response.status_code == 403 and not logged_in(session, hub)


def test_the_instructor_is_an_admin(hub):
    session, _ = login(hub, hub.admin, hub.passwords[hub.admin])
    assert session.get(f"{hub.url}/hub/api/user", timeout=30).json()["admin"] is True
    student, _ = login(hub, "carol", hub.passwords["carol"])
    assert student.get(f"{hub.url}/hub/api/user", timeout=30).json()["admin"] is False


# --- a student's own server ----------------------------------------------------------------------
def test_a_student_starts_from_their_own_copy_of_the_release(hub, alice, release_dir):
    released = sorted(p.name for p in hubmod.release_notebooks(release_dir))
    assert hub.course == "release" and released   # every notebook nbgrader released
    assert set(released) <= set(COURSE_NOTEBOOKS)
    # same layout as notebooks/: home/notebooks/<assignment>.ipynb beside ../lecture-notes.md
    assert sorted(p.name for p in (hub.home("alice") / "notebooks").glob("*.ipynb")) == released
    assert (hub.home("alice") / "lecture-notes.md").is_file()
    listing = alice.get(f"{hub.url}/user/alice/api/contents/notebooks", timeout=30)
    assert listing.status_code == 200
    assert sorted(item["name"] for item in listing.json()["content"]
                  if item["name"].endswith(".ipynb")) == released


def test_a_students_copy_holds_no_solution(hub, alice):
    # The course notebooks do fold solutions in: the check below could fail.
    assert any("<summary>Solution" in (ROOT / "notebooks" / name).read_text()
               for name in COURSE_NOTEBOOKS)
    for path in (hub.home("alice") / "notebooks").glob("*.ipynb"):
        text = path.read_text()
        for mark in ("<summary>Solution", "BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS"):
            assert mark not in text, (path.name, mark)


def test_a_student_runs_code_with_nnlib_in_a_kernel(hub, alice):
    kernel = alice.post(f"{hub.url}/user/alice/api/kernels", headers=xsrf_headers(alice, "alice"),
                        json={"name": "python3"}, timeout=60)
    assert kernel.status_code == 201, kernel.text
    status, out, error = hubmod.kernel_execute(
        f"{hub.url}/user/alice", kernel.json()["id"],
        "import os, nnlib, numpy as np\n"
        "from nnlib.losses import softmax\n"
        "print(os.getcwd())\nprint(f'{softmax(np.array([[0.0, np.log(3.0)]]))[0, 1]:.4f}')",
        cookies=alice.cookies, xsrf=alice.cookies.get("_xsrf", path="/user/alice/"))
    assert (status, error) == ("ok", None)
    cwd, value = out.split()
    assert Path(cwd) == hub.home("alice")
    assert value == "0.7500"

    async def from_a_running_event_loop():   # as under Playwright's sync API (tests/browser)
        return hubmod.kernel_execute(f"{hub.url}/user/alice", kernel.json()["id"], "print(6 * 7)",
                                     cookies=alice.cookies,
                                     xsrf=alice.cookies.get("_xsrf", path="/user/alice/"))
    with ThreadPoolExecutor(max_workers=1) as pool:   # a loop of our own, whatever runs here already
        assert pool.submit(asyncio.run, from_a_running_event_loop()).result() == ("ok", "42\n", None)


# --- isolation -----------------------------------------------------------------------------------
BOB_URLS = ["/user/bob/api/contents", "/user/bob/api/contents/bobs-secret.txt",
            "/user/bob/api/kernels", "/user/bob/lab"]


def test_alices_token_is_refused_on_bobs_server(hub, alice, bob):
    token = user_token(hub, "alice")
    own = requests.get(f"{hub.url}/user/alice/api/contents",
                       headers={"Authorization": f"token {token}"}, timeout=30)
    assert own.status_code == 200   # the token works: what follows is refused for being Bob's
    for url in BOB_URLS:
        response = requests.get(hub.url + url, headers={"Authorization": f"token {token}"},
                                timeout=30, allow_redirects=False)
        assert response.status_code == 403, url
        assert BOBS_SECRET not in response.text
    started = requests.post(f"{hub.url}/user/bob/api/kernels", json={"name": "python3"},
                            headers={"Authorization": f"token {token}"}, timeout=30)
    assert started.status_code == 403


def test_alices_cookies_are_refused_on_bobs_server(hub, alice, bob):
    for url in BOB_URLS:
        response = alice.get(hub.url + url, timeout=30)
        assert response.status_code == 403 or "/hub/login" in response.url, url
        assert BOBS_SECRET not in response.text
    started = alice.post(f"{hub.url}/user/bob/api/kernels", json={"name": "python3"},
                         headers=xsrf_headers(alice, "alice"), timeout=30)
    assert started.status_code in (403, 405) or "/hub/login" in started.url
    # and Bob's own session still sees his file
    assert bob.get(f"{hub.url}/user/bob/api/contents/bobs-secret.txt",
                   timeout=30).json()["content"] == BOBS_SECRET


def test_alice_cannot_start_or_stop_bobs_server_through_the_hub(hub, alice, bob):
    token = user_token(hub, "alice")
    for method in ("POST", "DELETE"):
        status, _ = hub.api(method, "users/bob/server", token=token)
        assert status in (403, 404), method
    _, user = hub.api("GET", "users/bob")
    assert user["servers"][""]["ready"]


# --- work survives ------------------------------------------------------------------------------
def test_saved_work_survives_a_stop_and_start_of_the_server(hub):
    session, _ = login(hub, "carol", hub.passwords["carol"])
    start_server(hub, "carol")
    assert session.get(f"{hub.url}/user/carol/lab", timeout=60).status_code == 200
    notebook = {"cells": [{"cell_type": "code", "source": "w = 3.25  # carol's work", "metadata": {},
                           "outputs": [], "execution_count": None}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    url = f"{hub.url}/user/carol/api/contents/notebooks/my-work.ipynb"
    put = session.put(url, headers=xsrf_headers(session, "carol"),
                      json={"type": "notebook", "content": notebook}, timeout=30)
    assert put.status_code == 201, put.text
    # and she edits a course notebook: a later start must not copy the course over it
    course_nb = hub.home("carol") / "notebooks" / "07-training.ipynb"
    course_nb.write_text(course_nb.read_text().replace("Training", "Training (carol's notes)", 1))
    edited = course_nb.read_text()

    status, _ = hub.api("DELETE", "users/carol/server")
    assert status in (202, 204)
    wait_ready(hub, "carol", ready=False)
    assert session.get(url, timeout=30, allow_redirects=False).status_code != 200   # really stopped
    start_server(hub, "carol")
    assert session.get(f"{hub.url}/user/carol/lab", timeout=60).status_code == 200
    saved = session.get(url, timeout=30)
    assert saved.status_code == 200
    assert saved.json()["content"]["cells"][0]["source"] == "w = 3.25  # carol's work"
    assert course_nb.read_text() == edited


# --- accounts --------------------------------------------------------------------------------------
def test_accounts_isolation_refuses_without_root(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(HubError, match=r"isolation='accounts'.*needs root"):
        with running_hub(["alice"], state_dir=tmp_path, isolation="accounts", course="notebooks"):
            pass
    assert not any(tmp_path.iterdir())   # refused before touching anything


def test_accounts_isolation_a_kernel_cannot_read_another_students_home(tools_dir):
    if os.geteuid() != 0:
        # Not root: the mode must refuse, clearly (the monkeypatched test above checks the text).
        with pytest.raises(HubError, match="needs root"):
            with running_hub(["hubtest-ann"], state_dir=_searchable_tempdir("x"), isolation="accounts",
                             course="notebooks"):
                pass
        return
    names = ["hubtest-ann", "hubtest-ben"]
    state = _searchable_tempdir("backprop-hub-accounts-")
    try:
        with running_hub(names, state_dir=state, tools_dir=tools_dir, isolation="accounts",
                         startup_timeout=300, course="notebooks") as hub:
            for name in names:
                start_server(hub, name)
                home = hub.home(name)
                assert home.stat().st_mode & 0o777 == 0o700
                assert home.owner() == name
            token = user_token(hub, "hubtest-ann")
            server = f"{hub.url}/user/hubtest-ann"
            kernel = requests.post(f"{server}/api/kernels", json={"name": "python3"},
                                   headers={"Authorization": f"token {token}"}, timeout=60)
            assert kernel.status_code == 201, kernel.text
            ben = hub.home("hubtest-ben")
            code = ("import os, pwd, nnlib\n"
                    "print(pwd.getpwuid(os.getuid()).pw_name)\n"
                    "print(len(open('notebooks/00-start-here.ipynb').read()) > 0)\n")
            status, out, error = hubmod.kernel_execute(server, kernel.json()["id"], code, token=token)
            assert (status, error, out.split()) == ("ok", None, ["hubtest-ann", "True"])
            for attempt in (f"os.listdir({str(ben)!r})",
                            f"open({str(ben / 'notebooks' / '00-start-here.ipynb')!r}).read()"):
                status, out, error = hubmod.kernel_execute(server, kernel.json()["id"], attempt,
                                                           token=token)
                assert status == "error" and error.startswith("PermissionError"), (attempt, error)
            # the password file and the hub's settings are out of a student's reach too
            status, out, error = hubmod.kernel_execute(
                server, kernel.json()["id"], f"open({str(hub.password_file)!r}).read()", token=token)
            assert error.startswith("PermissionError")
        assert hub.leftovers == [] and hubmod.marked_processes(state) == []
    finally:
        hubmod.remove_accounts(names)
        shutil.rmtree(state, ignore_errors=True)


def test_accounts_never_takes_over_an_existing_account():
    existing = next(name for name in ("root", "daemon", "nobody") if hubmod._account(name))
    with pytest.raises(HubError, match=f"{existing!r} is already a unix account"):
        hubmod.check_accounts(["alice-x", existing])


# --- the launcher's inputs -------------------------------------------------------------------------
def write(tmp_path, text):
    path = tmp_path / "class.txt"
    path.write_text(text)
    return path


def test_the_class_list_file_ignores_comments_and_blank_lines(tmp_path):
    path = write(tmp_path, "# my class\nada\n\n  alan  # second row\ngrace_h\n")
    assert hubmod.read_class_list(path) == ["ada", "alan", "grace_h"]
    assert hubmod.read_class_list(ROOT / "classroom" / "class-list.example.txt")


@pytest.mark.parametrize("bad, line", [("ada\nBob\n", 2), ("ada\n\nbo b\n", 3), ("1ada\n", 1),
                                       ("ada\nal/an\n", 2), ("x" * 33 + "\n", 1), ("ada\nzoë\n", 2)])
def test_a_bad_name_names_the_file_the_line_and_the_rule(tmp_path, bad, line):
    path = write(tmp_path, bad)
    with pytest.raises(HubError, match=rf"{re.escape(str(path))}, line {line}: .* is not a valid "
                                       r"student name: a name is 1 to 32 characters: lowercase"):
        hubmod.read_class_list(path)


def test_a_duplicate_name_is_refused(tmp_path):
    path = write(tmp_path, "ada\nalan\nada\n")
    with pytest.raises(HubError, match=r"line 3: 'ada' is listed twice \(first at line 1\)"):
        hubmod.read_class_list(path)
    with pytest.raises(HubError, match=r"class_list\[2\]: 'ada' is listed twice"):
        hubmod.validate_names(["ada", "alan", "ada"])


def test_a_missing_or_empty_class_list_is_refused(tmp_path):
    with pytest.raises(HubError, match=r"class list .*nope.txt: no such file"):
        hubmod.read_class_list(tmp_path / "nope.txt")
    with pytest.raises(HubError, match="names no student"):
        hubmod.read_class_list(write(tmp_path, "# nobody yet\n"))


def test_running_hub_refuses_bad_arguments_before_starting_anything(tmp_path):
    state = tmp_path / "state"
    for kwargs, message in [(dict(class_list=["ada", "ada"]), "listed twice"),
                            (dict(class_list=["ada"], isolation="private"), "isolation='private'"),
                            (dict(class_list=["ada"], admin="ada"), "admin='ada' is also in the class"),
                            (dict(class_list=["ada"], port=70000), "port=70000"),
                            (dict(class_list=tmp_path / "missing.txt"), "no such file")]:
        kwargs = dict(kwargs)
        with pytest.raises(HubError, match=re.escape(message)):
            with running_hub(state_dir=state, isolation=kwargs.pop("isolation", "shared"),
                             course="notebooks", **kwargs):
                pass
    assert not state.exists()


def test_passwords_are_kept_across_restarts_and_a_new_student_gets_one(tmp_path):
    path = tmp_path / "passwords.txt"
    first = hubmod.load_passwords(path, ["ada", "alan"])
    assert path.stat().st_mode & 0o777 == 0o600
    again = hubmod.load_passwords(path, ["ada", "alan", "grace"])
    assert {k: again[k] for k in first} == first
    assert again["grace"] not in first.values()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", again["grace"])


def test_a_student_taken_off_the_list_keeps_their_password_line(tmp_path):
    path = tmp_path / "passwords.txt"
    first = hubmod.load_passwords(path, ["ada", "alan", "grace"])
    now = hubmod.load_passwords(path, ["ada", "grace"])
    assert set(now) == {"ada", "grace"}   # alan no longer logs in (the hub gets `now`)
    assert f"alan {first['alan']}" in path.read_text()
    back = hubmod.load_passwords(path, ["ada", "alan", "grace"])
    assert back == first


def test_the_hub_compares_salted_hashes():
    stored = hubmod.hash_password("abcd-efgh-jkmn")
    assert "abcd-efgh-jkmn" not in stored
    assert hubmod.check_password("abcd-efgh-jkmn", stored)
    assert not hubmod.check_password("abcd-efgh-jkmm", stored)
    assert hubmod.hash_password("abcd-efgh-jkmn") != stored   # a fresh salt each time


def test_make_hub_without_a_class_list_says_how_to_give_one():
    import subprocess

    done = subprocess.run(["make", "-s", "hub"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0
    assert "make hub CLASS=path/to/list.txt" in done.stdout + done.stderr


# --- which course the homes get --------------------------------------------------------------------
def test_the_default_course_is_the_release_of_make_assignments():
    import inspect

    assert inspect.signature(running_hub).parameters["course"].default == "release"
    assert RELEASE_DIR == ROOT / "build" / "classroom" / "release"
    parser_default = None

    def fake_running_hub(*args, **kwargs):
        nonlocal parser_default
        parser_default = kwargs["course"]
        raise HubError("stop here")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hubmod, "running_hub", fake_running_hub)
        assert hubmod.main(["class.txt", "--isolation", "shared"]) == 2
    assert parser_default == "release"


def test_a_missing_release_says_to_run_make_assignments(tmp_path):
    for folder in (tmp_path / "missing", tmp_path):
        with pytest.raises(HubError, match=r"holds no assignment: run `make assignments` first.*"
                                           r"COURSE=notebooks"):
            hubmod.course_source(folder)
    with pytest.raises(HubError, match=r"course='solutions': expected 'release'"):
        hubmod.course_source("solutions")


def test_a_release_holding_a_solution_is_refused(tmp_path, release_dir):
    release = tmp_path / "release"
    shutil.copytree(release_dir, release)
    assert hubmod.course_source(release) == ("release", release.resolve())
    leaky = release / "07-training" / "07-training.ipynb"
    leaky.write_text(leaky.read_text().replace("Training", "<details><summary>Solution</summary>", 1))
    with pytest.raises(HubError, match=r"07-training.ipynb contains '<summary>Solution'"):
        hubmod.course_source(release)


def test_the_release_is_copied_flat_into_notebooks_without_solutions(tmp_path, release_dir):
    home = tmp_path / "ann"
    assert hubmod.copy_course_into("release", release_dir, home)
    copied = sorted(p.name for p in (home / "notebooks").iterdir())
    assert copied == sorted(p.name for p in hubmod.release_notebooks(release_dir))
    assert "07-training.ipynb" in copied
    assert not any("<summary>Solution" in (home / "notebooks" / n).read_text() for n in copied)
    assert not hubmod.copy_course_into("release", release_dir, home)   # once: her work stays


def test_course_notebooks_gives_the_self_learner_notebooks_with_their_solutions(tmp_path):
    kind, source = hubmod.course_source("notebooks")
    home = tmp_path / "ann"
    assert hubmod.copy_course_into(kind, source, home)
    assert sorted(p.name for p in (home / "notebooks").glob("*.ipynb")) == COURSE_NOTEBOOKS
    assert any("<summary>Solution" in p.read_text() for p in (home / "notebooks").glob("*.ipynb"))
    assert (home / "lecture-notes.md").is_file()


def _make_dry_run(*args):
    import subprocess

    done = subprocess.run(["make", "-n", "hub", "CLASS=x.txt", *args], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_hub_builds_the_release_first_when_missing_or_older_than_the_notebooks(tmp_path):
    stamp = tmp_path / "release-built"
    assert "classroom/assignments.py" in _make_dry_run(f"RELEASE_STAMP={stamp}")   # missing
    stamp.touch()
    os.utime(stamp, (0, 0))   # older than notebooks/
    assert "classroom/assignments.py" in _make_dry_run(f"RELEASE_STAMP={stamp}")
    future = time.time() + 3600
    os.utime(stamp, (future, future))
    fresh = _make_dry_run(f"RELEASE_STAMP={stamp}")
    assert "classroom/assignments.py" not in fresh and '--course "release"' in fresh
    os.utime(stamp, (0, 0))
    ungraded = _make_dry_run(f"RELEASE_STAMP={stamp}", "COURSE=notebooks")
    assert "classroom/assignments.py" not in ungraded and '--course "notebooks"' in ungraded


# --- isolation as root ------------------------------------------------------------------------------
def test_as_root_the_default_isolation_is_accounts():
    assert hubmod.choose_isolation(None, euid=0) == ("accounts", None)
    assert hubmod.choose_isolation(None, euid=1000) == ("shared", None)
    assert hubmod.choose_isolation("accounts", euid=0) == ("accounts", None)
    assert hubmod.choose_isolation("shared", euid=1000) == ("shared", None)
    isolation, warning = hubmod.choose_isolation("shared", euid=0)
    assert isolation == "shared"
    for words in ("kernel runs as root", "passwords.txt", "every file", "gradebook"):
        assert words in warning


def test_make_hub_leaves_isolation_to_the_launcher_unless_asked():
    assert "--isolation" not in _make_dry_run()
    assert '--isolation "shared"' in _make_dry_run("ISOLATION=shared")


@pytest.mark.parametrize("euid, asked, chosen, warned", [(0, [], "accounts", False),
                                                          (0, ["--isolation", "shared"], "shared", True),
                                                          (1000, [], "shared", False)])
def test_the_command_warns_when_shared_runs_kernels_as_root(monkeypatch, capsys, euid, asked, chosen,
                                                            warned):
    seen = {}

    def fake_running_hub(*args, **kwargs):
        seen.update(kwargs)
        raise HubError("stop here")
    monkeypatch.setattr(os, "geteuid", lambda: euid)
    monkeypatch.setattr(hubmod, "running_hub", fake_running_hub)
    assert hubmod.main(["class.txt", *asked]) == 2
    assert seen["isolation"] == chosen
    err = capsys.readouterr().err
    assert ("passwords.txt" in err and "kernel runs as root" in err) == warned
