"""The course served to a class by JupyterHub on this machine: `make hub CLASS=class-list.txt`.

    python -m classroom.hub CLASS_LIST [--ip 127.0.0.1] [--port 8000] [--isolation accounts|shared]
                            [--course release|notebooks] [--admin NAME] [--state-dir classroom-state]

What it does, each step idempotent so that a restart keeps everything:
  1. reads the class list (one student name per line; `#` comments and blank lines ignored);
  2. gives every student, and the instructor (`--admin`, an admin of the hub), a password of their
     own, generated on the first start and kept in STATE/passwords.txt (mode 600) for the
     instructor to hand out; the hub itself only sees salted hashes;
  3. installs configurable-http-proxy from npm into STATE/tools/proxy when it is missing;
  4. with `--isolation accounts` (root only): creates one unix account per student and a second
     environment, STATE/tools/hub-venv, that those accounts can run;
  5. starts JupyterHub with classroom/jupyterhub_config.py and waits until it answers.
Each student's server starts in their own home STATE/homes/<name>, from a copy of the course made
on their first start: by default the student release of `make assignments` (no solutions);
`--course notebooks` copies the self-learner notebooks, solutions folded in (an ungraded class).
`--isolation` defaults to accounts as root (shared as root runs every kernel as root: only when
asked for, with a warning) and to shared otherwise. Ctrl-C stops the hub, the proxy and every student's server.

Importable, for the tests and the load test:

    with running_hub(["alice", "bob"], state_dir=tmp) as hub:
        hub.url, hub.passwords["alice"], hub.api_token, hub.home("alice")

and `kernel_execute(...)`, which runs code in a kernel of a student's server through the Jupyter
server API (the websocket channel) as a student's browser does.
"""
from __future__ import annotations

import argparse
import contextlib
import getpass
import hashlib
import hmac
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = Path(__file__).resolve().parent / "jupyterhub_config.py"
PROXY_PACKAGE = "configurable-http-proxy@5.3.0"
# Set in every process the hub starts (proxy, servers, kernels): how the launcher finds them on exit.
MARK_VARIABLE = "BACKPROP_HUB_STATE"
# The GECOS field of the unix accounts the launcher creates: it never touches an account without it.
ACCOUNT_MARK = "backprop-course hub student"
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_-]{0,31}")
NAME_RULE = ("a name is 1 to 32 characters: lowercase letters a-z, digits, '-' and '_', "
             "starting with a letter (it becomes part of URLs, and of a unix account name with "
             "--isolation accounts)")
ISOLATIONS = ("shared", "accounts")


class HubError(Exception):
    """A problem the instructor can fix: the message says what and where."""


class ProxyUnavailable(HubError):
    """node/npm are missing or configurable-http-proxy could not be installed."""


# --- the class list ----------------------------------------------------------------------------
def read_class_list(path) -> list[str]:
    """The student names in a class-list file: one per line, `#` comments and blank lines ignored."""
    path = Path(path)
    if not path.is_file():
        raise HubError(f"class list {path}: no such file (one student name per line, see "
                       f"classroom/class-list.example.txt)")
    names, lines = [], []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
            lines.append(number)
    return validate_names(names, source=str(path), line_numbers=lines)


def validate_names(names, source="class_list", line_numbers=None) -> list[str]:
    """The names, checked: each a valid name, none twice, at least one."""
    if isinstance(names, (str, bytes)):
        raise HubError(f"{source}: expected a list of names or a file path, got the string {names!r}"
                       " (wrap it in a list, or pass a Path)")
    names = list(names)
    seen = {}
    for i, name in enumerate(names):
        where = f"{source}, line {line_numbers[i]}" if line_numbers else f"{source}[{i}]"
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise HubError(f"{where}: {name!r} is not a valid student name: {NAME_RULE}")
        if name in seen:
            raise HubError(f"{where}: {name!r} is listed twice (first at "
                           f"{'line ' + str(seen[name]) if line_numbers else 'index ' + str(seen[name])})")
        seen[name] = line_numbers[i] if line_numbers else i
    if not names:
        raise HubError(f"{source}: the class list names no student")
    return names


