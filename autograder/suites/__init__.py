"""One module per assignment: ``aN.py`` declares that assignment's questions and their checks."""
