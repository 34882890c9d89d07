"""The similarity report, for the instructor only: graded functions that match the library's reference, and pairs
of students whose graded functions are near-identical.

It works on the grader's side from the text of the submitted notebooks: code cells are parsed with ``ast`` and
never run. For each *implement* question of the assignment (``Question.function``; debug, derive and explain
questions are left out: a debug question's right answer is the reference), the last top-level definition of that
name in the student's notebooks is taken, and normalized:

- docstrings, string statements, comments, annotations and decorators are dropped;
- every name the function binds (its arguments, locals, loop variables, nested helpers) becomes one and the same
  token, as MOSS does, so renaming variables hides nothing, nor does adding one (numbering names by first use
  would shift every later name); globals (``np``, ``add_bias``), attributes and keyword names stay (they are the
  API); string literals become one token, numbers stay;
- what the release handed out is not the student's: a function's stub body, or, for a class, each method left as
  the release wrote it, is taken out; a function equal to its stub is not compared.

A normalized function is a sequence of tokens. Its score against another is ``difflib``'s ratio of the two
sequences (1.0: identical after normalization). Functions shorter than ``MIN_TOKENS`` are not compared: short
correct solutions of a small function look alike by necessity.

It scales to large classes: identical normalized functions are grouped by hash; near-identical ones are found
by winnowing (MOSS's method: fingerprints of token k-grams) with an inverted index, and only the candidate pairs
sharing enough fingerprints are scored. A fingerprint present in more than ``COMMON`` distinct versions of a
function (the idioms everybody writes) is not indexed.

Outputs, written atomically: ``<course>/reports/similarity-<assignment>.csv`` and ``.html`` (every value escaped:
student code and names are hostile). Nothing of it goes to ``feedback/`` or ``autograded/``.
"""

import ast
import csv
import difflib
import hashlib
import html
import importlib
import inspect
import io
import json
import os
import re
import tempfile
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from . import budget

MIN_TOKENS = 40  # a function with fewer normalized tokens (what the student wrote) is not compared
PAIR_THRESHOLD = 0.9  # two students' functions at or above this score are a near-identical pair
REFERENCE_THRESHOLD = 0.9  # a function at or above this score against a reference matches the reference
K, WINDOW = 8, 4  # winnowing: k-grams of tokens, and the window a fingerprint is chosen in
CANDIDATE = 0.5  # share of fingerprints two versions must have in common to be scored
COMMON = 50  # a fingerprint in more distinct versions than this is an idiom, and is not indexed
MAX_TOKENS = 5000  # past this, a score is the share of fingerprints in common (difflib would be too slow)
SHOWN_CHARS = 20_000  # of a function's source, in the HTML report
SHOWN_ROWS = 1000  # rows of the HTML report that show the code side by side
SKIPPED_KINDS = ("debug", "derive", "explain")


# ------------------------------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Match:
    """One flagged function: ``student``'s function of ``question`` is close to a reference or to ``other``'s."""
    question: str
    function: str
    student: str
    kind: str  # "reference" or "student"
    other: str  # the reference's qualified name, or the other student
    score: float
    source: str = ""  # the student's function, as written
    other_source: str = ""  # the reference's source, or the other student's function


@dataclass
class Report:
    assignment: str
    matches: list = field(default_factory=list)  # of Match, reference matches first, then pairs, best first
    compared: int = 0  # student functions compared (long enough, not the stub)
    crowded: list = field(default_factory=list)  # (question, function, students): identical in that many, not paired
    csv: Path = None
    html: Path = None
    error: str = ""  # why no report could be made

    @property
    def reference_matches(self):
        return [m for m in self.matches if m.kind == "reference"]

    @property
    def pairs(self):
        """The distinct pairs of students with at least one near-identical function."""
        return sorted({(m.student, m.other) for m in self.matches if m.kind == "student"})

    def line(self, course_root=None):
        """The summary's line."""
        if self.error:
            return f"similarity: no report ({self.error})"
        where = self.html
        if course_root is not None and where is not None:
            where = os.path.relpath(where, course_root)
        n, p = len({(m.student, m.question) for m in self.reference_matches}), len(self.pairs)
        return (f"similarity: {n} function{'s' * (n != 1)} match{'es' * (n == 1)} the reference, {p} pair"
                f"{'s' * (p != 1)} of students near-identical (report: {where})")