# --- passwords ---------------------------------------------------------------------------------
def new_password() -> str:
    """Twelve characters in three groups, from an alphabet without look-alikes (l, 1, 0, o)."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    chars = [secrets.choice(alphabet) for _ in range(12)]
    return "-".join("".join(chars[i:i + 4]) for i in range(0, 12, 4))


def hash_password(password: str, salt: bytes | None = None) -> str:
    """'scrypt$<salt hex>$<hash hex>': what the hub stores and compares."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2 ** 14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    scheme, salt, _ = stored.split("$")
    if scheme != "scrypt":
        return False
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)


def load_passwords(path: Path, names) -> dict[str, str]:
    """Everyone's password, generating those missing; the file keeps existing ones (restarts).

    The line of a name no longer in `names` stays too, below the others: it no longer logs in (the
    hub knows only `names`), and a student put back on the list gets the same password again.
    """
    passwords = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                name, password = line.split()
                passwords[name] = password
    for name in names:
        passwords.setdefault(name, new_password())
    text = "# name password  (hand each student their line; keep this file private)\n"
    text += "".join(f"{name} {passwords[name]}\n" for name in names)
    former = [name for name in passwords if name not in names]
    if former:
        text += "# not in the class list now (cannot log in; the same password if put back):\n"
        text += "".join(f"{name} {passwords[name]}\n" for name in former)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return {name: passwords[name] for name in names}


# --- the course in a home ----------------------------------------------------------------------
COURSES = ("release", "notebooks")
RELEASE_DIR = ROOT / "build" / "classroom" / "release"
LECTURE_NOTES = ROOT / "lecture-notes.md"
# What a student's copy must never hold: a folded solution of the self-learner notebooks, or one of
# nbgrader's solution and hidden-test regions (a release written from a source by hand, say).
SOLUTION_MARKS = re.compile(r"<summary>\s*Solution|BEGIN SOLUTION|BEGIN HIDDEN TESTS")


def release_notebooks(folder: Path) -> list[Path]:
    """The notebooks of an nbgrader release folder: FOLDER/<assignment>/<assignment>.ipynb."""
    folder = Path(folder)
    found = sorted(d / f"{d.name}.ipynb" for d in folder.iterdir()
                   if (d / f"{d.name}.ipynb").is_file()) if folder.is_dir() else []
    if not found:
        raise HubError(f"course: the student release {folder} holds no assignment: run "
                       f"`make assignments` first (make hub does it), or serve the self-learner "
                       f"notebooks, whose solutions are folded in, with COURSE=notebooks "
                       f"(--course notebooks) for an ungraded class")
    for path in found:
        mark = SOLUTION_MARKS.search(path.read_text(encoding="utf-8"))
        if mark:
            raise HubError(f"course: {path} contains {mark.group(0)!r}: a student release has no "
                           f"solutions. Rebuild it with `make assignments`.")
    return found


def course_source(course) -> tuple[str, Path]:
    """(kind, folder) of what each student's home starts from.

    course: "release" (default: the student release of `make assignments`, build/classroom/release),
    "notebooks" (the self-learner notebooks/, solutions folded in `<details>`: an ungraded class),
    or the Path of another release folder (the tests build a small one).
    """
    if isinstance(course, str) and course == "notebooks":
        return "notebooks", ROOT / "notebooks"
    if isinstance(course, str) and course == "release":
        folder = RELEASE_DIR
    elif isinstance(course, os.PathLike):
        folder = Path(course).resolve()
    else:
        raise HubError(f"course={course!r}: expected 'release' (the student release of make "
                       f"assignments), 'notebooks' (the self-learner notebooks, solutions folded "
                       f"in) or the path of a release folder")
    release_notebooks(folder)
    return "release", folder


