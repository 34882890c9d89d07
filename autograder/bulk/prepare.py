"""Turning ``<course>/submitted/<student>/<assignment>/`` into a grading job (in the main process).

A job (``jobs.Job``) travels to a pool worker or a Dask worker: the student's notebooks after nbgrader's
own sanitizing preprocessors (outputs cleared, duplicated cell ids dropped, kernelspec, locked and test cells
restored from the gradebook, missing test cells added back), which cells to run, the student's other files,
and any grades an instructor already gave by hand (the feedback shows them).

Which cells run: every cell that can change a grade. A code cell is left out only when no cell that runs reads a
name it defines and either it is one of the instructor's demonstration cells (no nbgrader metadata, present
verbatim in the release) or it comes after the notebook's last test cell and the student saved outputs for it (a
capstone's experiments: nothing after the last test can change an autograded score, and the saved outputs are
what the hand grader reads). Such a cell of the student's keeps the outputs saved for it, marked as such (a
demonstration cell shows none). Everything else the student wrote or changed, the locked cells and the test
cells always run. ``run_all=True`` runs every cell.
"""

import collections
import copy
import hashlib
import os
import symtable
import json
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import DeduplicateIds

from .. import course
from ..grading import is_test_cell
from . import budget
from .jobs import Job, NotebookJob

def students(course_root, assignment):
    """Students with a submission folder for ``assignment``, sorted."""
    base = Path(course_root, "submitted")
    return sorted(p.parent.name for p in base.glob(f"*/{assignment}") if p.is_dir())


def _digest(h, path, name=None):
    h.update(str(name or path).encode() + b"\0")
    h.update(Path(path).read_bytes() + b"\0")


def code_folders():
    """The installed packages whose code can change a score: the grader (``autograder``: checks, suites, the bulk
    grader itself) and the library (``backprop``: the references)."""
    import autograder
    import backprop

    return [Path(autograder.__file__).parent, Path(backprop.__file__).parent]


def grader_fingerprint(course_root, assignment, options, folders=None):
    """What every submission's grade depends on besides the submission: the source notebooks, every ``.py`` file of
    the installed ``autograder`` and ``backprop`` packages (``code_folders``), the versions of nbgrader, nbformat
    and numpy, the options that change outcomes. Changing any of them regrades everything."""
    import nbformat as nbf
    import nbgrader
    import numpy

    h = hashlib.sha256(json.dumps(options, sort_keys=True).encode())
    h.update(f"nbgrader {nbgrader.__version__} nbformat {nbf.__version__} numpy {numpy.__version__}".encode())
    for path in sorted(Path(course_root, "source", assignment).glob("*.ipynb")):
        _digest(h, path)
    for folder in folders or code_folders():
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" not in path.parts:
                _digest(h, path, f"{folder.name}/{path.relative_to(folder)}")
    return h.hexdigest()


def submission_fingerprint(course_root, assignment, student, base):
    """sha256 of every file the student submitted for ``assignment`` (names and bytes), plus ``base``."""
    h = hashlib.sha256(base.encode())
    folder = Path(course_root, "submitted", student, assignment)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        if path.is_symlink():
            h.update(b"link:" + str(path.relative_to(folder)).encode() + b"\0" + os.readlink(path).encode() + b"\0")
            continue
        h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


# ------------------------------------------------------------------------------------ cell selection

def _names(source):
    """(names bound, global names read) by a cell, or None when it is not plain Python (magics).

    Reads are scope-aware: a function's parameters and locals are not reads of the notebook's globals."""
    try:
        table = symtable.symtable(source, "<cell>", "exec")
    except SyntaxError:
        return None
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()
             or s.is_namespace()}
    read = set()

    def walk(scope, top):
        for sym in scope.get_symbols():
            if sym.is_referenced() and (top or sym.is_global()):
                read.add(sym.get_name())
            if not top and sym.is_declared_global() and sym.is_assigned():
                bound.add(sym.get_name())
        for child in scope.get_children():
            walk(child, False)

    walk(table, True)
    return bound, read


