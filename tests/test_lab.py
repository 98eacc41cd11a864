"""`make lab`: JupyterLab starts, serves /lab, and runs a chapter's first cells on this venv's kernel.

The server is started with the command `make lab` runs (read with ``make -n``), plus ``--no-browser``,
127.0.0.1, a free port and a token; everything stays on the loopback interface. The kernel is created
the way JupyterLab creates one for an open notebook (a session for ``book/00_introduction.ipynb`` with
the notebook's kernelspec), and the cells go through the kernel's websocket channel in the Jupyter
message protocol. The server and the kernel are shut down whatever happens.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("jupyterlab", reason="jupyterlab is not installed (pip install -e '.[lab]')")

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "00_introduction.ipynb"
N_CELLS = 3  # imports, parameters, the world
START_TIMEOUT_S = 60
CELL_TIMEOUT_S = 60


def lab_command() -> list[str]:
    """The command of `make lab` (its install prerequisite treated as done)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-s", "-n", "-o", ".venv/.installed", "lab"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    lines = [line for line in out.splitlines() if "jupyter" in line and " lab" in line]
    assert len(lines) == 1, out
    return shlex.split(lines[0])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    def __init__(self, port: int, token: str):
        self.base = f"http://127.0.0.1:{port}"
        self.token = token

    def request(self, method: str, path: str, body: dict | None = None, timeout: float = 30) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def json(self, method: str, path: str, body: dict | None = None) -> dict:
        status, payload = self.request(method, path, body)
        assert 200 <= status < 300, (method, path, status, payload[:500])
        return json.loads(payload)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    port, token = free_port(), uuid.uuid4().hex
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(runtime / "config")}
    command = lab_command() + ["--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:  # containers: jupyter refuses root without it (make lab LAB_ARGS=--allow-root)
        command.append("--allow-root")
    log_path = runtime / "lab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own process group: kernels die with it
    server = Lab(port, token)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited ({process.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                if server.request("GET", "/api/status", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer in {START_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.25)
        yield server
    finally:
        try:
            server.request("POST", "/api/shutdown", timeout=5)
            process.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


async def run_cells(url: str, token: str, sources: list[str]) -> list[dict]:
    """Execute ``sources`` one after another on the kernel's channel; per cell: reply status, errors, stdout."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    session = uuid.uuid4().hex
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"},
                                             connect_timeout=CELL_TIMEOUT_S))
    results = []
    try:
        for source in sources:
            msg_id = uuid.uuid4().hex
            await ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "session": session, "username": "test", "date": "",
                           "msg_type": "execute_request", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": source, "silent": False, "store_history": True, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True},
            }))
            result = {"status": None, "errors": [], "stdout": "", "idle": False}
            while result["status"] is None or not result["idle"]:
                raw = await asyncio.wait_for(ws.read_message(), timeout=CELL_TIMEOUT_S)
                assert raw is not None, "the kernel's websocket closed"
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "execute_reply":
                    result["status"] = content["status"]
                elif kind == "error":
                    result["errors"].append(f"{content['ename']}: {content['evalue']}")
                elif kind == "stream" and content["name"] == "stdout":
                    result["stdout"] += content["text"]
                elif kind == "status" and content["execution_state"] == "idle":
                    result["idle"] = True
            results.append(result)
    finally:
        ws.close()
    return results


def test_lab_page_and_kernelspec(lab: Lab):
    status, page = lab.request("GET", "/lab")
    assert status == 200
    assert b"JupyterLab" in page or b"jupyter-config-data" in page
    name = nbformat.read(CHAPTER, as_version=4).metadata["kernelspec"]["name"]
    spec = lab.json("GET", "/api/kernelspecs")["kernelspecs"][name]["spec"]
    # The chapters' kernel is this venv's python (the kernelspec `make install` puts into the venv).
    assert Path(spec["argv"][0]).parent.resolve() == Path(sys.executable).parent.resolve(), spec["argv"]


def test_lab_runs_the_first_cells_of_chapter_00(lab: Lab):
    nb = nbformat.read(CHAPTER, as_version=4)
    sources = [cell.source for cell in nb.cells if cell.cell_type == "code"][:N_CELLS]
    sources.append("import os, sys, companion\nprint(companion.__file__, sys.prefix, os.getcwd(), sep='\\n')")
    path = CHAPTER.relative_to(ROOT).as_posix()
    session = lab.json("POST", "/api/sessions", {"path": path, "name": CHAPTER.name, "type": "notebook",
                                                 "kernel": {"name": nb.metadata["kernelspec"]["name"]}})
    kernel_id = session["kernel"]["id"]
    try:
        url = f"ws://127.0.0.1:{lab.base.rsplit(':', 1)[1]}/api/kernels/{kernel_id}/channels?session_id=test"
        results = asyncio.run(run_cells(url, lab.token, sources))
    finally:
        status, _ = lab.request("DELETE", f"/api/sessions/{session['id']}")  # shuts the kernel down
        assert status == 204
    for source, result in zip(sources, results, strict=True):
        assert result["status"] == "ok" and not result["errors"], (source[:200], result)
    module, prefix, cwd = results[-1]["stdout"].split()
    assert Path(module).resolve().is_relative_to(ROOT / "companion")
    assert Path(prefix).resolve() == Path(sys.prefix).resolve()
    assert Path(cwd).resolve() == CHAPTER.parent
    assert results[2]["stdout"].strip(), results[2]  # the world printed its summary
    kernels = lab.json("GET", "/api/kernels")
    assert kernel_id not in {k["id"] for k in kernels}