@dataclass(frozen=True)
class Written:
    """One student's (or reference's) function, normalized: what it compares as."""
    tokens: tuple  # normalized tokens of what was written (the stub's parts taken out)
    source: str
    digest: str = ""

    def __post_init__(self):
        object.__setattr__(self, "digest", hashlib.sha256("\x1f".join(self.tokens).encode()).hexdigest())


# ------------------------------------------------------------------------------------------- normalizing

_SKIPPED_FIELDS = {"annotation", "returns", "type_comment", "decorator_list", "type_params"}


def _constant(value):
    if isinstance(value, str):
        return "S"
    if isinstance(value, bytes):
        return "B"
    if isinstance(value, bool) or value is None or value is Ellipsis:
        return repr(value)
    if isinstance(value, int) and value.bit_length() > 64:
        return "INT"
    return repr(value)


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _emit(statements, bound=()):
    """The normalized tokens of a list of statements, in one walk: every name they bind (assigned, a parameter, a
    loop or exception variable, an import, a nested definition), and every name in ``bound``, becomes the one
    token ``v``; other names (globals) stay as ``g:name``."""
    out, bound = [], set(bound)

    def name(n, binds):
        if binds:
            bound.add(n)
        out.append((n,))  # resolved at the end: a name may be read before the line that binds it

    def visit(n):
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str):
            return  # a docstring, or a string used as a comment
        if isinstance(n, ast.expr_context):
            return
        if isinstance(n, ast.Name):
            name(n.id, not isinstance(n.ctx, ast.Load))
            return
        if isinstance(n, ast.arg):
            name(n.arg, True)
            return
        if isinstance(n, ast.Constant):
            out.append(_constant(n.value))
            return
        out.append(type(n).__name__)
        if isinstance(n, ast.Attribute):
            visit(n.value)
            out.append("." + n.attr)
            return
        if isinstance(n, ast.alias):
            out.append(f"import={n.name}")
            name(n.asname or n.name.split(".")[0], True)
            return
        binder = isinstance(n, (*_DEFINITIONS, ast.ExceptHandler, ast.MatchAs, ast.MatchStar, ast.MatchMapping))
        for key, value in ast.iter_fields(n):
            if key in _SKIPPED_FIELDS:
                continue
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, ast.AST):
                    visit(v)
                elif isinstance(v, str) and key in ("name", "names", "rest"):
                    name(v, binder)
                elif isinstance(v, str):  # keyword names, imported modules
                    out.append(f"{key}={v}")
        out.append(")")

    for statement in statements:
        visit(statement)
    return tuple(("v" if t[0] in bound else "g:" + t[0]) if type(t) is tuple else t for t in out)


def _parameters(node):
    a = node.args
    return {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if p is not None}


def pieces(node):
    """[(piece name, tokens)]: a function is one piece (its body); a class is one piece per method (by the method's
    name: the API a student fills in) and one for its other statements."""
    if isinstance(node, ast.ClassDef):
        out, rest = [], []
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.append((statement.name, _emit([statement.args, *statement.body])))
            else:
                rest.append(statement)
        return out + [("<class>", _emit(rest))]
    return [("", _emit(node.body, _parameters(node)))]


def written(node, source, stub=None):
    """The Written form of ``node``: its pieces, less those the release's ``stub`` pieces ({name: tokens}) hand out."""
    stub = stub or {}
    tokens = [t for name, toks in pieces(node) if stub.get(name) != toks for t in toks]
    return Written(tuple(tokens), source)


# --------------------------------------------------------------------------------------------- notebooks

_MAGIC = re.compile(r"^\s*[%!?].*$", re.MULTILINE)


def _parse(source):
    """The module ``source`` parses to (IPython's magics and shell lines blanked), or None."""
    for text in (source, _MAGIC.sub("", source)):
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


