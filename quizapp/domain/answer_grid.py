"""Who got which question wrong: a class's students against a bank's questions (the teacher's grid).

Each cell holds a student's latest answer to a question in study and in a quiz (a question with
several cards -- cloze -- takes its latest answer to any card). Plain data in, plain data out: the
service reads the answers, this module lays them out and makes the CSV.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .rating import PASS_SCORE
from .scheduling import AGAIN


@dataclass(frozen=True)
class Mark:
    """One answer as the grid shows it."""

    score: float | None  # None for a self-rated flashcard
    rating: int
    when: datetime

    @property
    def verdict(self) -> str:
        """right, partly, wrong: the score for graded answers; the rating for flashcards (Again = wrong)."""
        if self.score is None:
            return "wrong" if self.rating == AGAIN else "right"
        if self.score >= 0.999:
            return "right"
        return "partly" if self.score >= PASS_SCORE else "wrong"


@dataclass(frozen=True)
class Cell:
    study: Mark | None = None
    quiz: Mark | None = None


@dataclass(frozen=True)
class Grid:
    students: list[tuple[int, str]]  # (user id, name), in the class's order
    questions: list[tuple[int, str, str]]  # (question id, key, prompt), in the bank's order
    cells: dict[tuple[int, int], Cell]  # (user id, question id) -> latest answers

    def cell(self, user_id: int, question_id: int) -> Cell:
        return self.cells.get((user_id, question_id), Cell())

    def wrong_by(self, question_id: int) -> int:
        """Students whose latest answer (study or quiz, the later) to the question is wrong."""
        return sum(1 for user_id, _ in self.students if _latest_verdict(self.cell(user_id, question_id)) == "wrong")


def _latest_verdict(cell: Cell) -> str | None:
    marks = [m for m in (cell.study, cell.quiz) if m is not None]
    return max(marks, key=lambda m: m.when).verdict if marks else None


def grid(students: list[tuple[int, str]], questions: list[tuple[int, str, str]],
         answers: list[tuple[int, int, str, float | None, int, datetime]]) -> Grid:
    """``answers``: (user id, question id, kind "study"/"quiz", score, rating, time), in time order."""
    study: dict[tuple[int, int], Mark] = {}
    quiz: dict[tuple[int, int], Mark] = {}
    for user_id, question_id, kind, score, rating, when in answers:
        (quiz if kind == "quiz" else study)[(user_id, question_id)] = Mark(score, rating, when)
    keys = set(study) | set(quiz)
    return Grid(students, questions, {k: Cell(study.get(k), quiz.get(k)) for k in keys})


def _mark_cells(mark: Mark | None) -> list[str]:
    return [mark.verdict, mark.when.isoformat(timespec="seconds")] if mark else ["", ""]


def table(g: Grid) -> tuple[list[str], list[list[Any]]]:
    """One row per student and question: the latest study and quiz verdicts, with their times (CSV)."""
    header = ["student", "question", "prompt", "study: latest answer", "study: when (UTC)", "quiz: latest answer",
              "quiz: when (UTC)"]
    rows = []
    for user_id, name in g.students:
        for question_id, key, prompt in g.questions:
            c = g.cell(user_id, question_id)
            rows.append([name, key, prompt, *_mark_cells(c.study), *_mark_cells(c.quiz)])
    return header, rows
