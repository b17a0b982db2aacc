"""The load test: a class of N students on the local JupyterHub at once (make hub-load STUDENTS=10).

    python -m classroom.hub_load [--students 10] [--cells 1,3,5] [--notebook notebooks/07-training.ipynb]

Every simulated student, in a thread of their own and all released at the same moment:
  1. logs in through the hub's real login form (their own session, password and _xsrf);
  2. asks the hub for an API token of their own and starts their server with it (REST API), timing
     the spawn until the hub reports the server ready;
  3. opens their own copy of notebook 07 (contents API), starts a kernel for it (sessions API) and
     runs its code cells in order over the kernel's websocket channel, as nbval would: cells tagged
     nbval-skip are not run, and each cell's outputs are compared with those stored in the course's
     notebook after tests/nbval-sanitize.cfg's substitutions (nbval's own stream handling; figures
     and widget models are not compared, cells tagged nbval-ignore-output only run);
  4. saves the executed notebook through the contents API.
Meanwhile a sampler reads, once a second, the resident memory of each student's single-user server
plus its kernels (psutil) and the load average. At the end every server is stopped, and each saved
notebook must be on disk in the student's home with the outputs that were saved ("nothing was lost").

It reports spawn time (median, max), cell latency (median, 95th percentile; all cells and the
training cells alone), memory per student (largest total RSS of server + kernel), CPU seconds per
student, the wall time and the load average, and writes them as JSON into benchmarks/results/.
The exit status is non-zero if any output differs, any cell errors, any kernel dies or any saved
notebook is missing.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import datetime
import json
import os
import re
import sys
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = Path("notebooks/07-training.ipynb")
SANITIZE = ROOT / "tests" / "nbval-sanitize.cfg"
RESULTS = ROOT / "benchmarks" / "results"
# Notebook 07's training cells: those that call a training loop (nnlib.fit, the Playground's
# train_playground and new_run, scikit-learn's .fit). The regex reads the cell's source.
TRAINING = re.compile(r"\.fit\(|\bfit\(|train_playground\(|new_run\(")
# What nbval leaves out of the comparison (nbval.plugin.IPyNbFile.skip_compare without --nbdime).
SKIP_COMPARE = {"metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
                "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"}
CELL_TIMEOUT = 600.0
SAVED_AS = "07-training-load-test.ipynb"


class LoadTestError(Exception):
    """A student's run could not go on (login refused, spawn failed, kernel channel closed)."""


# --- comparing outputs the way nbval does --------------------------------------------------------
def sanitize_patterns(path=SANITIZE):
    """The (regex, replacement) pairs of an nbval sanitize file."""
    from nbval.plugin import get_sanitize_patterns

    return get_sanitize_patterns(Path(path).read_text())


def compare_outputs(reference, test, patterns):
    """None if `test` (a list of nbformat outputs) matches `reference` as nbval compares them, else why.

    Streams are coalesced per name (nbval.plugin.coalesce_streams), outputs are flattened into one
    list per key or MIME type (so dissimilar outputs may come in any order), keys in SKIP_COMPARE are
    left out, and both sides pass through the sanitize patterns.
    """
    import nbformat
    from nbval.plugin import coalesce_streams, transform_streams_for_comparison

    def flattened(outputs):
        outputs = coalesce_streams([nbformat.from_dict(copy.deepcopy(o)) for o in outputs])
        flat = {}
        for output in transform_streams_for_comparison(outputs):
            for key, value in output.items():
                if key in SKIP_COMPARE:
                    continue
                items = value.items() if key == "data" else [(key, value)]
                for k, v in items:
                    if k not in SKIP_COMPARE:
                        flat.setdefault(k, []).append(_sanitize(_text(v), patterns))
        return flat

    ref, new = flattened(reference), flattened(test)
    if set(ref) != set(new):
        return f"output kinds differ: stored {sorted(ref)}, got {sorted(new)}"
    for key in ref:
        if ref[key] != new[key]:
            return f"{key} differs:\n--- stored\n{_join(ref[key])}\n--- got\n{_join(new[key])}"
    return None


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def _join(values):
    return "\n".join(str(v) for v in values)


