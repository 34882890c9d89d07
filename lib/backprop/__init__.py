"""backprop: the course's NumPy reference library.

Conventions (see docs/library.md):
- rows are samples: X has shape (n, d); a dense layer computes Z = X @ W + b with W of shape (d_in, d_out);
- float64 by default, because gradient checks need it;
- a graded unit is a pure function; thin objects compose them.

Each module has one job; import what you need, for example ``from backprop import gradcheck``.
"""

import sys as _sys

if _sys.version_info < (3, 11):  # the same requirement as pyproject.toml's requires-python, in the project's words
    raise ImportError(f"{__name__} (nn-course) needs Python 3.11 or newer; this is Python "
                      f"{_sys.version.split()[0]}. README.md, \"Install\", says how to install it with a newer one.")

__version__ = "0.1.0"