MAX_OUTPUT_DEPTH = 32  # how deeply a saved output may nest (a plot's is 3 or 4): deeper ones are not kept


def _depth(value):
    """How deeply ``value`` (JSON: dicts and lists) nests, found without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_OUTPUT_DEPTH:
                stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def saved_outputs(nb):
    """{cell id: {"outputs": [...], "execution_count": n}} of the code cells of a notebook as submitted, before
    nbgrader clears their outputs: the cells with outputs, an id no other cell has, and at most MAX_OUTPUT_DEPTH
    levels of nesting. (Whether nbformat accepts them is checked once, for the cells kept: ``kept_outputs``.)"""
    ids = collections.Counter(cell.get("id") for cell in nb.cells)
    return {cell.id: copy.deepcopy({"outputs": cell.outputs, "execution_count": cell.get("execution_count")})
            for cell in nb.cells if cell.get("cell_type") == "code" and cell.get("outputs") and cell.get("id")
            and ids[cell.id] == 1 and _depth(cell.outputs) <= MAX_OUTPUT_DEPTH}


MAX_KEPT_CELLS = 200  # cells after the last test shown as saved (a capstone has a handful; nbformat checks each)


def kept_outputs(nb, kept, saved):
    """{index: saved outputs} of the cells ``kept`` (``cells_to_run``), within the notebook's output budget; {} when
    nbformat rejects any of them or there are more than MAX_KEPT_CELLS (then those cells run, as every cell once
    did)."""
    if len(kept) > MAX_KEPT_CELLS:
        return {}
    cells = [nbformat.from_dict({"cell_type": "code", "id": f"kept-{i}", "metadata": {}, "source": "",
                                 **saved[nb.cells[i].id]}) for i in kept]
    try:
        nbformat.validate(nbformat.v4.new_notebook(cells=cells))
    except Exception:
        return {}
    outputs = budget.Outputs()
    return {i: {"outputs": outputs.keep(cell.outputs), "execution_count": cell.execution_count}
            for i, cell in zip(kept, cells)}


def cells_to_run(nb, release_nb, graded_functions, run_all=False, saved=()):
    """(a list of booleans, one per cell of ``nb``: run it or not; the indices of the cells not run that show the
    outputs the student saved), as the module docstring says. ``saved``: the ids of the cells the student saved
    outputs for (``saved_outputs``)."""
    demo = {c.source for c in release_nb.cells if c.cell_type == "code" and "nbgrader" not in c.metadata}
    last_test = max((i for i, cell in enumerate(nb.cells) if is_test_cell(cell)), default=-1)
    run, skippable, kept = [], {}, set()
    for i, cell in enumerate(nb.cells):
        keep = cell.cell_type == "code"
        demonstration = "nbgrader" not in cell.metadata and cell.source in demo
        shown = not demonstration and i > last_test and cell.get("id") in saved
        if keep and not run_all and (demonstration or shown):
            names = _names(cell.source)
            if names is not None:
                skippable[i] = names[0]
                keep = False
                if shown:
                    kept.add(i)
        run.append(keep)
    # a skipped cell comes back when a cell that runs reads what it defines (to a fixed point)
    read = set(graded_functions)
    for i, keep in enumerate(run):
        if keep and nb.cells[i].cell_type == "code":
            names = _names(nb.cells[i].source)
            read |= names[1] if names else set()
    changed = True
    while changed:
        changed = False
        for i, bound in list(skippable.items()):
            if bound & read:
                run[i] = True
                read |= _names(nb.cells[i].source)[1]
                del skippable[i]
                kept.discard(i)
                changed = True
    return run, sorted(kept)


# ------------------------------------------------------------------------------------------ the job

def nbgrader_list(converter, name, config):
    """A preprocessor list of one of nbgrader's converters (``Autograde.sanitize_preprocessors``, ...), as the
    course's config sets it or, by default, as nbgrader declares it."""
    configured = config.get(converter.__name__, {}).get(name) if config is not None else None
    return list(configured) if configured else list(converter.class_traits()[name].default())


