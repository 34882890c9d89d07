# The instructor's nbgrader configuration on the hub (hub/setup.sh writes it as ~/.jupyter/nbgrader_config.py and
# as <course folder>/nbgrader_config.py): the course's own config (autograder.course.nbgrader_config) on the
# instructor's course folder, with the hub's shared exchange instead of the folder's private one. Formgrader,
# the `nbgrader` command and `python -m autograder grade` all read it.
from autograder.course import nbgrader_config

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.merge(nbgrader_config("@COURSE@"))
c.Exchange.root = "@EXCHANGE@"
