"""The URL map as tests see it: every rule with sample values for its arguments."""
from __future__ import annotations

import re

SAMPLE_ARGS = {"int": "1", "string": "x", "path": "x/y", "default": "x"}


def concrete(rule) -> str:
    """A URL for ``rule`` with every argument filled with a sample value."""
    def fill(match: re.Match) -> str:
        converter = match.group(1) or "default"
        return SAMPLE_ARGS.get(converter, "1")

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", fill, rule.rule)


def rules(app, method: str):
    return [r for r in app.url_map.iter_rules() if method in (r.methods or ()) and r.endpoint != "static"]