def sanitize(nb, resources, config):
    """nbgrader's own sanitizing preprocessors (``Autograde.sanitize_preprocessors``), in nbgrader's order; each
    runs only when enabled, as there.

    One repair between them: DeduplicateIds leaves an empty ``nbgrader: {}`` on the extra copy of a duplicated
    cell, on which nbgrader 0.9.6's OverwriteCells (with add_missing_cells) raises KeyError and the whole
    submission fails; an empty dict means "no nbgrader metadata", so it is removed."""
    from nbgrader.converters import Autograde

    for cls in nbgrader_list(Autograde, "sanitize_preprocessors", config):
        nb, resources = cls(config=config)(nb, resources)
        if cls is DeduplicateIds:
            for cell in nb.cells:
                if cell.metadata.get("nbgrader") == {}:
                    del cell.metadata["nbgrader"]
    return nb


def changed_since_recorded(course_root, assignment, db_url, config=None):
    """What of ``source/<assignment>/`` differs from what nbgrader recorded in the gradebook when the assignment was
    generated (the cells it restores into every submission: test cells, locked cells, the stubs), as sentences; []
    when nothing does. The source notebooks go through nbgrader's own generate_assignment preprocessors up to
    ``SaveCells`` (in memory), so each cell's checksum is computed exactly as the recorded one was."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import SaveCells

    config = config or course.nbgrader_config(course_root, db_url)
    steps = nbgrader_list(GenerateAssignment, "preprocessors", config)
    steps = steps[:steps.index(SaveCells)] if SaveCells in steps else steps
    source_dir = Path(course_root, "source", assignment)
    changes = []
    with Gradebook(db_url) as gb:
        try:
            recorded = {nb.name: {c.name: c.checksum for c in nb.source_cells}
                        for nb in gb.find_assignment(assignment).notebooks}
        except MissingEntry:
            return [f"{assignment} is not in the gradebook"]
    names = {p.stem for p in source_dir.glob("*.ipynb")}
    changes += [f"{n}.ipynb is new" for n in sorted(names - set(recorded))]
    changes += [f"{n}.ipynb is gone" for n in sorted(set(recorded) - names)]
    for name in sorted(names & set(recorded)):
        nb = nbformat.read(source_dir / f"{name}.ipynb", as_version=4)
        resources = {"nbgrader": {"notebook": name, "assignment": assignment, "db_url": db_url},
                     "metadata": {"path": str(source_dir)}}
        for cls in steps:
            nb, resources = cls(config=config)(nb, resources)
        now = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader.get("checksum") for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") and "checksum" in c.metadata.nbgrader}
        for grade_id in sorted(set(now) | set(recorded[name])):
            if now.get(grade_id) != recorded[name].get(grade_id):
                how = "new" if grade_id not in recorded[name] else "gone" if grade_id not in now else "edited"
                changes.append(f"{name}.ipynb: cell `{grade_id}` {how}")
    return changes


def _graded_functions(assignment):
    """Names of the student functions the assignment's questions look up (grade() reads them by name)."""
    from ..question import REGISTRY

    try:
        __import__(f"autograder.suites.{assignment}")
    except ImportError:
        return set()
    return {name for qid, q in REGISTRY.items() if qid.startswith(assignment + ".")
            for name in getattr(q, "answers", (q.function,)) if name}