def _cells(path):
    """The code cells' sources of the notebook at ``path``: [] when it is missing, a link, too large or not a
    notebook."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > budget.NOTEBOOK_BYTES:
            return []
        nb = json.loads(path.read_bytes())
        out, chars = [], 0
        for cell in nb.get("cells", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            if not isinstance(source, str):
                continue
            chars += len(source)
            if chars > budget.SOURCE_CHARS:
                return []
            if cell.get("cell_type") == "code":
                out.append(source)
        return out
    except (OSError, ValueError, TypeError, AttributeError, RecursionError, MemoryError):
        return []


def definitions(cells, names):
    """{name: (node, its source)}: the last top-level definition of each of ``names`` in these code cells."""
    found = {}
    wanted = re.compile(r"\b(?:def|class)\s+(" + "|".join(map(re.escape, sorted(names))) + r")\b") if names else None
    for source in cells:
        if wanted is None or not wanted.search(source):
            continue  # parse only the cells that can define a graded function
        tree = _parse(source)
        if tree is None:
            continue
        lines = source.splitlines()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names:
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                found[node.name] = (node, "\n".join(lines[start - 1:node.end_lineno]))
    return found


# ------------------------------------------------------------------------------------------- questions

def questions(assignment):
    """The assignment's implement questions, in the suite's order."""
    from ..question import REGISTRY

    try:
        importlib.import_module(f"autograder.suites.{assignment}")
    except ImportError:
        return []
    return [q for qid, q in REGISTRY.items() if qid.startswith(assignment + ".")
            and getattr(q, "kind", "implement") not in SKIPPED_KINDS]


def references(question, stub):
    """{qualified name: Written} of the question's references (a class also method by method)."""
    out = {}
    for ref in question.references:
        try:
            source = textwrap.dedent(inspect.getsource(ref))
            node = ast.parse(source).body[0]
        except (OSError, TypeError, SyntaxError, IndexError):
            continue  # not Python source (a builtin, a partial): nothing to compare with
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        name = f"{getattr(ref, '__module__', '?')}.{getattr(ref, '__qualname__', node.name)}"
        out[name] = written(node, source, stub)
        if isinstance(node, ast.ClassDef):
            lines = source.splitlines()
            for method in node.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    piece = Written(_emit(method.body, _parameters(method)),
                                    textwrap.dedent("\n".join(lines[method.lineno - 1:method.end_lineno])))
                    if len(piece.tokens) >= MIN_TOKENS // 2:
                        out[f"{name}.{method.name}"] = piece
    return out


# ----------------------------------------------------------------------------------------------- scoring

def fingerprints(tokens, vocabulary):
    """Winnowing: the minimum hash of each window of WINDOW consecutive k-gram hashes."""
    ids = [vocabulary.setdefault(t, len(vocabulary)) for t in tokens]
    if len(ids) < K:
        return {hash(tuple(ids))} if ids else set()
    hashes = [hash(tuple(ids[i:i + K])) for i in range(len(ids) - K + 1)]
    if len(hashes) <= WINDOW:
        return {min(hashes)}
    return {min(hashes[i:i + WINDOW]) for i in range(len(hashes) - WINDOW + 1)}


def score(a, b, fa=None, fb=None):
    """How alike two token sequences are, 0 to 1: difflib's ratio, or past MAX_TOKENS the Jaccard index of their
    fingerprints (``fa``, ``fb``)."""
    if a == b:
        return 1.0
    if len(a) > MAX_TOKENS or len(b) > MAX_TOKENS:
        return len(fa & fb) / max(1, len(fa | fb)) if fa is not None and fb is not None else 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio()


def _close(matcher, a, threshold):
    """difflib's ratio of ``a`` to the matcher's second sequence (set once: difflib indexes it), when it can reach
    ``threshold`` (its cheap upper bounds first); else 0."""
    matcher.set_seq1(a)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return 0.0
    return matcher.ratio()


def _alike(a, b, fa, fb, threshold):
    """The score of two token sequences (fingerprints ``fa``, ``fb``) when it can reach ``threshold``, else 0."""
    if len(a) > MAX_TOKENS or len(b) > MAX_TOKENS:
        return score(a, b, fa, fb)
    return _close(difflib.SequenceMatcher(None, b=b, autojunk=False), a, threshold)


def _candidates(fa, fb, shared=None):
    """Whether two fingerprint sets have enough in common to be worth scoring."""
    shared = len(fa & fb) if shared is None else shared
    return shared > 0 and shared >= CANDIDATE * min(len(fa), len(fb))


