"""The sandbox a grading worker's warm interpreter runs in, and every student process forked from it: bubblewrap.

bubblewrap (Debian's ``bwrap``, the sandbox Flatpak uses) draws it; nothing here mounts or unshares by hand. One
sandbox per worker, for its whole life:

- its own PID, network (none at all), IPC and UTS namespaces; it dies with the worker (``--die-with-parent``);
- a read-only view of what running Python needs: /usr, /etc, the Python installation, the virtualenv and the
  project's packages; the course folder (submissions, gradebook, autograded/, feedback/), the repository's source/
  and build/, home folders and the rest of the machine are simply not there;
- private size-capped tmpfs for /tmp, /dev/shm and /scratch (the student's working folder): the disk budget;
- an unprivileged uid: as root, ``setpriv`` drops to a uid of the worker's own before Python starts (so that the
  process limit holds: the kernel does not apply RLIMIT_NPROC to uid 0); without root, bwrap's user namespace
  keeps the grader's uid and drops every capability.

Inside, the zygote (``zygote.py``) forks one student at a time and, after each, kills every other process in the
sandbox and empties the tmpfs (``zygote.clean``): nothing a student starts or writes outlives their grading.
"""

import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

SCRATCH = "/scratch"
UID_BASE = 200_000  # the uids a root grader's sandboxes run as: UID_BASE + a worker's number


@lru_cache(maxsize=None)
def problem():
    """Why no sandbox can be drawn on this machine (None when it can)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return ("bubblewrap (`bwrap`) is not installed: as root, `make system-tools` installs Debian's package; "
                "or grade with --no-sandbox, which runs student code with the grader's rights")
    trial = subprocess.run(command(["/bin/true"], uid=UID_BASE if os.geteuid() == 0 else None, tmpfs_mb=1,
                                   packages=False), capture_output=True, text=True, timeout=30)
    if trial.returncode != 0:
        return (f"bubblewrap cannot draw a sandbox here ({trial.stderr.strip()[-300:] or trial.returncode}); "
                f"unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone): grade as "
                f"root, enable them, or grade with --no-sandbox")
    return None


def _project_paths():
    """The folders Python imports the course's own packages from (the checkout's autograder/ and lib/backprop/)."""
    import autograder
    import backprop

    return [Path(autograder.__file__).parent, Path(backprop.__file__).parent]


def _system_view():
    """bwrap arguments for the read-only system folders (symbolic links kept as links: merged /usr)."""
    args = []
    for top in ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args


def _binds(paths):
    """Read-only binds of ``paths`` at the same place, each folder above them created open (0755): bwrap would
    otherwise make them private, and a sandbox running as another uid could not walk down to them."""
    made, args = set(), []
    for path in sorted({os.path.realpath(p) for p in paths}):
        parts = Path(path).parts
        for i in range(2, len(parts)):
            folder = str(Path(*parts[:i]))
            if folder not in made and not folder.startswith(("/usr", "/etc")) and folder not in ("/tmp", "/dev"):
                made.add(folder)
                args += ["--perms", "0755", "--dir", folder]
        args += ["--ro-bind", path, path]
    return args


def _view_binds(view):
    """The view's packages bound over the real ones (the same paths, so that Python's import finds them there)."""
    args = []
    for package in _project_paths():
        args += ["--ro-bind", str(Path(view) / package.name), str(package)]
    return args


def command(argv, uid=None, tmpfs_mb=256, packages=True, view=None):
    """The command that runs ``argv`` in the sandbox; ``uid``: the uid to drop to (a root grader), else None;
    ``packages``: whether Python and the course's packages are in it (not needed to try bwrap out); ``view``: a
    folder (``view.build``) whose ``autograder/`` and ``backprop/`` stand where those packages are."""
    python = [sys.base_prefix, sys.prefix]
    if uid is None:
        namespaces = ["--unshare-all", "--cap-drop", "ALL"]
    else:  # root: no user namespace (the uid must be a real one for the process limit), setpriv drops to it
        namespaces = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    size = str(tmpfs_mb * 1024 * 1024)
    # (order matters: a later mount goes on top, so the tmpfs come first and a checkout under /tmp stays visible)
    args = ["bwrap", *namespaces, "--die-with-parent", "--new-session",
            "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
            "--perms", "1777", "--size", size, "--tmpfs", "/dev/shm",
            "--perms", "1777", "--size", size, "--tmpfs", SCRATCH,
            *_system_view(),
            *(_binds(python + [str(p) for p in _project_paths()]) if packages else []),
            *(_view_binds(view) if packages and view else []),
            "--chdir", SCRATCH,
            "--setenv", "HOME", SCRATCH, "--setenv", "TMPDIR", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib"]
    if uid is not None:
        args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--bounding-set=-all",
                 "--inh-caps=-all", "--no-new-privs"]
    return args + list(argv)