def hand_grades(gb, assignment, student, notebook):
    """{grade_id: {manual_score, extra_credit, comment}} already in the gradebook for this notebook."""
    try:
        sub = gb.find_submission_notebook(notebook, assignment, student)
    except MissingEntry:
        return {}
    out = {}
    for g in sub.grades:
        out.setdefault(g.name, {})["manual_score"] = g.manual_score
        out[g.name]["extra_credit"] = g.extra_credit
    for c in sub.comments:
        out.setdefault(c.name, {})["comment"] = c.manual_comment
    return out


def read_submitted(path, name, assignment, student, db_url, config):
    """(the notebook as nbgrader would grade it, None, its saved outputs: ``saved_outputs``), or (None, why every
    question in it scores 0, {}): over the size budget, not JSON, not a notebook nbgrader can sanitize, or one
    nbformat rejects (a cell of an unknown type, a source that is not text ...). Text that cannot be written as
    UTF-8 (a lone surrogate) is made writable."""
    too_large = budget.too_large(path)
    if too_large:
        return None, f"`{name}.ipynb` {too_large}: every question in it scores 0.", {}
    try:
        nb = nbformat.from_dict(budget.encodable(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)))
        saved = saved_outputs(nb)  # (before nbgrader clears them)
        resources = {"nbgrader": {"notebook": name, "assignment": assignment, "student": student, "db_url": db_url}}
        nb = nbformat.from_dict(sanitize(nb, resources, config))  # as nbgrader re-reads it
        nbformat.validate(nb)
        too_large = budget.too_large(path, nb)
    except Exception as exc:  # not JSON, not a notebook, metadata nbgrader cannot repair, rejected by nbformat
        why = str(exc).splitlines()[0][:200] if str(exc) else ""
        if isinstance(exc, nbformat.ValidationError):
            where = list(getattr(exc, "absolute_path", []) or [])
            why = (f"cell {where[1] + 1} is not a cell nbformat accepts" if where[:1] == ["cells"] and len(where) > 1
                   else f"nbformat rejects it at {'/'.join(map(str, where))[:80] or 'its top level'}")
        return None, (f"`{name}.ipynb` could not be read as a notebook ({type(exc).__name__}: {why}). Every question "
                      f"in it scores 0; open it in JupyterLab, save it, and check that it opens."), {}
    if too_large:
        return None, f"`{name}.ipynb` {too_large}: every question in it scores 0.", {}
    return nb, None, saved


def find_notebooks(folder, names):
    """{recorded notebook name: (the path to grade as it, or None; the file name it had when another, or None;
    why it cannot be graded, or None)} for a submission folder.

    A notebook is graded under its own name. When exactly one of the assignment's notebooks is missing and the
    folder holds exactly one other notebook (``perceptron_adaline (1).ipynb``, a browser's download copy), that
    one is graded as the missing one, and the feedback says so. With more notebooks of other names than the
    grader can match, it says that too, rather than scoring 0 in silence."""
    folder = Path(folder)
    found = {}
    for name in names:
        path = folder / f"{name}.ipynb"
        if path.is_symlink():
            found[name] = (None, None, f"`{name}.ipynb` is a symbolic link, not a notebook: every question in it "
                                       f"scores 0. Submit the notebook file itself.")
        elif path.exists():
            found[name] = (path, None, None)
    missing = [n for n in names if n not in found]
    others = sorted(p for p in folder.glob("*.ipynb") if p.stem not in set(names) and p.is_file()
                    and not p.is_symlink())
    if len(missing) == 1 and len(others) == 1:
        found[missing[0]] = (others[0], others[0].name, None)
        return found
    for name in missing:
        if others:
            listed = ", ".join(f"`{p.name}`" for p in others[:5]) + (" ..." if len(others) > 5 else "")
            found[name] = (None, None, f"`{name}.ipynb` is missing from the submission, which has {len(others)} "
                           f"other notebook{'s' if len(others) > 1 else ''} ({listed}): the grader cannot tell "
                           f"which one to grade as `{name}.ipynb`, so every question in it scores 0. Submit it "
                           f"as `{name}.ipynb`.")
        else:
            found[name] = (None, None, f"`{name}.ipynb` is missing from the submission: every question in it "
                                       f"scores 0.")
    return found


