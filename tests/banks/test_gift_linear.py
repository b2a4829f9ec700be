"""Hostile GIFT: the reader (and the writer) take time in proportion to the text, and bounded memory.

The reader scans by hand and its few regular expressions cannot backtrack (fixed or bounded
repeats, anchored); these tests hold it there. Time is CPU time of this process, the best of
three runs, so other work on the machine moves it little: four times the text must cost less than
eight times the time (linear is 4x, quadratic 16x). Memory is tracemalloc's peak for the larger
text: under 400 bytes per byte of input (32 MB for 80 KB), whatever the text holds.
"""
from __future__ import annotations

import time
import tracemalloc

import pytest

from quizapp.banks.gift import export_gift, parse_gift, reader
from quizapp.banks.model import Bank, Question

SMALL, LARGE = 20_000, 80_000
BYTES_PER_BYTE = 400

PAYLOADS = {
    "open braces": lambda n: "Q " + "{" * n,
    "brace pairs": lambda n: "Q " + "{}" * (n // 2),
    "name colons": lambda n: "::" * (n // 2) + "{T}",
    "backslashes": lambda n: "Q " + "\\" * n + "{T}",
    "escaped braces": lambda n: "Q " + "\\{" * (n // 2) + "{T}",
    "choices": lambda n: "Q {" + "~a" * (n // 2) + "=b}",
    "pairs and arrows": lambda n: "Q {" + "=a->b" * (n // 5) + "}",
    "weight starts": lambda n: "Q {~" + "%1" * (n // 2) + " =b}",
    "number digits": lambda n: "Q {#" + "1" * n + "}",
    "ranges": lambda n: "Q {#" + "1.." * (n // 3) + "}",
    "id openers": lambda n: "// " + "[id:" * (n // 4) + "\nQ{T}",
    "escaped tag ends": lambda n: "// [tag:" + "a\\]" * (n // 3) + "\nQ{T}",
    "markup starts": lambda n: "Q " + "<&a" * (n // 3) + "{T}",
    "entity letters": lambda n: "Q &" + "a" * n + "{T}",
    "answer lines": lambda n: "Q {\n" + "=a\n" * (n // 3) + "}",
    "questions": lambda n: "Q{T}\n\n" * (n // 6),
}


def cpu_time(run, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        run(text)
        best = min(best, time.process_time() - start)
    return max(best, 1e-4)  # below the clock's grain both sizes are "instant"


def grows_linearly(run, make) -> tuple[float, float]:
    small, large = make(SMALL), make(LARGE)
    ratio = cpu_time(run, large) / cpu_time(run, small)
    # Up to two retries, keeping the lowest: a burst of other work on this shared machine can land on
    # one measurement (seen: 8.5x once while PostgreSQL's suite ran beside it), while a quadratic
    # reader stays near 16x on every try.
    for _ in range(2):
        if ratio < 8:
            break
        ratio = min(ratio, cpu_time(run, large) / cpu_time(run, small))
    tracemalloc.start()
    try:
        run(large)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return ratio, peak / len(large)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_reading_hostile_text_is_linear_in_time_and_memory(name):
    ratio, per_byte = grows_linearly(parse_gift, PAYLOADS[name])
    assert ratio < 8, f"{name}: 4x the text took {ratio:.1f}x the time"
    assert per_byte < BYTES_PER_BYTE, f"{name}: {per_byte:.0f} bytes of memory per byte of input"


def test_writing_hostile_text_is_linear_in_time_and_memory():
    def export(text: str) -> None:
        export_gift(Bank(id="b", title=text[:50], questions=[Question(
            id="q", type="short_answer", title=text, explanation=text,
            fields={"prompt": text, "answers": [text, "x"], "feedback": {"x": text}})]))

    ratio, per_byte = grows_linearly(export, lambda n: "\\{->#=~:<&[html]%5%" * (n // 19))
    assert ratio < 8 and per_byte < BYTES_PER_BYTE


def test_a_file_of_too_many_questions_is_refused_with_its_line(monkeypatch):
    assert reader.MAX_QUESTIONS == 50_000
    monkeypatch.setattr(reader, "MAX_QUESTIONS", 1_000)
    assert parse_gift("Q{T}\n\n" * 1_000).ok
    result = parse_gift("Q{T}\n\n" * 1_001)
    assert [(e.line, e.message) for e in result.errors] == [
        (2_001, "holds more than 1,000 questions: split it into several files")]
