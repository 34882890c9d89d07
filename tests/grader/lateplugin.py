"""A late-submission plugin of a course's own (configured as ``AssignLatePenalties.plugin_class``): 10 % of the
notebook's score per day late, started days counting whole."""

import math

from nbgrader.plugins import LateSubmissionPlugin


class TenPercentPerDay(LateSubmissionPlugin):
    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return round(score * 0.1 * math.ceil(total_seconds_late / 86400), 6)
