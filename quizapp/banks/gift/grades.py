"""The answer weights Moodle accepts, and a weight moved onto the nearest of them.

Moodle's importer (question/format.php ``importprocess``) checks every answer fraction with
``match_grade_options($gradeoptionsfull, $fraction, 'error')``: within 0.00001 of one of
``question_bank::fraction_options_full()`` or the whole import is refused. That list is 0, 1 and
these fractions (p/q for q <= 6, p/10, 1/q for q <= 10, 1/20) with their negatives, to 7 places.
"""
from __future__ import annotations

from dataclasses import dataclass

RAW_FRACTIONS = (0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05)
GRADES: tuple[float, ...] = (1.0, *RAW_FRACTIONS, 0.0, *(-f for f in reversed(RAW_FRACTIONS)), -1.0)
TOLERANCE = 0.00001  # match_grade_options: abs($grade - $value) < 0.00001


@dataclass(frozen=True)
class Snap:
    weight: float  # the Moodle grade (as Moodle stores it, 7 places)
    moved: bool  # Moodle would have refused the weight as it was


def snap(weight: float) -> Snap:
    """The Moodle grade nearest ``weight`` (Moodle's 'nearest' rule: the first of equals wins)."""
    value = float(weight)
    best = min(GRADES, key=lambda g: abs(value - g))
    return Snap(best, abs(value - best) >= TOLERANCE)


def percent(grade: float) -> str:
    """A grade as GIFT writes it between % signs: 50, -33.33333, 14.28571 (5 places, as Moodle)."""
    text = f"{grade * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
