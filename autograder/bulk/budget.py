"""What one submission may grow to, enforced on the grader's side: the submitted notebook, the outputs of each cell
and of the whole notebook (every output type: streams, displays, results, errors), and what its feedback page
renders. Going over costs that student the output or the notebook concerned, with a sentence in the feedback;
nothing grows without bound in the grader's memory or on disk.

(The student's process trims its own printed text too, zygote.STREAM_LIMIT; that only saves work. These limits are
the ones that hold, since the grader applies them to whatever comes back.)
"""

import json

NOTEBOOK_BYTES = 32 * 1024 * 1024  # a submitted notebook file (outputs included; they are cleared before grading)
SOURCE_CHARS = 2_000_000  # all the cells' sources of one notebook together, once its outputs are cleared
CELL_OUTPUT_CHARS = 4_000_000  # one cell's outputs, as JSON (a plot is 30-100 kB)
NOTEBOOK_OUTPUT_CHARS = 16_000_000  # all the cells' outputs of one notebook, as JSON
MARKDOWN_SHOWN_CHARS = 100_000  # one markdown cell, as the feedback page shows it
RENDER_SECONDS = 60  # the feedback page of one notebook


def size(outputs):
    """The size of a list of outputs as nbformat stores them (characters of JSON)."""
    return len(json.dumps(outputs, separators=(",", ":")))


def encodable(value):
    """``value`` with every string made writable as UTF-8 (a lone surrogate, which an honest print can produce,
    becomes '?'): the autograded notebook and the feedback must always be written."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [encodable(v) for v in value]
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    return value


def _note(text):
    return {"output_type": "stream", "name": "stdout", "text": f"\n... {text} ...\n"}


class Outputs:
    """The output budget of one notebook: ``keep(outputs)`` returns what of one cell's outputs fits, in order."""

    def __init__(self):
        self.used, self.exceeded = 0, False

    def keep(self, outputs):
        kept, cell = [], 0
        for index, output in enumerate(encodable(outputs)):
            n = size([output])
            if cell + n > CELL_OUTPUT_CHARS:
                self.exceeded = True
                kept.append(_note(f"{len(outputs) - index} more outputs of this cell dropped by the grader: a cell may "
                                  f"show {CELL_OUTPUT_CHARS:,} characters of output"))
                break
            if self.used + n > NOTEBOOK_OUTPUT_CHARS:
                self.exceeded = True
                kept.append(_note(f"output dropped by the grader: the notebook's outputs reached "
                                  f"{NOTEBOOK_OUTPUT_CHARS:,} characters"))
                break
            kept.append(output)
            cell += n
            self.used += n
        return kept


def too_large(path, nb=None):
    """A sentence saying why this notebook is over budget, or None."""
    if path.stat().st_size > NOTEBOOK_BYTES:
        return (f"is {path.stat().st_size / 1e6:.0f} MB, over the grader's limit of {NOTEBOOK_BYTES / 1e6:.0f} MB "
                f"for a notebook")
    if nb is not None:
        chars = sum(len(cell.source) for cell in nb.cells)
        if chars > SOURCE_CHARS:
            return (f"holds {chars:,} characters of code and text, over the grader's limit of {SOURCE_CHARS:,} for "
                    f"a notebook")
    return None


def shown(nb):
    """The notebook as its feedback page shows it: each markdown cell cut to MARKDOWN_SHOWN_CHARS."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and len(cell.source) > MARKDOWN_SHOWN_CHARS:
            cell.source = (cell.source[:MARKDOWN_SHOWN_CHARS]
                           + f"\n\n*(... {len(cell.source) - MARKDOWN_SHOWN_CHARS:,} more characters, not shown here)*")
    return nb