def compare(question, functions, stub_tokens=(), refs=None):
    """([Match], crowded) for one question: ``functions`` is {student: Written} (already long enough and not the
    stub), ``refs`` {name: Written}; ``crowded`` lists (question, function, students) for each version shared by
    more than COMMON students (a solution many wrote the same way: not a pair each)."""
    groups = defaultdict(list)  # digest -> students with that exact normalized function
    for student in sorted(functions):
        groups[functions[student].digest].append(student)
    versions = list(groups)
    tokens = {d: functions[groups[d][0]].tokens for d in versions}
    sources = {s: w.source for s, w in functions.items()}
    name = question.function
    vocabulary = {}
    base = fingerprints(stub_tokens, vocabulary)  # what the release handed out is nobody's
    prints = {d: fingerprints(tokens[d], vocabulary) - base for d in versions}

    # against the references, once per distinct version; one row per student: the closest reference
    best = {}
    for ref_name, ref in (refs or {}).items():
        ref_prints = fingerprints(ref.tokens, vocabulary) - base
        matcher = difflib.SequenceMatcher(None, b=ref.tokens, autojunk=False)
        for d in versions:
            if d == ref.digest:
                s = 1.0
            elif not _candidates(prints[d], ref_prints):
                continue
            elif len(tokens[d]) > MAX_TOKENS or len(ref.tokens) > MAX_TOKENS:
                s = score(tokens[d], ref.tokens, prints[d], ref_prints)
            else:
                s = _close(matcher, tokens[d], REFERENCE_THRESHOLD)
            if s < REFERENCE_THRESHOLD:
                continue
            for student in groups[d]:
                if student not in best or s > best[student].score:
                    best[student] = Match(question.id, name, student, "reference", ref_name, round(s, 3),
                                          sources[student], ref.source)
    matches = sorted(best.values(), key=lambda m: (-m.score, m.student))

    # identical after normalization; a version more than COMMON students share is noted, not paired
    pairs, crowded = [], [(question.id, name, len(groups[d])) for d in versions if len(groups[d]) > COMMON]
    for d in versions:
        if len(groups[d]) > COMMON:
            continue
        for a, b in combinations(groups[d], 2):
            pairs.append(Match(question.id, name, a, "student", b, 1.0, sources[a], sources[b]))

    # near-identical: winnowing fingerprints in an inverted index (idioms left out), then the candidates scored
    index = defaultdict(list)
    for i, d in enumerate(versions):
        for f in prints[d]:
            index[f].append(i)
    rare = {i: sum(1 for f in prints[d] if len(index[f]) <= COMMON) for i, d in enumerate(versions)}
    shared = defaultdict(int)
    for posting in index.values():
        if 1 < len(posting) <= COMMON:
            for i, j in combinations(posting, 2):
                shared[i, j] += 1
    for (i, j), n in shared.items():
        if n < CANDIDATE * min(rare[i], rare[j]):
            continue
        a, b = versions[i], versions[j]
        if len(groups[a]) > COMMON or len(groups[b]) > COMMON:
            continue
        s = _alike(tokens[a], tokens[b], prints[a], prints[b], PAIR_THRESHOLD)
        if s < PAIR_THRESHOLD:
            continue
        for x in groups[a]:
            for y in groups[b]:
                x, y = sorted((x, y))
                pairs.append(Match(question.id, name, x, "student", y, round(s, 3), sources[x], sources[y]))
    return matches + sorted(pairs, key=lambda m: (-m.score, m.student, m.other)), crowded


# ------------------------------------------------------------------------------------------------- a run

def collect(course_root, assignment, students, names):
    """{student: {function name: (node, source)}} from ``submitted/<student>/<assignment>/*.ipynb`` (the notebooks
    the release has)."""
    course_root = Path(course_root)
    notebooks = sorted(p.name for p in (course_root / "release" / assignment).glob("*.ipynb"))
    out = {}
    for student in students:
        folder = course_root / "submitted" / student / assignment
        cells = [c for nb in notebooks for c in _cells(folder / nb)]
        out[student] = definitions(cells, names)
    return out


