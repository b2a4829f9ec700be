"""Types answered by arranging: ordering and matching.

Matching grades as Moodle's ``qtype_match_question::grade_response``: right pairs / pairs, a left
with no match counting as wrong. Ordering gives the share of item pairs in the right relative
order, which is Moodle's ordering grading type "relative to all the previous and next items"
(``qtype_ordering_question::GRADING_RELATIVE_ALL_PREVIOUS_AND_NEXT``), not its default (absolute
position); tests/domain/test_moodle_grading.py shows both.
"""
from __future__ import annotations

import random
from itertools import combinations
from typing import Any

from .base import EditorField, FieldError, Outcome, QuestionType, ResponseError, ReviewRow, register, text_list_errors


@register
class Ordering(QuestionType):
    """Items put in order; partial credit is the share of item pairs placed in the right order."""

    name = "ordering"
    review_item_label = "Place"
    label = "Put in order"
    required = ("prompt", "items")
    answer_fields = ("items",)
    editor = (EditorField("prompt", "Question", "textarea"),
              EditorField("items", "Items in the right order", "lines", "One per line, first to last."))
    quick_seconds = 25.0

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        return text_list_errors(q, "items", 2)

    def present(self, q, card, rng: random.Random):
        items = [str(i) for i in q["items"]]
        shuffled = items[:]
        for _ in range(10):  # never start in the right order
            rng.shuffle(shuffled)
            if shuffled != items:
                break
        return {"prompt": self.prompt(q), "items": shuffled}

    def read_response(self, getlist, card: int = 0) -> Any:
        """Either the items in order (``answer`` repeated), or each shown item (``item-<k>``) with
        the position chosen for it (``position-<k>``), which works with no script, by keyboard and touch.
        Positions must be 1 to N, one item each: anything else is ResponseError, not a guess."""
        ordered = [v for v in getlist("answer") if v]
        if ordered:
            return ordered
        shown = []
        k = 0
        while getlist(f"item-{k}"):
            shown.append((getlist(f"item-{k}")[0], getlist(f"position-{k}")))
            k += 1
        ranks: dict[int, str] = {}
        for item, positions in shown:
            position = positions[0].strip() if len(positions) == 1 else ""
            # isdecimal, not isdigit: int() refuses "²"; a position is a small number
            rank = int(position) if position.isdecimal() and len(position) < 6 else 0
            if not 1 <= rank <= len(shown) or rank in ranks:
                raise ResponseError(f"Give each item its own position from 1 to {len(shown)}.")
            ranks[rank] = item
        return [ranks[rank] for rank in sorted(ranks)]

    def check_response(self, q: dict[str, Any], response: Any, card: int = 0) -> None:
        """The response must be the question's items, each once, in some order."""
        if self.is_empty(response):
            return
        if not isinstance(response, (list, tuple)) or sorted(map(str, response)) != sorted(map(str, q["items"])):
            raise ResponseError("Place every item of the list once, and only those.")

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        items = [str(i) for i in q["items"]]
        given = [str(r) for r in response or []]
        if sorted(given) != sorted(items):
            return Outcome(0.0, self.expected(q))
        rank = {item: n for n, item in enumerate(given)}
        pairs = list(combinations(items, 2))
        in_order = sum(1 for a, b in pairs if rank[a] < rank[b])
        return Outcome(in_order / len(pairs), self.expected(q))

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        return " → ".join(str(i) for i in q["items"])

    def review(self, q: dict[str, Any], response: Any, card: int = 0) -> list[ReviewRow]:
        """Each place: the learner's item beside the right one."""
        given = [str(r) for r in response or []]
        return [ReviewRow(f"{n + 1}.", given[n] if n < len(given) else "", str(item),
                          n < len(given) and given[n] == str(item))
                for n, item in enumerate(q["items"])]


@register
class Matching(QuestionType):
    """Each left matched to its right; ``distractors`` add rights that match nothing."""

    name = "matching"
    review_item_label = "Left"
    label = "Match"
    required = ("prompt", "pairs")
    optional = ("distractors",)
    answer_fields = ("pairs", "distractors")
    editor = (EditorField("prompt", "Question", "textarea"),
              EditorField("pairs", "Pairs", "pairs", "One pair per line: left = right."),
              EditorField("distractors", "Extra wrong answers", "lines", "Optional, one per line."))
    quick_seconds = 25.0

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        pairs = q["pairs"]
        if not isinstance(pairs, list):
            return [FieldError("pairs", "must be a list of [left, right] pairs")]
        errors = []
        for i, pair in enumerate(pairs):
            if not (isinstance(pair, list) and len(pair) == 2 and all(str(x).strip() for x in pair)):
                errors.append(FieldError(f"pairs[{i}]", "must be a [left, right] pair of texts"))
        if errors:
            return errors
        if len(pairs) < 2:
            errors.append(FieldError("pairs", f"needs at least 2 pairs, has {len(pairs)}"))
        # Two lefts may share a right (one -> odd, three -> odd), as in Moodle; a repeated left
        # could never be told apart.
        seen: set[str] = set()
        for i, pair in enumerate(pairs):
            if str(pair[0]) in seen:
                errors.append(FieldError(f"pairs[{i}]", f"repeats the left side {str(pair[0])!r}"))
            seen.add(str(pair[0]))
        if q.get("distractors") is not None:
            errors += text_list_errors(q, "distractors", 0)
        return errors

    def present(self, q, card, rng: random.Random):
        # Each right offered once, however many lefts it matches (Moodle's choices are distinct).
        rights = list(dict.fromkeys([str(p[1]) for p in q["pairs"]] + [str(d) for d in q.get("distractors") or []]))
        rng.shuffle(rights)
        return {"prompt": self.prompt(q), "lefts": [str(p[0]) for p in q["pairs"]], "rights": rights}

    def read_response(self, getlist, card: int = 0) -> Any:
        """One chosen right per left, in the order of the lefts (form fields ``match-0``, ...)."""
        out = []
        n = 0
        while True:
            values = getlist(f"match-{n}")
            if not values:
                break
            out.append(values[0])
            n += 1
        return out

    def check_response(self, q: dict[str, Any], response: Any, card: int = 0) -> None:
        """One pick per left, each empty or one of the rights or distractors shown (Moodle lets two
        lefts take the same right)."""
        if self.is_empty(response):
            return
        if not isinstance(response, (list, tuple)) or len(response) != len(q["pairs"]):
            raise ResponseError("Give one match for each item on the left.")
        offered = {str(p[1]) for p in q["pairs"]} | {str(d) for d in q.get("distractors") or []}
        for pick in response:
            if pick not in ("", None) and (not isinstance(pick, str) or pick not in offered):
                raise ResponseError("That match is not one of the choices: pick one of those shown.")

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        """``qtype_match_question::grade_response``: right pairs / pairs (a left with no pick is wrong)."""
        given = list(response or [])
        pairs = q["pairs"]
        right = sum(1 for i, p in enumerate(pairs) if i < len(given) and given[i] == str(p[1]))
        return Outcome(right / len(pairs), self.expected(q))

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        return "; ".join(f"{p[0]} → {p[1]}" for p in q["pairs"])

    def review(self, q: dict[str, Any], response: Any, card: int = 0) -> list[ReviewRow]:
        """Each left item with the learner's choice and the right one."""
        given = [str(r) for r in response or []]
        return [ReviewRow(str(left), given[i] if i < len(given) else "", str(right),
                          i < len(given) and given[i] == str(right))
                for i, (left, right) in enumerate(q["pairs"])]
