"""backprop: the course's NumPy reference library.

Conventions (see docs/library.md):
- rows are samples: X has shape (n, d); a dense layer computes Z = X @ W + b with W of shape (d_in, d_out);
- float64 by default, because gradient checks need it;
- a graded unit is a pure function; thin objects compose them.

Each module has one job; import what you need, for example ``from backprop import gradcheck``.
"""

__version__ = "0.1.0"