def analyse(course_root, assignment, students=None):
    """The Report of ``assignment`` for these students (default: every student with a submission), not written."""
    from .prepare import students as submitted

    course_root = Path(course_root)
    report = Report(assignment)
    qs = questions(assignment)
    if not qs:
        return report
    names = {q.function for q in qs}
    release_cells = [c for p in sorted((course_root / "release" / assignment).glob("*.ipynb")) for c in _cells(p)]
    stubs = definitions(release_cells, names)
    found = collect(course_root, assignment, students if students is not None else submitted(course_root, assignment),
                    names)
    for q in qs:
        stub_node = stubs.get(q.function, (None, ""))[0]
        stub = dict(pieces(stub_node)) if stub_node is not None else {}
        stub_tokens = tuple(t for _, toks in stub.items() for t in toks)
        functions = {}
        for student, defs in found.items():
            if q.function not in defs:
                continue
            node, source = defs[q.function]
            try:
                w = written(node, source, stub)
            except RecursionError:
                continue
            if len(w.tokens) >= MIN_TOKENS:
                functions[student] = w
        report.compared += len(functions)
        matches, crowded = compare(q, functions, stub_tokens, references(q, stub))
        report.matches += matches
        report.crowded += crowded
    report.matches.sort(key=lambda m: (m.kind != "reference", m.question, -m.score, m.student, m.other))
    return report


def _atomic(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def _cell(value):
    """A CSV cell a spreadsheet shows as text: a value starting with = + - @ (a formula) is quoted with '."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(report):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["assignment", "question", "function", "student", "matches", "other", "score"])
    for m in report.matches:
        writer.writerow([_cell(v) for v in (report.assignment, m.question, m.function, m.student,
                                            "reference" if m.kind == "reference" else "student", m.other,
                                            f"{m.score:.3f}")])
    return out.getvalue()


def _code(text):
    text = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + f"\n... ({len(text) - SHOWN_CHARS:,} more characters)"
    return f"<pre>{html.escape(text)}</pre>"


def to_html(report):
    e = html.escape
    refs = report.reference_matches
    rows = []
    for i, m in enumerate(report.matches):
        what = "matches the reference" if m.kind == "reference" else "near-identical to student"
        code = (f"<details><summary>code</summary><div class=side>{_code(m.source)}{_code(m.other_source)}</div>"
                f"</details>") if i < SHOWN_ROWS else ""
        rows.append(f"<tr><td>{e(m.question)}</td><td><code>{e(m.function)}</code></td><td>{e(m.student)}</td>"
                    f"<td>{e(what)}</td><td>{e(m.other)}</td><td>{m.score:.3f}</td><td>{code}</td></tr>")
    crowd = "".join(f"<p>{e(q)} (<code>{e(f)}</code>): one version, identical after normalization, is shared by {n} "
                    f"students; more than {COMMON}, so it is not listed pair by pair.</p>\n"
                    for q, f, n in report.crowded)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Similarity report: {e(report.assignment)}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}}
.side{{display:flex;gap:1em}} pre{{background:#f6f6f6;padding:6px;max-width:60em;overflow:auto}}</style>
</head><body>
<h1>Similarity report: {e(report.assignment)}</h1>
<p>For the instructor only; never part of a student's feedback. {report.compared} student functions compared
(implement questions only, at least {MIN_TOKENS} normalized tokens beyond the release's stub).
{len({(m.student, m.question) for m in refs})} match a reference (score &ge; {REFERENCE_THRESHOLD});
{len(report.pairs)} pairs of students have a near-identical function (score &ge; {PAIR_THRESHOLD}).</p>
<p>The score is the share of normalized tokens two functions have in common, in order (1.000: identical once
docstrings, comments and variable names are set aside). A flag is a reason to look, not a verdict: read the code.</p>
{crowd}<table><thead><tr><th>question</th><th>function</th><th>student</th><th>finding</th><th>reference or student</th>
<th>score</th><th>student's code, and the other</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""


def write(report, course_root):
    """Write the report's CSV and HTML to ``<course>/reports/`` (atomically); returns the report."""
    folder = Path(course_root) / "reports"
    report.csv = _atomic(folder / f"similarity-{report.assignment}.csv", to_csv(report))
    report.html = _atomic(folder / f"similarity-{report.assignment}.html", to_html(report))
    return report


def run(course_root, assignment, students=None):
    """Analyse and write the report; never raises (a grading run must not fail for it): the error is in the Report."""
    try:
        return write(analyse(course_root, assignment, students), course_root)
    except Exception as exc:  # noqa: BLE001 - the summary says what went wrong
        return Report(assignment, error=f"{type(exc).__name__}: {exc}")