def _sanitize(value, patterns):
    if not isinstance(value, str):
        return value
    for regex, replacement in patterns:
        value = re.sub(regex, replacement, value)
    return value


def code_cells(notebook, only=None):
    """(index, cell) of the code cells nbval would run, in order; `only`: a subset of indices."""
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or "nbval-skip" in tags:
            continue
        if only is not None and index not in only:
            continue
        cells.append((index, cell))
    if only is not None and len(cells) != len(set(only)):
        missing = sorted(set(only) - {i for i, _ in cells})
        raise ValueError(f"cells={sorted(only)}: {missing} are not code cells nbval runs")
    return cells


def is_training(cell):
    return bool(TRAINING.search(_text(cell["source"])))


# --- one student's run ---------------------------------------------------------------------------
@dataclass
class CellRun:
    index: int
    seconds: float
    training: bool
    compared: bool
    mismatch: str | None = None
    error: str | None = None


@dataclass
class StudentRun:
    name: str
    spawn_seconds: float | None = None
    cells: list = field(default_factory=list)
    kernel_died: bool = False
    failure: str | None = None
    saved: str | None = None            # the saved notebook's path relative to the home
    saved_outputs: list = field(default_factory=list, repr=False)
    memory_mib: float | None = None       # largest RSS of server + kernels, sampled
    cpu_seconds: float | None = None     # user + system time of server + kernels at the end

    @property
    def problems(self):
        found = [self.failure] if self.failure else []
        found += [f"cell {c.index}: {c.error}" for c in self.cells if c.error]
        found += [f"cell {c.index}: {c.mismatch}" for c in self.cells if c.mismatch]
        if self.kernel_died:
            found.append("the kernel died")
        return found


def _xsrf_from_form(html):
    match = re.search(r'name="_xsrf"\s+value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"\s+name="_xsrf"', html)
    if not match:
        raise LoadTestError("the login page has no _xsrf field")
    return match.group(1)


def log_in(session, hub_url, name, password):
    """Log in through the hub's login form, as a browser does; returns the form's _xsrf token."""
    page = session.get(f"{hub_url}/hub/login", timeout=60)
    page.raise_for_status()
    xsrf = _xsrf_from_form(page.text)
    reply = session.post(f"{hub_url}/hub/login", data={"username": name, "password": password,
                                                      "_xsrf": xsrf},
                         allow_redirects=False, timeout=120)
    if reply.status_code != 302 or "/hub/login" in reply.headers.get("Location", "/hub/login"):
        raise LoadTestError(f"login of {name} refused (HTTP {reply.status_code})")
    return xsrf


def own_token(session, hub_url, name):
    """An API token for the logged-in student, asked for with their session cookie (and _xsrf).

    Logging in gives the browser a new _xsrf cookie (JupyterHub ties it to the session), so the
    header carries the cookie's current value, as JupyterHub's own pages do.
    """
    xsrf = next((c.value for c in session.cookies if c.name == "_xsrf" and c.path.startswith("/hub")),
                None)
    if xsrf is None:
        raise LoadTestError(f"no _xsrf cookie for {name} after logging in")
    reply = session.post(f"{hub_url}/hub/api/users/{name}/tokens",
                         json={"note": "load test", "expires_in": 3600},
                         headers={"X-XSRFToken": xsrf, "Referer": f"{hub_url}/hub/home"}, timeout=60)
    if reply.status_code not in (200, 201):
        raise LoadTestError(f"token for {name}: HTTP {reply.status_code} {reply.text[:200]}")
    return reply.json()["token"]


def start_server(session, hub_url, name, token, timeout=300):
    """Start the student's server with their own token; seconds until the hub reports it ready."""
    headers = {"Authorization": f"token {token}"}
    start = time.monotonic()
    reply = session.post(f"{hub_url}/hub/api/users/{name}/server", headers=headers, timeout=timeout)
    if reply.status_code not in (201, 202):
        raise LoadTestError(f"spawn of {name}: HTTP {reply.status_code} {reply.text[:200]}")
    while time.monotonic() - start < timeout:
        model = session.get(f"{hub_url}/hub/api/users/{name}", headers=headers, timeout=60).json()
        server = model.get("servers", {}).get("", {})
        if server.get("ready"):
            return time.monotonic() - start
        if not server.get("pending") and not server.get("ready") and time.monotonic() - start > 5:
            raise LoadTestError(f"spawn of {name} failed: {model.get('servers')}")
        time.sleep(0.25)
    raise LoadTestError(f"spawn of {name} not ready after {timeout} s")


