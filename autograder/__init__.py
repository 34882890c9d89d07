"""autograder: the course's grading package.

- ``grade("a1.predict")``: what a notebook's test cell calls (see ``grading``);
- ``when_ready()``: lets a demonstration cell wait politely for the functions it needs;
- ``summary("a1")``: the last cell of a notebook, where the public checks stand and what grading adds;
- ``autograder.suites.aN``: the questions and checks of assignment N, compared with ``backprop``;
- ``python -m autograder``: the command line (build the release, grade the demo class).
"""

import sys as _sys

if _sys.version_info < (3, 11):  # the same requirement as pyproject.toml's requires-python, in the project's words
    raise ImportError(f"{__name__} (nn-course) needs Python 3.11 or newer; this is Python "
                      f"{_sys.version.split()[0]}. README.md, \"Install\", says how to install it with a newer one.")

from .grading import grade
from .notebook import when_ready
from .progress import summary

__all__ = ["grade", "summary", "when_ready"]
