# /etc/profile.d/nn-course-hub.sh (installed by hub/setup.sh). A terminal in JupyterLab is a login shell, and
# Debian's /etc/profile resets PATH, dropping what the hub's spawner set: put the course's environment back for
# the course's users, and, for an instructor, the grader's environment (their checkout's) first.
if id -nG 2>/dev/null | tr ' ' '\n' | grep -qx -e @STUDENTS@ -e @INSTRUCTORS@; then
    case ":$PATH:" in *":@VENV@/bin:"*) ;; *) PATH="@VENV@/bin:$PATH" ;; esac
    if id -nG 2>/dev/null | tr ' ' '\n' | grep -qx @INSTRUCTORS@ && [ -x "$HOME/nn-course/.venv/bin/python" ]; then
        case ":$PATH:" in *":$HOME/nn-course/.venv/bin:"*) ;; *) PATH="$HOME/nn-course/.venv/bin:$PATH" ;; esac
    fi
    export PATH
fi