async def _run_cells(ws_url, token, cells, run):
    """Execute the cells in order on one kernel channel; fill `run.cells`, return the new outputs."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(
        # tornado's request_timeout (20 s by default) also bounds the websocket handshake, which
        # took longer than that for one of 20 students on 2 busy cores; a browser waits longer.
        HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}, connect_timeout=120,
                    request_timeout=300))
    session_id = uuid.uuid4().hex
    all_outputs = []
    try:
        for index, cell in cells:
            msg_id = uuid.uuid4().hex
            start = time.monotonic()
            connection.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": run.name,
                           "session": session_id, "version": "5.3",
                           "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": _text(cell["source"]), "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": False}}))
            outputs, clear_next, replied, idle, count = [], False, False, False, None
            while not (replied and idle):
                raw = await asyncio.wait_for(connection.read_message(), CELL_TIMEOUT)
                if raw is None:
                    run.kernel_died = True
                    raise LoadTestError(f"cell {index}: the kernel channel closed")
                message = json.loads(raw)
                kind, content = message["msg_type"], message.get("content", {})
                if kind == "status" and content.get("execution_state") in ("dead", "restarting"):
                    run.kernel_died = True
                    raise LoadTestError(f"cell {index}: kernel {content['execution_state']}")
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if kind in ("stream", "display_data", "execute_result", "error") and clear_next:
                    outputs, clear_next = [], False
                if kind == "stream":
                    outputs.append({"output_type": "stream", "name": content["name"],
                                    "text": content["text"]})
                elif kind in ("display_data", "execute_result"):
                    output = {"output_type": kind, "data": content["data"],
                              "metadata": content.get("metadata", {})}
                    if kind == "execute_result":
                        output["execution_count"] = content.get("execution_count")
                    outputs.append(output)
                elif kind == "error":
                    outputs.append({"output_type": "error", "ename": content["ename"],
                                    "evalue": content["evalue"], "traceback": content["traceback"]})
                elif kind == "clear_output":
                    if content.get("wait"):
                        clear_next = True
                    else:
                        outputs = []
                elif kind == "execute_reply":
                    replied, count = True, content.get("execution_count")
                elif kind == "status" and content.get("execution_state") == "idle":
                    idle = True
            seconds = time.monotonic() - start
            tags = cell.get("metadata", {}).get("tags", [])
            errors = [o for o in outputs if o["output_type"] == "error"]
            cell_run = CellRun(index=index, seconds=seconds, training=is_training(cell),
                               compared=cell.get("execution_count") is not None
                               and "nbval-ignore-output" not in tags)
            if errors and "raises-exception" not in tags:
                cell_run.error = f"{errors[0]['ename']}: {errors[0]['evalue']}"
            run.cells.append(cell_run)
            all_outputs.append((index, count, outputs))
    finally:
        connection.close()
    return all_outputs


def run_student(hub_url, name, password, notebook_path, reference, only, patterns, barrier,
                servers):
    """One student's whole session; never raises (what went wrong is in the returned run)."""
    import requests

    run = StudentRun(name=name)
    session = requests.Session()
    try:
        barrier.wait()
        log_in(session, hub_url, name, password)
        token = own_token(session, hub_url, name)
        run.spawn_seconds = start_server(session, hub_url, name, token)
        servers[name] = token
        server = f"{hub_url}/user/{name}"
        headers = {"Authorization": f"token {token}"}
        path = notebook_path.as_posix()
        got = session.get(f"{server}/api/contents/{path}", headers=headers, timeout=120)
        if got.status_code != 200:
            raise LoadTestError(f"{path} is not in {name}'s home (HTTP {got.status_code})")
        notebook = got.json()["content"]
        opened = session.post(f"{server}/api/sessions", headers=headers, timeout=120, json={
            "path": path, "type": "notebook", "name": notebook_path.name,
            "kernel": {"name": "python3"}})
        if opened.status_code != 201:
            raise LoadTestError(f"kernel for {name}: HTTP {opened.status_code} {opened.text[:200]}")
        kernel_id = opened.json()["kernel"]["id"]
        ws_url = server.replace("http://", "ws://", 1) + f"/api/kernels/{kernel_id}/channels"
        results = asyncio.run(_run_cells(ws_url, token, code_cells(notebook, only), run))

        stored = {i: cell for i, cell in code_cells(reference, only)}
        for cell_run, (index, count, outputs) in zip(run.cells, results):
            if cell_run.compared:
                cell_run.mismatch = compare_outputs(stored[index].get("outputs", []), outputs,
                                                    patterns)
            notebook["cells"][index]["outputs"] = outputs
            notebook["cells"][index]["execution_count"] = count

        kernel = session.get(f"{server}/api/kernels/{kernel_id}", headers=headers, timeout=60)
        if kernel.status_code != 200 or kernel.json().get("execution_state") == "dead":
            run.kernel_died = True
        saved_path = (notebook_path.parent / SAVED_AS).as_posix()
        put = session.put(f"{server}/api/contents/{saved_path}", headers=headers, timeout=120,
                          json={"type": "notebook", "format": "json", "content": notebook})
        if put.status_code not in (200, 201):
            raise LoadTestError(f"saving {saved_path}: HTTP {put.status_code} {put.text[:200]}")
        run.saved = saved_path
        run.saved_outputs = [notebook["cells"][i]["outputs"] for i, _, _ in results]
    except Exception as error:   # the report says which student and why; the others go on
        run.failure = f"{type(error).__name__}: {error}"
        if not isinstance(error, LoadTestError):
            run.failure += "\n" + traceback.format_exc()
    return run


