# nbgrader's configuration for every user of the hub (installed by hub/setup.sh as
# <hub environment>/etc/jupyter/nbgrader_config.py): which course, and where its exchange is. Students need
# nothing else; the instructor's own ~/.jupyter/nbgrader_config.py adds the course folder and the grading config.
from autograder.course import COURSE_ID

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.CourseDirectory.course_id = COURSE_ID
c.Exchange.root = "@EXCHANGE@"
