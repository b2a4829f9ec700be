"""Item analysis for quizzes, the way Moodle's quiz statistics report does it.

Pure functions on plain data (no Flask, no database), so services and views can call them and
tests can check them against numbers worked out by hand.
"""