# --- what the machine sees: memory, CPU, load ---------------------------------------------------
class Sampler(threading.Thread):
    """Once a second: each student's server + kernels' total RSS (largest kept) and the load average."""

    def __init__(self, names, state_dir, interval=1.0):
        super().__init__(daemon=True)
        self.names, self.interval = set(names), interval
        # the launcher marks every process of its hub with its state folder: another hub's
        # student01 (a test running beside make hub-load) is not ours
        from classroom.hub import MARK_VARIABLE

        self.mark = (MARK_VARIABLE, str(state_dir))
        self.peak_rss = {name: 0 for name in names}
        self.servers = {}          # name -> psutil.Process of their jupyterhub-singleuser
        self.load = []
        self.done = threading.Event()

    def _find_servers(self):
        import psutil

        for process in psutil.process_iter(["pid", "cmdline"]):
            if not any("jupyterhub-singleuser" in part for part in (process.info["cmdline"] or [])):
                continue
            with contextlib.suppress(psutil.Error):
                environ = process.environ()
                name = environ.get("JUPYTERHUB_USER")
                if environ.get(self.mark[0]) == self.mark[1] and name in self.names and (name not in self.servers
                                           or not self.servers[name].is_running()):
                    self.servers[name] = process

    def processes(self, name):
        import psutil

        server = self.servers.get(name)
        if server is None or not server.is_running():
            return []
        with contextlib.suppress(psutil.Error):
            return [server] + server.children(recursive=True)
        return []

    def totals(self, name):
        """(RSS in bytes, CPU seconds) of the student's server and its kernels now."""
        import psutil

        rss = cpu = 0.0
        for process in self.processes(name):
            with contextlib.suppress(psutil.Error):
                rss += process.memory_info().rss
                times = process.cpu_times()
                cpu += times.user + times.system
        return rss, cpu

    def run(self):
        tick = 0
        while not self.done.is_set():
            if tick % 3 == 0 or len(self.servers) < len(self.names):
                self._find_servers()
            for name in self.servers:
                rss, _ = self.totals(name)
                self.peak_rss[name] = max(self.peak_rss[name], rss)
            self.load.append(os.getloadavg())
            tick += 1
            self.done.wait(self.interval)


