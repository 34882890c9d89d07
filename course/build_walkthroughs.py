"""Build the self-study walkthroughs: each jupytext percent script course/walkthroughs/NN_name.py becomes the
executed notebook course/walkthroughs/NN_name.ipynb, committed with its outputs so that it reads well on a
repository page without running anything.

    python course/build_walkthroughs.py            # convert and execute every walkthrough
    python course/build_walkthroughs.py 03 05      # only the walkthroughs whose file name starts with 03 or 05
    python course/build_walkthroughs.py --check    # list the notebooks whose cells differ from their script

Run it with the project's virtualenv (``.venv/bin/python``). The script is the source: edit the .py, never the
.ipynb. Cell ids are ``cell-<position>`` and the notebook carries no jupytext metadata, so an unchanged script
gives the same cells; only outputs (numbers, figures) change between runs. ``tests/course`` fails when a
notebook's cells drift from its script ("rebuild with ...") and executes every walkthrough in a scratch folder.
"""

import argparse
import base64
import io
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from PIL import Image

HERE = Path(__file__).resolve().parent
WALKTHROUGHS = HERE / "walkthroughs"
REBUILD = "python course/build_walkthroughs.py"


def scripts():
    """Every walkthrough script, in unit order (01_..., 02_..., ...)."""
    return sorted(WALKTHROUGHS.glob("[0-9][0-9]_*.py"))


def notebook_from_script(script):
    """The unexecuted notebook of a percent script: stable cell ids, no jupytext metadata."""
    nb = jupytext.read(script, fmt="py:percent")
    nb.metadata.pop("jupytext", None)
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    return nb


def cell_sources(nb):
    """(cell type, source) of every cell: what must agree between a script and its committed notebook."""
    return [(cell.cell_type, cell.source) for cell in nb.cells]


# The walkthroughs multiply small matrices, which BLAS threads do not speed up; on a busy two-core machine (the
# test suite runs notebooks side by side) spinning BLAS threads made one training run 50 times slower. The
# kernels that build and test the walkthroughs therefore use one BLAS thread; a reader's own Jupyter is unaffected.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def execute(nb, folder, timeout=120):
    """Run every cell in a fresh python3 kernel whose working directory is ``folder``; raises on an error."""
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(folder)}}).execute(env={**os.environ, **KERNEL_ENV})
    return nb


def shrink_images(nb, colors=64):
    """Re-encode every PNG output with a palette of ``colors`` colours (same pixels size, same dpi).

    Line plots use few colours, so this loses nothing visible and makes the committed notebooks about three
    times smaller. Returns the number of bytes saved.
    """
    saved = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" not in data:
                continue
            raw = base64.b64decode(data["image/png"])
            image = Image.open(io.BytesIO(raw)).convert("RGB")
            buffer = io.BytesIO()
            image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE) \
                .save(buffer, "PNG", optimize=True)
            if buffer.tell() < len(raw):
                data["image/png"] = base64.b64encode(buffer.getvalue()).decode("ascii")
                saved += len(raw) - buffer.tell()
    return saved


def build(script):
    """Convert one script and execute it in place, next to the script. Returns the seconds it took to run."""
    nb = notebook_from_script(script)
    start = time.perf_counter()
    execute(nb, script.parent)
    seconds = time.perf_counter() - start
    shrink_images(nb)
    script.with_suffix(".ipynb").write_text(nbformat.writes(nb) + "\n")
    return seconds


def stale():
    """The notebooks that are missing or whose cells differ from their script."""
    out = []
    for script in scripts():
        notebook = script.with_suffix(".ipynb")
        if not notebook.exists() or \
                cell_sources(nbformat.read(notebook, as_version=4)) != cell_sources(notebook_from_script(script)):
            out.append(notebook)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefixes", nargs="*", help="build only the walkthroughs starting with these (e.g. 03)")
    parser.add_argument("--check", action="store_true", help="only list stale notebooks; exit 1 if there are any")
    args = parser.parse_args(argv)
    if args.check:
        out = stale()
        for notebook in out:
            print(f"stale: {notebook.relative_to(HERE.parent)} (rebuild with `{REBUILD} {notebook.name[:2]}`)")
        return 1 if out else 0
    chosen = [s for s in scripts() if not args.prefixes or s.name.startswith(tuple(args.prefixes))]
    if not chosen:
        parser.error(f"no walkthrough matches {args.prefixes}")
    for script in chosen:
        seconds = build(script)
        size = script.with_suffix(".ipynb").stat().st_size / 1024
        print(f"built {script.with_suffix('.ipynb').relative_to(HERE.parent)}: ran in {seconds:.1f} s, {size:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
