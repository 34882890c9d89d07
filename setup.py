"""Only the Python check: everything else is in pyproject.toml. pip runs this before it resolves dependencies, so an
unsupported Python gets the project's own message rather than one about a dependency that has no release for it."""

import sys

MESSAGE = ("nn-course needs Python 3.11 or newer; this is Python {}. Install it with a newer Python, for example "
           "`python3.11 -m venv .venv && .venv/bin/pip install .` (README.md, \"Install\").")

if sys.version_info < (3, 11):
    sys.exit(MESSAGE.format(sys.version.split()[0]))

from setuptools import setup  # noqa: E402

setup()
