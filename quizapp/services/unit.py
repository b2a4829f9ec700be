"""The unit of work: a service function's writes commit together or not at all.

Only services use it; views never touch the session. Nested use joins the outer unit, so a
service that calls another commits once, at the end of the outermost one.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g

from ..extensions import db

P = ParamSpec("P")
R = TypeVar("R")


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


def transactional(fn: Callable[P, R]) -> Callable[P, R]:
    """Makes a service function a unit of work: it commits on return, rolls back on error."""
    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return fn(*args, **kwargs)
    return run
