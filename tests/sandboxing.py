"""Whether grading tests run in the bubblewrap sandbox: where it can be drawn (`make system-tools` installs it), they
do; elsewhere they grade without it, and the sandbox's own tests skip, saying why."""

from autograder.bulk import sandbox

NO_SANDBOX = sandbox.problem()  # None, or why no sandbox can be drawn here
GRADING = {"sandbox": NO_SANDBOX is None}
