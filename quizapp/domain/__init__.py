"""Pure Python core: question types and grading, ratings, scheduling, statistics.

Nothing here imports Flask or SQLAlchemy; time is always passed in as ``now``.
"""
