"""The course's end: exit criteria on the plan's goals and the hand-over record written at closure."""
