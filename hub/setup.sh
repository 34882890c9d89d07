#!/bin/sh
# The course on one JupyterHub machine (docs/jupyterhub.md). Run as root, from a checkout of the course:
#
#   sh hub/setup.sh install                 # the hub's environment, the exchange, the configuration every user reads
#   sh hub/setup.sh instructor NAME         # NAME (an existing local user) gets the course folder, Formgrader, the grader
#   sh hub/setup.sh student NAME...         # each NAME (an existing local user) may log in as a student
#
# Safe to run again: each step does only what is missing (`install` refreshes the course's package and configs).
set -eu

HUB_PREFIX=${HUB_PREFIX:-/opt/nn-course-hub}        # the environment every user's server runs in (root-owned, world-readable)
EXCHANGE=${EXCHANGE:-/srv/nbgrader/exchange}        # nbgrader's exchange root
INSTRUCTORS_GROUP=${INSTRUCTORS_GROUP:-nn-instructors}
STUDENTS_GROUP=${STUDENTS_GROUP:-nn-students}
PYTHON=${PYTHON:-/usr/bin/python3}
JUPYTERHUB_SPEC=${JUPYTERHUB_SPEC:-jupyterhub>=5,<7}
CHECKOUT=$(cd "$(dirname "$0")/.." && pwd)
VENV=$HUB_PREFIX/venv
say() { echo "hub: $*"; }

need_root() { [ "$(id -u)" = 0 ] || { echo "hub/setup.sh: run as root" >&2; exit 1; }; }

apt_install() {  # Debian packages, when missing
    missing=""
    for p in "$@"; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"; done
    if [ -n "$missing" ]; then
        say "apt-get install$missing"
        apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
    fi
}

# A copy of the checkout's tracked files (no .venv, build/ or gradebooks), in a fresh folder printed on stdout.
tracked_copy() {
    dest=$1
    mkdir -p "$dest"
    (cd "$CHECKOUT" && git ls-files -z | tar --null -cf - -T -) | tar -xf - -C "$dest"
}

install_hub() {
    need_root
    # The proxy (Debian's configurable-http-proxy), the sandbox the grader draws, venv for Debian's Python.
    # nodejs from another source (NodeSource) satisfies the proxy's dependency too.
    command -v configurable-http-proxy >/dev/null || apt_install node-configurable-http-proxy
    apt_install bubblewrap python3-venv
    getent group "$INSTRUCTORS_GROUP" >/dev/null || groupadd "$INSTRUCTORS_GROUP"
    getent group "$STUDENTS_GROUP" >/dev/null || groupadd "$STUDENTS_GROUP"

    # One environment for every user's server: JupyterHub from PyPI and the course's student install (JupyterLab,
    # nbgrader with Validate and the Assignments tab, the checks and the library). Built from a copy of the tracked
    # files as a wheel, so it carries no source/ (no solutions, no hidden tests) and nothing of the checkout.
    umask 022
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV"
        mkdir -p "$HUB_PREFIX"
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    "$VENV/bin/python" -m pip install --quiet "$JUPYTERHUB_SPEC"
    stamp=$(cd "$CHECKOUT" && git ls-files -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
    if [ "$(cat "$VENV/.course-installed" 2>/dev/null)" != "$stamp" ]; then
        src=$(mktemp -d /tmp/nn-course-src.XXXXXX)
        tracked_copy "$src"
        rm -rf "$src/source"        # what students run must not need source/: the wheel would not carry it anyway
        say "installing the course (student install) into $VENV"
        "$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$src"
        "$VENV/bin/python" -m pip install --quiet "$src"
        rm -rf "$src"
        echo "$stamp" > "$VENV/.course-installed"
    fi
    chmod -R a+rX "$HUB_PREFIX"

    # Configuration every user's server reads: nbgrader's course id and exchange (nbgrader looks in
    # <sys.prefix>/etc/jupyter), Lab settings overrides, and nbgrader's instructor tools off by default.
    install -d -m 0755 "$VENV/etc/jupyter" "$VENV/share/jupyter/lab/settings"
    sed -e "s|@EXCHANGE@|$EXCHANGE|" "$CHECKOUT/hub/nbgrader_config.py" > "$VENV/etc/jupyter/nbgrader_config.py"
    cp "$CHECKOUT/hub/overrides.json" "$VENV/share/jupyter/lab/settings/overrides.json"
    # (The files `jupyter labextension disable` and `jupyter server extension disable --sys-prefix` would write,
    # written here without the lock `labextension disable` adds, so that an instructor's own settings turn them on.)
    install -d -m 0755 "$VENV/etc/jupyter/labconfig" "$VENV/etc/jupyter/jupyter_server_config.d"
    cat > "$VENV/etc/jupyter/labconfig/page_config.json" <<JSON
{"disabledExtensions": {"@jupyter/nbgrader:formgrader": true, "@jupyter/nbgrader:create-assignment": true}}
JSON
    # (loaded after nbgrader's own nbgrader.json in that folder, which turns every nbgrader extension on)
    cat > "$VENV/etc/jupyter/jupyter_server_config.d/zz-nn-course-hub.json" <<JSON
{"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": false}}}
JSON
    rm -f "$VENV/etc/jupyter/jupyter_server_config.d/nbgrader.server_extensions.formgrader.json"
    chmod -R a+rX "$VENV/etc" "$VENV/share/jupyter"

    sed -e "s|@VENV@|$VENV|g" -e "s|@STUDENTS@|$STUDENTS_GROUP|g" -e "s|@INSTRUCTORS@|$INSTRUCTORS_GROUP|g" \
        "$CHECKOUT/hub/profile.sh" > /etc/profile.d/nn-course-hub.sh
    chmod 0644 /etc/profile.d/nn-course-hub.sh

    # nbgrader's exchange: a world-writable root with the sticky bit (nobody deletes what another user put
    # there); each course's inbound/outbound/feedback folders get nbgrader's own modes when the instructor
    # first releases.
    install -d -m 0755 "$(dirname "$EXCHANGE")"
    install -d -m 1777 "$EXCHANGE"
    say "ready: $VENV, exchange $EXCHANGE"
}

