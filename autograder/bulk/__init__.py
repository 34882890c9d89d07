"""The bulk grader: a whole class graded in parallel, safely, resumably, with the scores of nbgrader autograde.

- ``jobs``: the typed data between the main process and its workers (Options, Job, Result) and the CellEvent Enum;
- ``prepare``: a submission becomes a job (nbgrader's sanitizing, the cells that can change a grade), what the
  fingerprint covers, whether source/ still matches what the gradebook recorded;
- ``sandbox`` / ``view``: the bubblewrap sandbox student code runs in, and what of the course's code it sees;
- ``zygote`` / ``kernel``: the student's code runs in a process forked from a warm interpreter in that sandbox,
  with time and memory limits; ``budget``: how much a submission may grow;
- ``trusted`` / ``student_side`` / ``channel``: test cells graded on the grader's side, the student's process
  answering its calls (``autograder.crossing`` says what crosses);
- ``worker``: one job graded (cells run, scored by nbgrader's determine_grade, feedback rendered);
- ``store``: the single gradebook writer, the resume state, the run's lock and atomic writes;
- ``similarity``: the instructor's similarity report (copies of the references, near-identical pairs), read
  from the notebooks' text after each run;
- ``run``: the orchestration (the standard library's process pool, or Dask's executor), the run's private
  scratch root, the progress bar and the summary (``summary``).

Which side of the trust boundary each module sits on: ``zygote``, ``student_side`` and ``channel`` (with
``autograder.crossing``, ``guard``, ``props``) are the only ones the student's process has (``view.STUDENT_SIDE``);
every other module here runs only in the grader's processes.

``python -m autograder grade a1 --course DIR`` is the command; docs/grading.md the instructor's guide.
"""

__all__ = ["Busy", "NoSandbox", "Outcome", "SourceChanged", "WorkersDying", "grade"]


def __getattr__(name):
    """The grader's side is imported on first use: the student's process imports this package (for its zygote) and
    never the grader's modules (they are not even in its view of the files, ``view.py``)."""
    if name in __all__:
        from . import run

        return getattr(run, name)
    raise AttributeError(name)
