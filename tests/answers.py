"""A well-formed answer to any question, right or wrong, for tests that drive the study service.

The service refuses an empty answer or one naming a choice the question does not offer (nothing is
recorded), so tests that only need *an* answer take one from here.
"""
from __future__ import annotations

from typing import Any

from quizapp.domain.questions.cloze import Cloze


def response_for(question, ordinal: int = 0, right: bool = True) -> Any:
    """A valid response to ``question`` (a model row or its type and data), right or wrong."""
    qtype, data = question.type, question.data
    if qtype == "flashcard":
        return None
    if qtype == "multiple_choice":
        wrong = [c for c in data["choices"] if str(c) != str(data["answer"])]
        return str(data["answer"]) if right else str(wrong[0])
    if qtype == "multiple_select":
        answers = [str(a) for a in data["answers"]]
        if right:
            return sorted(answers)
        others = [str(c) for c in data["choices"] if str(c) not in answers]
        return sorted(others[:1] or answers[:1])
    if qtype == "true_false":
        return bool(data["answer"]) if right else not data["answer"]
    if qtype == "short_answer":
        return str(data["answers"][0]).replace("*", "") if right else "zzz wrong"
    if qtype == "numeric":
        value = float(data["answer"]) if right else float(data["answer"]) + 1000 + 10 * float(data.get("tolerance", 0))
        return {"text": str(value), "value": value}
    if qtype == "cloze":
        blanks = Cloze().blanks(data, ordinal)
        return [b.text if right else "zzz wrong" for b in blanks]
    if qtype == "ordering":
        items = [str(i) for i in data["items"]]
        return items if right else list(reversed(items))
    if qtype == "matching":
        rights = [str(p[1]) for p in data["pairs"]]
        return rights if right else rights[1:] + rights[:1]
    raise ValueError(f"no sample answer for {qtype}")


HIDDEN = ("csrf_token", "question_id", "ordinal", "client_id", "shown_at", "version", "owner")


def fill_card_form(page: str, rng=None) -> dict[str, str | list[str]]:
    """The study card's form as a student fills it in: the hidden fields, then any well-formed answer
    (a choice offered, a number in a number box, a word in a text box, a place for each item, a right
    side for each left, a rating for a flashcard). ``rng`` (random.Random) picks among the offered."""
    import html
    import re

    def pick(options: list[str]) -> str:
        return rng.choice(options) if rng else options[0]

    form: dict[str, str | list[str]] = {}
    for name in HIDDEN:
        found = re.search(rf'name="{name}" value="([^"]*)"', page)
        if found:
            form[name] = html.unescape(found.group(1))
    if 'name="rating"' in page and 'class="rate-form"' in page:  # a flashcard: the student rates it
        form["rating"] = pick(["1", "2", "3", "4"])
        return form
    offered = re.findall(r'type="(?:radio|checkbox)" name="answer"[^>]*value="([^"]*)"', page)
    items = re.findall(r'name="(item-\d+)" value="([^"]*)"', page)
    selects = re.findall(r'<select name="(match-\d+)"', page)
    texts = re.findall(r'<input type="text"[^>]*name="answer"[^>]*>', page)
    if offered:
        form["answer"] = html.unescape(pick(offered))
    elif items:
        order = list(range(len(items)))
        if rng:
            rng.shuffle(order)
        for position, (name, value) in zip(order, items, strict=True):
            form[name] = html.unescape(value)
            form["position-" + name.split("-")[1]] = str(position + 1)
    elif selects:
        rights = [html.unescape(v) for v in re.findall(r'<option value="([^"]+)">', page)]
        for name in selects:
            form[name] = pick(rights)
    elif texts:
        numeric = 'inputmode="decimal"' in texts[0]
        words = ["1949", "1950", "30"] if numeric else ["Mao", "Stalin", "Moscow", "x"]
        form["answer"] = [pick(words) for _ in texts] if len(texts) > 1 else pick(words)
    return form