def seconds_late(gb, assignment, student, timestamp):
    """How late a submission made at ``timestamp`` is, as nbgrader's ``SubmittedAssignment.total_seconds_late``
    computes it: against the assignment's due date in the gradebook plus the student's extension, 0 when either
    is unknown."""
    duedate = gb.find_assignment(assignment).duedate
    try:
        duedate = gb.find_submission(assignment, student).duedate
    except MissingEntry:
        pass
    if timestamp is None or duedate is None:
        return 0.0
    return max(0.0, (timestamp - duedate).total_seconds())


def build_job(course_root, assignment, student, db_url, fingerprint, run_all=False, config=None):
    """The Job for one submission (``jobs``; see the module docstring)."""
    course_root = Path(course_root)
    config = config or course.nbgrader_config(course_root, db_url)
    folder = course_root / "submitted" / student / assignment
    release_dir = course_root / "release" / assignment
    source_dir = course_root / "source" / assignment
    functions = _graded_functions(assignment)
    job = Job(assignment, student, fingerprint)
    # symbolic links are not followed: a link to source/ would hand the hidden tests to the student's process
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink() and p.suffix != ".ipynb"):
        job.files[str(path.relative_to(folder))] = path.read_bytes()
    for path in sorted(p for p in source_dir.rglob("*") if p.is_file() and p.suffix not in (".ipynb", ".py")):
        job.files[str(path.relative_to(source_dir))] = path.read_bytes()  # as nbgrader: source wins
    timestamp = None
    if (folder / "timestamp.txt").exists():
        from nbgrader.coursedir import CourseDirectory

        try:
            timestamp = CourseDirectory(config=config).get_existing_timestamp(str(folder))
        except (SystemExit, Exception) as exc:  # nbgrader's `fail` exits: the same refusal, as an error here
            raise ValueError(f"submitted/{student}/{assignment}/timestamp.txt is not a time nbgrader can read; "
                             f"fix or delete it (nbgrader autograde refuses it too)") from exc
        job.timestamp = timestamp.isoformat() if timestamp else None
    with Gradebook(db_url) as gb:
        job.seconds_late = seconds_late(gb, assignment, student, timestamp)
        notebooks = gb.find_assignment(assignment).notebooks
        found = find_notebooks(folder, [nb.name for nb in notebooks])
        for recorded in notebooks:
            name = recorded.name
            entry = NotebookJob(name, recorded.max_score, hand_grades(gb, assignment, student, name))
            job.notebooks.append(entry)
            path, entry.renamed_from, entry.problem = found[name]
            saved = {}
            if path is not None:
                entry.notebook, entry.problem, saved = read_submitted(path, name, assignment, student, db_url, config)
            if entry.problem:
                if entry.renamed_from:
                    entry.problem = f"Your notebook was named `{entry.renamed_from}`; it was graded as " \
                                    f"`{name}.ipynb`. {entry.problem}"
                continue
            release_path = release_dir / f"{name}.ipynb"
            release_nb = nbformat.read(release_path, as_version=4) if release_path.exists() \
                else nbformat.v4.new_notebook()
            entry.run, kept = cells_to_run(entry.notebook, release_nb, functions, run_all, saved)
            entry.kept = kept_outputs(entry.notebook, kept, saved)
            if kept and not entry.kept:  # saved outputs nbformat rejects: those cells run
                entry.run, _ = cells_to_run(entry.notebook, release_nb, functions, run_all)
            entry.restored = _restored(entry.notebook)
    return job


def _restored(nb):
    """Grade ids of test cells nbgrader had to put back (deleted by the student)."""
    return [c.metadata.nbgrader["grade_id"] for c in nb.cells
            if utils.is_grade(c) and "was missing from the submission" in c.source]