# --- the whole test ----------------------------------------------------------------------------------
def percentile(values, q):
    """The q-th percentile (0-100) by linear interpolation between order statistics."""
    values = sorted(values)
    if not values:
        return None
    position = (len(values) - 1) * q / 100
    low, high = int(position), min(int(position) + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def summarize(runs, wall_seconds, load, students, cells_run):
    spawn = [r.spawn_seconds for r in runs if r.spawn_seconds is not None]
    latency = [c.seconds for r in runs for c in r.cells]
    training = [c.seconds for r in runs for c in r.cells if c.training]
    memory = [r.memory_mib for r in runs if r.memory_mib]
    cpu = [r.cpu_seconds for r in runs if r.cpu_seconds is not None]

    def stats(values, *qs):
        return {f"p{q}" if q not in (50, 100) else {50: "median", 100: "max"}[q]:
                (round(percentile(values, q), 3) if values else None) for q in qs}

    return {
        "students": students,
        "cells_per_student": cells_run,
        "wall_seconds": round(wall_seconds, 1),
        "spawn_seconds": stats(spawn, 50, 100),
        "cell_latency_seconds": {**stats(latency, 50, 95, 100), "count": len(latency)},
        "training_cell_latency_seconds": {**stats(training, 50, 95, 100), "count": len(training)},
        "memory_per_student_mib": stats(memory, 50, 100),
        "cpu_seconds_per_student": stats(cpu, 50, 100),
        "load_average": {"before": load[0], "max_1min": max(l[0] for l in load),
                         "after": load[-1]},
        "cpus": os.cpu_count(),
    }


def default_tools_dir():
    """Where the hub's proxy is installed for the load test: inside the venv, so once per venv."""
    return Path(sys.prefix) / "hub-tools"


def run_load_test(students=10, cells=None, notebook=NOTEBOOK, state_dir=None, tools_dir=None,
                  write_json=True, out=sys.stdout):
    """Run the load test; returns (report dict, list of problems). Problems empty means it passed.

    students: how many (each gets the name student01, student02, ...). cells: indices of the code
    cells to run (None: every cell nbval runs). notebook: relative to the course's root, which is
    also where each student's copy sits in their home.
    """
    from classroom.hub import running_hub

    if not isinstance(students, int) or isinstance(students, bool) or students < 1:
        raise ValueError(f"students={students!r}: expected a whole number of at least 1")
    import nbformat

    notebook = Path(notebook)
    # nbformat joins the stored multi-line strings, as nbval reads them
    reference = nbformat.read(ROOT / notebook, as_version=4)
    only = None if cells is None else set(cells)
    cells_run = len(code_cells(reference, only))   # raises on an index that is not a code cell
    patterns = sanitize_patterns()
    names = [f"student{i:02d}" for i in range(1, students + 1)]
    tools_dir = Path(tools_dir) if tools_dir else default_tools_dir()

    with contextlib.ExitStack() as stack:
        if state_dir is None:
            state_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="hub-load-"))
        print(f"Starting a hub for {students} students (state in {state_dir}) ...", file=out,
              flush=True)
        # The self-learner notebooks, not the release: each student runs notebook 07 as the course
        # stores it, outputs included, so every output has a reference to be compared with.
        hub = stack.enter_context(running_hub(names, state_dir=state_dir, tools_dir=tools_dir,
                                              isolation="shared", course="notebooks"))
        sampler = Sampler(names, hub.state_dir)
        load = [os.getloadavg()]
        sampler.start()
        barrier = threading.Barrier(students)
        servers, runs = {}, [None] * students
        threads = [threading.Thread(target=lambda i=i, name=name: runs.__setitem__(i, run_student(
            hub.url, name, hub.passwords[name], notebook, reference, only, patterns, barrier,
            servers))) for i, name in enumerate(names)]
        print(f"{students} students log in at once and run {cells_run} cells of {notebook} ...",
              file=out, flush=True)
        start = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - start
        for run in runs:
            run.memory_mib = round(sampler.peak_rss.get(run.name, 0) / 2**20, 1) or None
            if run.name in sampler.servers:
                run.cpu_seconds = round(sampler.totals(run.name)[1], 2)
        sampler.done.set()
        sampler.join()
        load += sampler.load + [os.getloadavg()]

        # Stop every server, then look for each saved notebook on disk: nothing may be lost.
        for name in names:
            hub.api("DELETE", f"users/{name}/server")
        _wait_stopped(hub, names)
        for run in runs:
            if run.saved is None or run.failure:
                continue
            path = hub.home(run.name) / run.saved
            if not path.exists():
                run.failure = f"the saved notebook {path} is gone after the server stopped"
                continue
            on_disk = nbformat.read(path, as_version=4)   # joins the lines the file splits
            indices = [c.index for c in run.cells]
            disk, saved = _plain([on_disk.cells[i].outputs for i in indices]), _plain(run.saved_outputs)
            if disk != saved:
                cell = next(i for i, (a, b) in zip(indices, zip(disk, saved)) if a != b)
                run.failure = (f"{path} does not hold the outputs that were saved (cell {cell}: "
                               f"{str(disk[indices.index(cell)])[:300]} != "
                               f"{str(saved[indices.index(cell)])[:300]})")

    report = summarize(runs, wall, load, students, cells_run)
    report["notebook"] = notebook.as_posix()
    report["per_student"] = [{k: v for k, v in asdict(r).items() if k not in ("saved_outputs",)}
                             for r in runs]
    problems = [f"{r.name}: {p}" for r in runs for p in r.problems]
    report["problems"] = problems
    if write_json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = RESULTS / f"hub-load-{students}-students-{stamp}.json"
        path.write_text(json.dumps(report, indent=1) + "\n")
        report["json"] = str(path)
    return report, problems


