"""Data files that ship inside the package (nothing is downloaded at run time); ``backprop.data`` loads them.

- ``digits.npz``: the 8x8 handwritten digits (see ``README.md`` here for the source and the licence), written
  once by ``make_digits.py``.
"""
