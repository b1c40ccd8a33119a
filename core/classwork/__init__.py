"""A class's work: a lesson's settings and locks (lesson.py), tasks that check themselves (tasks.py), and a
member's progress in a few numbers (progress.py)."""