def copy_course_into(kind: str, source: Path, home: Path, owner: str | None = None,
                     notes: Path = LECTURE_NOTES) -> bool:
    """Copy the course into `home`/notebooks (and the lecture notes beside it), once.

    kind "notebooks": the folder `source` as it is. kind "release": each assignment's notebook of
    the release folder `source`, side by side, so the student finds the same layout as notebooks/
    (home/notebooks/07-training.ipynb; the start page and the links to ../lecture-notes.md work).
    Returns whether it copied: a home that already has notebooks/ is left alone, so a student's
    work survives every later start. `owner`: the unix account to give the copy to (accounts mode).
    """
    target = home / "notebooks"
    if target.exists():
        return False
    home.mkdir(parents=True, exist_ok=True)
    staging = home / ".notebooks-copying"
    shutil.rmtree(staging, ignore_errors=True)
    if kind == "notebooks":
        shutil.copytree(source / "notebooks" if (source / "notebooks").is_dir() else source,
                        staging, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    elif kind == "release":
        staging.mkdir()
        for notebook in release_notebooks(source):
            shutil.copy2(notebook, staging / notebook.name)
    else:
        raise HubError(f"kind={kind!r}: expected one of {', '.join(COURSES)}")
    notes = Path(notes)
    if notes.exists() and not (home / notes.name).exists():
        shutil.copy2(notes, home / notes.name)
    if owner is not None:
        for path in [staging, *staging.rglob("*"), home / notes.name]:
            if path.exists():
                shutil.chown(path, user=owner, group=owner)
    staging.rename(target)   # all or nothing: a copy cut short is redone on the next start
    return True


# --- tools: the proxy and, for accounts, an environment other users can run -----------------------
@contextlib.contextmanager
def _locked(folder: Path):
    """One installer at a time in a tools folder (two hubs starting at once share it)."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_proxy(tools_dir: Path) -> Path:
    """configurable-http-proxy from npm in tools_dir/proxy (installed only when missing)."""
    with _locked(tools_dir):
        return _ensure_proxy(tools_dir)


def _ensure_proxy(tools_dir: Path) -> Path:
    prefix = tools_dir / "proxy"
    command = prefix / "node_modules" / ".bin" / "configurable-http-proxy"
    if command.exists():
        return command
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        raise ProxyUnavailable(
            f"{' and '.join(missing)} not found: JupyterHub's proxy (configurable-http-proxy) runs on "
            f"node. Install them (Debian/Ubuntu: apt-get install nodejs npm) and start again.")
    prefix.mkdir(parents=True, exist_ok=True)
    print(f"Installing {PROXY_PACKAGE} from npm into {prefix} (once) ...", flush=True)
    done = subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                           "--loglevel=error", PROXY_PACKAGE], capture_output=True, text=True)
    if done.returncode != 0 or not command.exists():
        raise ProxyUnavailable(f"npm install {PROXY_PACKAGE} failed (exit {done.returncode}):\n"
                               f"{done.stdout}{done.stderr}")
    return command


def ensure_hub_venv(venv: Path, python: str = "/usr/bin/python3") -> Path:
    """An environment the students' accounts can run, built from a world-readable Python.

    The course's .venv usually sits on an interpreter another user cannot run (pyenv under /root,
    mode 700), so accounts mode builds this second venv from the same requirements, with nnlib
    installed into it (not editable: the students cannot read the course folder). It costs the
    same as the course's set-up: about two minutes and ~1 GB of disk, once; nnlib is reinstalled
    at each start (seconds) so the students get the current one.
    """
    with _locked(venv.parent):
        umask = os.umask(0o022)   # readable by the students' accounts whatever the instructor's umask
        try:
            return _ensure_hub_venv(venv, python)
        finally:
            os.umask(umask)


def _ensure_hub_venv(venv: Path, python: str) -> Path:
    requirements = (ROOT / "requirements.txt").read_text()
    stamp = venv / ".installed"
    wanted = hashlib.sha256((requirements + python).encode()).hexdigest()
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    if not (stamp.exists() and stamp.read_text() == wanted):
        if not Path(python).exists():
            raise HubError(f"--isolation accounts: {python} not found: the students' environment is "
                           f"built from a Python every account can run (set HUB_PYTHON)")
        print(f"Building the students' environment {venv} from {python} (once, ~2 minutes) ...",
              flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run(pip + ["install", "-r", str(ROOT / "requirements.txt")], check=True)
        stamp.write_text(wanted)
    subprocess.run(pip + ["install", "--no-deps", "--force-reinstall", str(ROOT)], check=True)
    return venv / "bin" / "jupyterhub-singleuser"


def _account(name):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def check_accounts(names):
    """Refuse any name that is an existing unix account the launcher did not create."""
    for name in names:
        entry = _account(name)
        if entry is not None and entry.pw_gecos != ACCOUNT_MARK:
            raise HubError(f"student name {name!r} is already a unix account of this machine, not one "
                           f"this launcher created: with --isolation accounts it would run as that "
                           f"account. Rename the student in the class list (e.g. {name}-1).")


def ensure_accounts(names, homes_dir: Path):
    """One unix account per student (marked as ours), home homes_dir/<name>, mode 700."""
    check_accounts(names)
    for name in names:
        home = homes_dir / name
        if _account(name) is None:
            subprocess.run(["useradd", "--comment", ACCOUNT_MARK, "--home-dir", str(home),
                            "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", name],
                           check=True)
        elif _account(name).pw_dir != str(home):
            subprocess.run(["usermod", "--home", str(home), name], check=True)
        home.mkdir(parents=True, exist_ok=True)
        shutil.chown(home, user=name, group=name)
        os.chmod(home, 0o700)


def remove_accounts(names):
    """Delete the unix accounts of these names that the launcher created (homes are kept)."""
    for name in names:
        entry = _account(name)
        if entry is not None and entry.pw_gecos == ACCOUNT_MARK:
            subprocess.run(["userdel", name], check=True)


# --- processes ---------------------------------------------------------------------------------
def free_port(ip="127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((ip, 0))
        return s.getsockname()[1]


def marked_processes(state_dir: Path) -> list[int]:
    """Processes carrying this hub's mark (its proxy, servers, kernels): read from /proc."""
    wanted = f"{MARK_VARIABLE}={state_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:   # gone, or not ours to read
            continue
        if wanted in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _stop(pids, timeout=10.0):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = [pid for pid in pids if Path(f"/proc/{pid}").exists()
                    and "Z" not in _proc_state(pid)]
            if not pids:
                return
            time.sleep(0.2)


