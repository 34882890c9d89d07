"""Real-browser plumbing: Debian's chromium driven by playwright, and a JupyterLab server on loopback.

Chromium comes from Debian's package (installed here when missing and we are root); playwright never downloads
a browser. JupyterLab runs with a token, its own settings (no news toast, every cell rendered) and workspaces.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "course-browser-test"


def ensure_chromium():
    """Debian's chromium (installed by `make system-tools`); the test is skipped, saying so, when it is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed: `make system-tools` installs it (as root, with apt-get)")
    return CHROMIUM


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(folder):
    """User settings: no news or update checks, and no windowing (every cell is in the page)."""
    for plugin, values in {"apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
                           "notebook-extension/tracker": {"windowingMode": "none"}}.items():
        path = Path(folder, "@jupyterlab", plugin + ".jupyterlab-settings")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@contextlib.contextmanager
def jupyterlab(root, scratch):
    """Start ``jupyter lab`` serving ``root`` on loopback; yields its base URL; stops it (and its kernels) after."""
    port = _free_port()
    _settings(Path(scratch, "settings"))
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(Path(scratch, "settings")),
           "JUPYTERLAB_WORKSPACES_DIR": str(Path(scratch, "workspaces")), "MPLBACKEND": "Agg",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    log = open(Path(scratch, f"jupyterlab-{port}.log"), "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    with serving(server, f"http://127.0.0.1:{port}", "/api/status?token=" + TOKEN, log, "JupyterLab", 90, 20) as base:
        yield base


@contextlib.contextmanager
def serving(process, base, probe, log, what, start_seconds, stop_seconds):
    """Wait until ``base + probe`` answers (RuntimeError naming ``log`` when ``process`` exits first, or after
    ``start_seconds``), yield ``base``; then stop the process's group (SIGTERM, SIGKILL after ``stop_seconds``)
    and close ``log``. The server is started with ``start_new_session=True`` (its own process group)."""
    try:
        deadline = time.time() + start_seconds
        while True:
            try:
                urllib.request.urlopen(base + probe, timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"{what} did not start; see {log.name}") from None
                time.sleep(0.5)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):  # (a server that did not start may be gone already)
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=stop_seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def lab_url(base, path=""):
    """A fresh workspace, so no tab restored from an earlier session races the test."""
    tree = f"/tree/{path}" if path else ""
    return f"{base}/lab/workspaces/{uuid.uuid4().hex}{tree}?token={TOKEN}"
