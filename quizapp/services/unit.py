"""The unit of work: a service function's writes commit together or not at all.

Only services use it; views never touch the session. Nested use joins the outer unit, so a
service that calls another commits once, at the end of the outermost one.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g

from ..extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    depth = g.get("_unit_depth", 0)
    g._unit_depth = depth + 1
    try:
        yield
        if depth == 0:
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        g._unit_depth = depth