def _plain(value):
    """Nested lists and dicts of plain JSON values (NotebookNodes and tuples compared alike)."""
    return json.loads(json.dumps(value))


def _wait_stopped(hub, names, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = [name for name in names
                   if hub.api("GET", f"users/{name}")[1].get("servers")]
        if not pending:
            return
        time.sleep(0.5)


def describe(report):
    """The report as the lines README's "Teaching a class" quotes ("n/a" where nothing was measured)."""
    def f(value, spec):
        return "n/a" if value is None else format(value, spec)

    s, c, t = (report[k] for k in ("spawn_seconds", "cell_latency_seconds",
                                    "training_cell_latency_seconds"))
    m, cpu, load = (report[k] for k in ("memory_per_student_mib", "cpu_seconds_per_student",
                                        "load_average"))
    return "\n".join([
        f"{report['students']} student{'' if report['students'] == 1 else 's'}, "
        f"{report['cells_per_student']} cells each of "
        f"{report['notebook']}, on {report['cpus']} CPUs: {report['wall_seconds']:.0f} s wall time",
        f"spawn time: median {f(s['median'], '.1f')} s, max {f(s['max'], '.1f')} s",
        f"cell latency ({c['count']} cells): median {f(c['median'], '.2f')} s, "
        f"p95 {f(c['p95'], '.2f')} s, max {f(c['max'], '.2f')} s",
        f"training cells ({t['count']}): median {f(t['median'], '.2f')} s, "
        f"p95 {f(t['p95'], '.2f')} s, max {f(t['max'], '.2f')} s",
        f"memory per student (server and kernel): median {f(m['median'], '.0f')} MiB, "
        f"largest {f(m['max'], '.0f')} MiB",
        f"CPU per student: median {f(cpu['median'], '.1f')} s, max {f(cpu['max'], '.1f')} s",
        f"load average (1 min): {load['before'][0]:.2f} before, {load['max_1min']:.2f} at most, "
        f"{load['after'][0]:.2f} after",
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="make hub-load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10, help="how many at once (default 10)")
    parser.add_argument("--cells", default=None,
                        help="comma-separated code-cell indices to run (default: all nbval runs)")
    parser.add_argument("--notebook", default=str(NOTEBOOK))
    parser.add_argument("--state-dir", default=None, help="keep the hub's state here (default: a "
                        "temporary folder, removed at the end)")
    args = parser.parse_args(argv)
    cells = None if args.cells is None else [int(c) for c in args.cells.split(",") if c.strip()]
    try:
        report, problems = run_load_test(args.students, cells=cells, notebook=args.notebook,
                                         state_dir=args.state_dir)
    except (ValueError, OSError) as error:
        print(f"make hub-load: {error}", file=sys.stderr)
        return 2
    print(describe(report))
    print(f"report: {report['json']}")
    if problems:
        print(f"FAILED: {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"passed: every student's outputs match notebook 07's, no cell errored, no kernel died, "
          f"every saved notebook is on disk after the servers stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