def _proc_state(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


@dataclass
class Hub:
    """A running hub: what a test, a script or the instructor needs to reach it."""
    url: str
    passwords: dict
    api_token: str
    state_dir: Path
    homes_dir: Path
    admin: str
    students: list
    isolation: str
    password_file: Path
    log_file: Path | None
    process: subprocess.Popen = field(repr=False)
    course: str = "release"   # what the homes start from: "release" or "notebooks"
    leftovers: list = field(default_factory=list)   # pids still alive after the hub stopped

    def home(self, name) -> Path:
        if name not in self.passwords:
            raise HubError(f"name {name!r} is not a user of this hub ({', '.join(self.passwords)})")
        return self.homes_dir / name

    def api(self, method, path, body=None, token=None, timeout=60):
        """Call the hub's REST API (/hub/api/<path>) with the admin token: (status, decoded JSON)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/hub/api/{path.lstrip('/')}", data=data,
                                         method=method,
                                         headers={"Authorization": f"token {token or self.api_token}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            with contextlib.suppress(ValueError):
                return error.code, json.loads(text)
            return error.code, text


@contextlib.contextmanager
def running_hub(class_list, state_dir, port=None, ip="127.0.0.1", isolation="shared", admin=None,
                tools_dir=None, hub_python="/usr/bin/python3", log_file="auto", startup_timeout=120,
                course="release"):
    """Start the hub, wait until it answers, yield a `Hub`; stop everything on exit.

    class_list: a list of names, or the path of a class-list file. state_dir: the hub's folder
    (passwords, database, homes). port None: a free port. isolation: "shared" or "accounts".
    admin: the instructor's name (default: the unix user running this). tools_dir: where the proxy
    (and, for accounts, the students' environment) is installed; default state_dir/tools.
    log_file: "auto" is state_dir/hub/jupyterhub.log; None leaves the hub's log on this terminal.
    course: what each student's home starts from (see course_source): "release" (the default,
    build/classroom/release: no solutions), "notebooks" (solutions folded in), or a release folder.
    """
    if isolation not in ISOLATIONS:
        raise HubError(f"isolation={isolation!r}: expected one of {', '.join(ISOLATIONS)}")
    if isolation == "accounts" and os.geteuid() != 0:
        raise HubError("isolation='accounts' creates one unix account per student and runs each "
                       "server as that account: it needs root (run as root, or use "
                       "isolation='shared')")
    if isinstance(class_list, (str, os.PathLike)):
        students = read_class_list(class_list)
    else:
        students = validate_names(class_list)
    admin = admin or getpass.getuser()
    if not NAME_PATTERN.fullmatch(admin):
        raise HubError(f"admin={admin!r} is not a valid name: {NAME_RULE}; give the instructor's "
                       f"login with --admin NAME (make hub ... ADMIN=name)")
    if admin in students:
        raise HubError(f"admin={admin!r} is also in the class list: the instructor needs a name of "
                       f"their own (--admin NAME; make hub ... ADMIN=name)")
    if port is not None and not (isinstance(port, int) and 0 < port < 65536):
        raise HubError(f"port={port!r}: expected a port number 1-65535, or None for a free one")
    course_kind, course_path = course_source(course)

    state_dir = Path(state_dir).resolve()
    tools_dir = Path(tools_dir).resolve() if tools_dir else state_dir / "tools"
    homes_dir = state_dir / "homes"
    hub_dir = state_dir / "hub"
    for folder, mode in ((state_dir, 0o711), (homes_dir, 0o711), (hub_dir, 0o700)):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, mode)

    proxy = ensure_proxy(tools_dir)
    if isolation == "accounts":
        for argument, folder in (("state_dir", state_dir), ("tools_dir", tools_dir)):
            for path in folder.parents:
                if path.stat().st_mode & 0o001 == 0:
                    raise HubError(
                        f"{argument} {folder}: its parent {path} is not searchable by other users "
                        f"(mode {path.stat().st_mode & 0o777:o}), so the students' accounts could "
                        f"not reach their homes and environment: choose a folder elsewhere, e.g. "
                        f"under /srv")
        singleuser = ensure_hub_venv(tools_dir / "hub-venv", hub_python)
        ensure_accounts(students, homes_dir)
    else:
        singleuser = Path(sys.executable).parent / "jupyterhub-singleuser"
        for name in students + [admin]:
            (homes_dir / name).mkdir(exist_ok=True)
            os.chmod(homes_dir / name, 0o700)

    password_file = state_dir / "passwords.txt"
    passwords = load_passwords(password_file, students + [admin])
    api_token = secrets.token_hex(32)
    port = port or free_port(ip)
    settings = {
        "state_dir": str(state_dir), "homes_dir": str(homes_dir), "course": course_kind,
        "course_path": str(course_path),
        "students": students, "admin": admin, "isolation": isolation,
        "password_hashes": {name: hash_password(pw) for name, pw in passwords.items()},
        "singleuser": str(singleuser), "allow_root": isolation == "shared" and os.geteuid() == 0,
        "ip": ip, "port": port, "hub_port": free_port(), "proxy_api_port": free_port(),
        "proxy_command": str(proxy), "api_token": api_token,
    }
    settings_file = hub_dir / "settings.json"
    fd = os.open(settings_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(settings, f, indent=1)

    env = {**os.environ, "BACKPROP_HUB_SETTINGS": str(settings_file), MARK_VARIABLE: str(state_dir),
           "PYTHONPATH": str(ROOT)}
    jupyterhub = Path(sys.executable).parent / "jupyterhub"
    command = [str(jupyterhub) if jupyterhub.exists() else "jupyterhub", "-f", str(CONFIG_FILE)]
    log_path = hub_dir / "jupyterhub.log" if log_file == "auto" else log_file
    log = open(log_path, "ab") if log_path else None
    process = subprocess.Popen(command, cwd=hub_dir, env=env, stdout=log, stderr=subprocess.STDOUT
                               if log else None, start_new_session=True)
    url = f"http://{'127.0.0.1' if ip in ('0.0.0.0', '') else ip}:{port}"
    if ":" in ip and ip != "::":
        url = f"http://[{ip}]:{port}"
    hub = Hub(url=url, passwords=passwords, api_token=api_token, state_dir=state_dir,
              homes_dir=homes_dir, admin=admin, students=students, isolation=isolation,
              password_file=password_file, log_file=log_path, process=process,
              course=course_kind)
    try:
        _wait_until_up(hub, startup_timeout, settings["hub_port"])
        yield hub
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)   # JupyterHub then stops the servers and the proxy
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        hub.leftovers = marked_processes(state_dir)
        if hub.leftovers:
            _stop(hub.leftovers)
        if log:
            log.close()


def _wait_until_up(hub: Hub, timeout, hub_port):
    """First the hub itself (its own port), then through the proxy (the URL students use)."""
    deadline = time.monotonic() + timeout
    for url in (f"http://127.0.0.1:{hub_port}/hub/api/", f"{hub.url}/hub/api/"):
        while True:
            if hub.process.poll() is not None:
                tail = hub.log_file.read_text()[-3000:] if hub.log_file else "(see the output above)"
                raise HubError(f"JupyterHub exited with code {hub.process.returncode} while "
                               f"starting:\n{tail}")
            if time.monotonic() > deadline:
                raise HubError(f"JupyterHub did not answer at {url} within {timeout} s "
                               f"(log: {hub.log_file or 'above'})")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(url, timeout=10) as response:
                    if response.status == 200:
                        break
            time.sleep(0.5)
    status, _ = hub.api("GET", "/")
    if status == 200:
        return
    raise HubError(f"JupyterHub answers at {hub.url} but refuses the admin token (status {status})")


# --- running code in a student's kernel, as their browser does ---------------------------------------
def kernel_execute(server_url, kernel_id, code, token=None, cookies=None, xsrf=None, timeout=120):
    """Run `code` in a kernel of a single-user server; return (status, stdout text, error or None).

    server_url: e.g. hub.url + "/user/alice". Authenticated by a token (Authorization header) or by
    a browser session's cookies (a requests cookie jar, with its _xsrf). Uses the websocket channel
    of the Jupyter server API.
    """
    import asyncio

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    ws_url = server_url.replace("http://", "ws://", 1).rstrip("/") + f"/api/kernels/{kernel_id}/channels"
    headers = {}
    if token:
        headers["Authorization"] = f"token {token}"
    if cookies is not None:
        headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in cookies)
        if xsrf:
            ws_url += f"?_xsrf={xsrf}"

    async def run():
        connection = await websocket_connect(HTTPRequest(ws_url, headers=headers,
                                                         connect_timeout=timeout))
        msg_id = uuid.uuid4().hex
        connection.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "",
                       "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        out, error, status, idle = [], None, None, False
        while status is None or not idle:
            raw = await asyncio.wait_for(connection.read_message(), timeout)
            if raw is None:
                raise ConnectionError(f"kernel channel {ws_url} closed")
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "execute_reply":
                status = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        connection.close()
        return status, "".join(out), error

    # In a thread of its own: the caller may already run an event loop (Playwright's sync API does).
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


# --- the command -------------------------------------------------------------------------------
COURSE_TEXT = {"release": "the student release of make assignments: no solutions",
               "notebooks": "the self-learner notebooks: their solutions are folded in"}
ROOT_SHARED_WARNING = (
    "WARNING: ISOLATION=shared as root: every student's server and kernel runs as root, so any "
    "student's code can read passwords.txt (every password, the instructor's too), the gradebook "
    "and every file on this machine. Only for a class that trusts each other, or a demo; a graded "
    "class: ISOLATION=accounts (the default as root).")


def choose_isolation(requested, euid):
    """(isolation, warning or None). None asked for: accounts as root, shared otherwise. Shared as
    root only when asked for by name, and then with a warning: its kernels run as root."""
    if requested is None:
        return ("accounts" if euid == 0 else "shared"), None
    if requested == "shared" and euid == 0:
        return "shared", ROOT_SHARED_WARNING
    return requested, None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="make hub", description=__doc__.split("\n\n")[0])
    parser.add_argument("class_list", metavar="CLASS_LIST", help="file with one student name per line")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--isolation", choices=ISOLATIONS, default=None,
                        help="accounts: one unix account per student (root only; the default as "
                             "root); shared: every server runs as you (the default otherwise)")
    parser.add_argument("--course", choices=COURSES, default="release",
                        help="release: the student release of make assignments, no solutions "
                             "(default); notebooks: the self-learner notebooks, solutions folded in "
                             "(an ungraded class)")
    parser.add_argument("--admin", default=None, help="the instructor's login (default: your unix name)")
    parser.add_argument("--state-dir", default="classroom-state",
                        help="passwords, hub database, students' homes (default ./classroom-state)")
    parser.add_argument("--hub-python", default=os.environ.get("HUB_PYTHON", "/usr/bin/python3"),
                        help="accounts only: the Python the students' environment is built from")
    args = parser.parse_args(argv)
    isolation, warning = choose_isolation(args.isolation, os.geteuid())
    if warning:
        print(warning, file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Ctrl-C must reach us even when a shell started us with SIGINT ignored (in the background).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    hub = None
    try:
        with running_hub(Path(args.class_list), args.state_dir, port=args.port, ip=args.ip,
                         isolation=isolation, admin=args.admin, hub_python=args.hub_python,
                         log_file=None, course=args.course) as hub:
            print(f"""
The course's JupyterHub is running at  {hub.url}/
  {len(hub.students)} students: {', '.join(hub.students)};  instructor (admin): {hub.admin}
  Passwords (one per person, kept across restarts; hand each student their line):
      {hub.password_file}
  A student opens {hub.url}/ and logs in with their name and password; their server starts with
  their own copy of the course in {hub.homes_dir}/<name>/notebooks ({COURSE_TEXT[hub.course]}).
  The instructor logs in as {hub.admin}; {hub.url}/hub/admin lists the students and their servers.""")
            if hub.isolation == "shared":
                print("""  Isolation: shared. The hub keeps students out of each other's servers, but every
  server runs as this one unix account, so code a student runs in a kernel could read another
  student's files. For that isolation too: make hub ... ISOLATION=accounts (as root).""")
                if os.geteuid() == 0:
                    print(ROOT_SHARED_WARNING)
            if args.ip not in ("127.0.0.1", "localhost", "::1"):
                print(f"  Listening on {args.ip}: plain HTTP, so passwords cross the network unencrypted;"
                      " put it behind HTTPS for anything but a trusted network.")
            print("Ctrl-C stops the hub, the proxy and every student's server.", flush=True)
            while hub.process.poll() is None:
                time.sleep(1)
            print(f"JupyterHub exited with code {hub.process.returncode}", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("\nStopped: the hub, the proxy and the students' servers.")
        if hub is not None and hub.leftovers:
            count = len(hub.leftovers)
            print(f"(the hub had left {count} {'process' if count == 1 else 'processes'} running: "
                  f"stopped {'it' if count == 1 else 'them'})")
        return 0
    except HubError as error:
        print(f"make hub: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
