"""A JupyterHub on loopback for the browser test: the course's hub/jupyterhub_config.py, run as root from the hub's
environment (hub/setup.sh), with PAM logins of the local accounts `make hub-users` creates."""

import contextlib
import grp
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

from autograder import course

from .lab import serving

PREFIX = Path(os.environ.get("NN_HUB_PREFIX", "/opt/nn-course-hub"))
VENV = PREFIX / "venv"
EXCHANGE = Path("/srv/nbgrader/exchange")
CONFIG = course.REPO / "hub" / "jupyterhub_config.py"
INSTRUCTOR = "hubinstructor"
STUDENTS = ("hubstudent1", "hubstudent2")
PASSWORD = "nn-course-hub-test"  # the Makefile's HUB_PASSWORD: test accounts only


def why_not():
    """None when the hub can run here, else the reason (the test skips with it)."""
    if os.geteuid() != 0:
        return "the hub's PAM logins and spawning as other users need root"
    if not (VENV / "bin" / "jupyterhub").exists():
        return f"no hub environment at {VENV}: run `make hub-users` (as root)"
    if not shutil.which("configurable-http-proxy"):
        return "configurable-http-proxy is missing: run `make hub-users` (as root)"
    for name in (INSTRUCTOR, *STUDENTS):
        try:
            pwd.getpwnam(name)
        except KeyError:
            return f"no local user {name!r}: run `make hub-users` (as root)"
    home = Path(pwd.getpwnam(INSTRUCTOR).pw_dir)
    if not (home / "nn-course" / ".venv" / "bin" / "python").exists() or not (home / "course").is_dir():
        return f"{INSTRUCTOR!r} has no course folder or grader: run `make hub-users` (as root)"
    if INSTRUCTOR not in grp.getgrnam("nn-instructors").gr_mem:
        return f"{INSTRUCTOR!r} is not in nn-instructors: run `make hub-users` (as root)"
    if not EXCHANGE.is_dir():
        return f"no exchange at {EXCHANGE}: run `make hub-users` (as root)"
    return None


def home(user):
    return Path(pwd.getpwnam(user).pw_dir)


def _free_port_block(n=3):
    """A port p with p, p+1 ... p+n-1 all free (the hub's public, internal API and proxy API ports)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + n > 65535:
            continue
        try:
            for k in range(1, n):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + k))
            return port
        except OSError:
            continue
    raise RuntimeError("no block of free ports")


@contextlib.contextmanager
def jupyterhub(state):
    """Start the hub with its state (database, cookie secret, logs) in ``state``; yields its base URL; stops it,
    and every user's server, after."""
    state = Path(state)
    state.mkdir(parents=True, exist_ok=True)
    port = _free_port_block()
    env = {"PATH": f"{VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/root",
           "NN_HUB_PORT": str(port), "NN_HUB_STATE": str(state / "hub-state"), "NN_HUB_PREFIX": str(PREFIX)}
    log = open(state / "jupyterhub.log", "w")
    hub = subprocess.Popen([str(VENV / "bin" / "jupyterhub"), "-f", str(CONFIG)], cwd=state, env=env,
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    # on leaving, SIGTERM: the hub stops the proxy and, with cleanup_servers (its default), every user's server
    with serving(hub, f"http://127.0.0.1:{port}", "/hub/api/", log, "JupyterHub", 120, 60) as base:
        yield base