private_home() {  # Debian's useradd leaves homes readable by everyone (no HOME_MODE): make theirs private
    home=$(getent passwd "$1" | cut -d: -f6)
    [ -n "$home" ] || { echo "hub/setup.sh: no user $1" >&2; exit 1; }
    chmod 0700 "$home"
    echo "$home"
}

instructor() {
    need_root
    name=$1
    home=$(private_home "$name")
    usermod -a -G "$INSTRUCTORS_GROUP" "$name"
    group=$(id -gn "$name")
    # The instructor's own copy of the course repository (with source/), and the grader's environment in it.
    # (A real course keeps a git clone there; here the checkout's tracked files are copied over, every run.)
    [ -d "$home/nn-course/.git" ] || tracked_copy "$home/nn-course"
    chown -R "$name:$group" "$home/nn-course"
    if [ ! -x "$home/nn-course/.venv/bin/python" ]; then
        say "creating the grader's environment in $home/nn-course/.venv (as $name)"
        runuser -u "$name" -- "$PYTHON" -m venv "$home/nn-course/.venv"
        runuser -u "$name" -- "$home/nn-course/.venv/bin/python" -m pip install --quiet --upgrade pip
    fi
    # The grader tier, editable (the course folder's source/ is this checkout's).
    if ! cmp -s "$home/nn-course/pyproject.toml" "$home/nn-course/.venv/.installed-pyproject"; then
        say "installing the grader into $home/nn-course/.venv"
        runuser -u "$name" -- env HOME="$home" "$home/nn-course/.venv/bin/python" -m pip install --quiet \
            -e "$home/nn-course[grader]"
        runuser -u "$name" -- cp "$home/nn-course/pyproject.toml" "$home/nn-course/.venv/.installed-pyproject"
    fi
    # The course folder: source/ is the repository's; nbgrader's config points at the hub's exchange.
    runuser -u "$name" -- install -d -m 0700 "$home/course" "$home/.jupyter"
    [ -e "$home/course/source" ] || runuser -u "$name" -- ln -s "$home/nn-course/source" "$home/course/source"
    for f in "$home/course/nbgrader_config.py" "$home/.jupyter/nbgrader_config.py"; do
        sed -e "s|@COURSE@|$home/course|" -e "s|@EXCHANGE@|$EXCHANGE|" "$CHECKOUT/hub/instructor_nbgrader_config.py" > "$f"
        chown "$name:$group" "$f"
    done
    # Formgrader and the create-assignment toolbar, for this user only (off for everybody else).
    # (What `jupyter labextension enable --level=user` and `jupyter server extension enable --user` write.)
    runuser -u "$name" -- install -d -m 0700 "$home/.jupyter/labconfig"
    runuser -u "$name" -- sh -c "cat > '$home/.jupyter/labconfig/page_config.json'" <<JSON
{"disabledExtensions": {"@jupyter/nbgrader:formgrader": false, "@jupyter/nbgrader:create-assignment": false}}
JSON
    runuser -u "$name" -- sh -c "cat > '$home/.jupyter/jupyter_server_config.json'" <<JSON
{"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": true}}}
JSON
    say "instructor $name: course folder $home/course, grader in $home/nn-course/.venv"
}

student() {
    need_root
    for name in "$@"; do
        private_home "$name" >/dev/null
        usermod -a -G "$STUDENTS_GROUP" "$name"
        say "student $name"
    done
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    install) install_hub ;;
    instructor) [ $# = 1 ] || { echo "usage: hub/setup.sh instructor NAME" >&2; exit 2; }; instructor "$1" ;;
    student) [ $# -ge 1 ] || { echo "usage: hub/setup.sh student NAME..." >&2; exit 2; }; student "$@" ;;
    *) echo "usage: hub/setup.sh install | instructor NAME | student NAME..." >&2; exit 2 ;;
esac
