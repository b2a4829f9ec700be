"""Cells a spreadsheet would run as formulas, guarded on export and unguarded on import.

A spreadsheet runs a cell starting with = + - @ tab or CR as a formula (CSV injection), so the
bank export puts a quote before such a cell, as the progress CSVs do (domain/progress.py). A cell
that already starts with quotes before such a character gets one more, so ``'=x`` comes back as
``'=x`` and every text survives the round trip. The quote is taken off again only in rows this app
wrote (their GUID is ``quizapp:<bank>/<question>``): in anyone else's file ``'+' operator`` is text.
"""
from __future__ import annotations

import re

from ..domain.progress import FORMULA_STARTS

_GUARDED = re.compile("^'+[" + re.escape("".join(FORMULA_STARTS)) + "]")


def guard_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) or _GUARDED.match(value) else value


def unguard_formula(value: str) -> str:
    return value[1:] if _GUARDED.match(value) else value
