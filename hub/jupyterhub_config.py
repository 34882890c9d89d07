# JupyterHub for the course on one machine (docs/jupyterhub.md). Start it as root:
#
#   /opt/nn-course-hub/venv/bin/jupyterhub -f hub/jupyterhub_config.py
#
# Local accounts log in with their system password (PAM); each user's JupyterLab runs as that user
# (LocalProcessSpawner), from the environment hub/setup.sh installs, in their home folder. Who may log in is
# the members of two Unix groups: nn-instructors (Formgrader, the grader) and nn-students.
# Environment variables change where it listens and keeps its state (the browser test uses them):
#   NN_HUB_IP, NN_HUB_PORT          public address (default 127.0.0.1:8000; put TLS in front for real use)
#   NN_HUB_STATE                    folder of the hub's database, cookie secret and proxy pid (/var/lib/nn-course-hub)
#   NN_HUB_PREFIX                   the environment's prefix (default /opt/nn-course-hub, as in hub/setup.sh)
import grp
import os
import pwd

prefix = os.environ.get("NN_HUB_PREFIX", "/opt/nn-course-hub")
venv = os.path.join(prefix, "venv")
state = os.environ.get("NN_HUB_STATE", "/var/lib/nn-course-hub")
ip = os.environ.get("NN_HUB_IP", "127.0.0.1")
port = int(os.environ.get("NN_HUB_PORT", "8000"))
INSTRUCTORS = os.environ.get("NN_HUB_INSTRUCTORS_GROUP", "nn-instructors")
STUDENTS = os.environ.get("NN_HUB_STUDENTS_GROUP", "nn-students")
os.makedirs(state, mode=0o700, exist_ok=True)

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.JupyterHub.bind_url = f"http://{ip}:{port}"
# The hub's own API and the proxy's API: loopback, on ports next to the public one.
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
c.ConfigurableHTTPProxy.command = ["configurable-http-proxy"]  # Debian's node-configurable-http-proxy
# Debian's proxy finds its modules in /usr/share/nodejs, where Debian's nodejs looks; another nodejs (NodeSource's,
# say) needs to be told. The proxy inherits the hub's environment.
if os.path.isdir("/usr/share/nodejs/configurable-http-proxy"):
    os.environ["NODE_PATH"] = os.pathsep.join(filter(None, ["/usr/share/nodejs", os.environ.get("NODE_PATH")]))
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "jupyterhub-proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")

# Local accounts and their passwords; the two groups are the roster.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {INSTRUCTORS, STUDENTS}
c.PAMAuthenticator.open_sessions = False  # no systemd-logind session per spawn on a container or a small machine

# Each user's JupyterLab as that user, in their home folder, from the course's environment.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [os.path.join(venv, "bin", "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {
    "PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin",
    "MPLBACKEND": "Agg",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "LANG": "C.UTF-8",
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def is_instructor(name):
    try:
        user = pwd.getpwnam(name)
        group = grp.getgrnam(INSTRUCTORS)
    except KeyError:
        return False
    return name in group.gr_mem or user.pw_gid == group.gr_gid


def instructor_path(spawner):
    """The instructor's terminal finds the grader first: their own checkout's environment (hub/setup.sh)."""
    if is_instructor(spawner.user.name):
        home = pwd.getpwnam(spawner.user.name).pw_dir
        env = dict(spawner.environment)  # a copy: the configured dict is shared by every user's spawner
        env["PATH"] = f"{home}/nn-course/.venv/bin:" + env["PATH"]
        spawner.environment = env


c.Spawner.pre_spawn_hook = instructor_path
