"""Review history in Anki packages: read per card, reduced as Anki reduces it for FSRS, and replayed
through our StudyScheduler to the memory state Anki itself computes from the same log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.banks.anki_history import (
    FILTERED,
    LEARNING,
    MANUAL,
    RELEARNING,
    RESCHEDULED,
    REVIEW,
    RevlogEntry,
    reviews_for_fsrs,
)
from quizapp.banks.anki_notes import guid_question_id
from quizapp.banks.apkg import parse_apkg
from quizapp.domain.scheduling import make_scheduler, replay
from tests.banks.anki_support import Collection, add_note, export

DAY = 24 * 60  # minutes
START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # noon UTC: far from any study day's 4 a.m. start

# (minutes after START, button, revlog type, interval given, ease factor)
FIRST = [(0, 3, LEARNING, -600, 0), (10, 3, LEARNING, 1, 2500), (DAY + 5, 3, REVIEW, 3, 2500),
         (4 * DAY, 1, REVIEW, -600, 2300), (4 * DAY + 10, 3, RELEARNING, 1, 2300), (6 * DAY, 4, REVIEW, 5, 2450)]
# cramming in a filtered deck without rescheduling and a manual "set due date" do not count
WITH_NOISE = [(0, 2, LEARNING, -600, 0), (DAY, 3, LEARNING, 2, 2500), (DAY + 60, 1, FILTERED, 0, 0),
              (2 * DAY, 0, RESCHEDULED, 9, 2500), (3 * DAY, 3, REVIEW, 8, 2500), (12 * DAY, 3, REVIEW, 20, 2500)]
# a reset ("Forget") drops everything before it
RESET = [(0, 3, LEARNING, 1, 2500), (2 * DAY, 1, REVIEW, -600, 2300), (3 * DAY, 0, MANUAL, 0, 0),
         (3 * DAY + 5, 3, LEARNING, -600, 0), (3 * DAY + 15, 4, LEARNING, 4, 2500), (8 * DAY, 3, REVIEW, 9, 2500)]
# the reverse card of a Basic-and-reversed note, and the second deletion of a cloze
REVERSE = [(0, 3, LEARNING, 1, 2500), (2 * DAY, 3, REVIEW, 5, 2500), (7 * DAY, 2, REVIEW, 8, 2400)]
CLOZE_2 = [(30, 4, LEARNING, 4, 2500), (5 * DAY, 3, REVIEW, 12, 2500)]


def entry(n: int, row: tuple, card: int = 0) -> RevlogEntry:
    """Revlog ids are times in ms and unique: a few ms apart for each card and each row."""
    minutes, ease, kind, ivl, factor = row
    at = int((START + timedelta(minutes=minutes)).timestamp() * 1000)
    return RevlogEntry(at + 100 * card + n, ease, ivl, factor, kind, 4000)


@dataclass
class Deck:
    package: bytes
    legacy: bytes
    ids: dict[str, str]
    anki_state: dict[tuple[str, int], tuple[float, float]]  # (note, card ord) -> Anki's (stability, difficulty)


def _log(col, card_id: int, rows: list[tuple], card: int = 0) -> None:
    for n, row in enumerate(rows):
        e = entry(n, row, card)
        col.db.execute("insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                       "values (?, ?, -1, ?, ?, 0, ?, ?, ?)", e.id, card_id, e.ease, e.ivl, e.factor, e.taken_ms,
                       e.kind)


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Deck:
    root = tmp_path_factory.mktemp("history")
    col = Collection(str(root / "c.anki2"))
    try:
        col.set_config("fsrs", True)  # Anki computes memory states with FSRS from here on
        notes = {
            "first": add_note(col, "Basic", "Chinese", Front="你好", Back="hello"),
            "noise": add_note(col, "Basic", "Chinese", Front="谢谢", Back="thank you"),
            "reset": add_note(col, "Basic", "Chinese", Front="再见", Back="goodbye"),
            "river": add_note(col, "Basic (and reversed card)", "Chinese", Front="河", Back="river"),
            "mao": add_note(col, "Cloze", "Chinese", Text="{{c1::Mao}} met {{c2::Stalin}}"),
            "fresh": add_note(col, "Basic", "Chinese", Front="水", Back="water"),
        }
        logs = {("first", 0): FIRST, ("noise", 0): WITH_NOISE, ("reset", 0): RESET, ("river", 1): REVERSE,
                ("mao", 1): CLOZE_2}
        cards = {(key, c.ord): c.id for key, note in notes.items() for c in note.cards()}
        for n, ((key, ord_), rows) in enumerate(logs.items()):
            _log(col, cards[(key, ord_)], rows, n)
        state = {}
        for (key, ord_) in logs:
            computed = col.compute_memory_state(cards[(key, ord_)])
            state[(key, ord_)] = (computed.stability, computed.difficulty)
        package = export(col, root / "history.apkg", with_scheduling=True)
        legacy = export(col, root / "history-legacy.apkg", legacy=True, with_scheduling=True)
        ids = {key: guid_question_id(note.guid) for key, note in notes.items()}
    finally:
        col.close()
    return Deck(package, legacy, ids, state)


@pytest.mark.parametrize("layout", ["package", "legacy"])
def test_the_reader_keeps_each_cards_reviews_by_question_and_card(deck, layout):
    bank = parse_apkg(getattr(deck, layout)).bank
    ids = deck.ids
    assert set(bank.history) == {(ids["first"], 0), (ids["noise"], 0), (ids["reset"], 0), (ids["river"], 1),
                                 (ids["mao"], 2)}  # the reverse card is card 1, Anki's c2 our card 2
    assert [r.rating for r in bank.history[(ids["first"], 0)]] == [3, 3, 3, 1, 3, 4]
    assert [r.rating for r in bank.history[(ids["noise"], 0)]] == [2, 3, 3, 3]  # no cram, no reschedule
    assert [r.rating for r in bank.history[(ids["reset"], 0)]] == [3, 4, 3]  # from the reset on
    first = bank.history[(ids["first"], 0)]
    assert first[0].at == START and first[0].duration_ms == 4000


@pytest.mark.parametrize("layout", ["package", "legacy"])
def test_replaying_the_history_gives_the_memory_state_anki_computes(deck, layout):
    """Anki's own compute_memory_state over its revlog, against our StudyScheduler over what the
    reader kept: the same FSRS stability and difficulty for every card."""
    bank = parse_apkg(getattr(deck, layout)).bank
    scheduler = make_scheduler(timezone="UTC", day_start_hour=4)  # Anki's default day start
    ords = {("river", 1): 1, ("mao", 1): 2}
    for (key, anki_ord), (stability, difficulty) in deck.anki_state.items():
        reviews = bank.history[(deck.ids[key], ords.get((key, anki_ord), 0))]
        ours = replay([(r.rating, r.at) for r in reviews], scheduler)
        assert ours.stability == pytest.approx(stability, rel=1e-4), key
        assert ours.difficulty == pytest.approx(difficulty, rel=1e-4), key


def test_a_package_without_scheduling_has_no_history(tmp_path):
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        note = add_note(col, "Basic", "D", Front="a", Back="b")
        _log(col, note.cards()[0].id, FIRST)
        package = export(col, tmp_path / "plain.apkg", with_scheduling=False)
    finally:
        col.close()
    result = parse_apkg(package)
    assert result.bank.history == {}
    assert not [n for n in result.notices if "history" in n.message]


def test_the_preview_says_history_is_there_and_imported_only_if_asked(deck):
    result = parse_apkg(deck.package)
    assert [n.message for n in result.notices if "history" in n.message] == [
        "the package holds a review history: 18 reviews of 5 cards. It is imported as your own progress only "
        "if you ask when saving"]


def test_reduction_follows_anki_rules():
    def ratings(rows):
        return [r.rating for r in reviews_for_fsrs([entry(n, row) for n, row in enumerate(rows)])]

    assert ratings(FIRST) == [3, 3, 3, 1, 3, 4]
    assert ratings(WITH_NOISE) == [2, 3, 3, 3]
    assert ratings(RESET) == [3, 4, 3]
    # reset and never graded since: nothing counts
    assert ratings([(0, 3, LEARNING, 1, 2500), (DAY, 0, MANUAL, 0, 0)]) == []
    # a history cut short (no learning step): from the first graded review of a day or more
    assert ratings([(0, 3, REVIEW, -600, 2500), (DAY, 3, REVIEW, 4, 2500), (5 * DAY, 2, REVIEW, 7, 2400)]) == [3, 2]
    # only an earlier run of learning steps is dropped when the card was relearnt from scratch
    assert ratings([(0, 3, LEARNING, 1, 2500), (DAY, 3, REVIEW, 3, 2500), (2 * DAY, 3, LEARNING, 1, 2500),
                    (3 * DAY, 3, REVIEW, 4, 2500)]) == [3, 3]
    assert ratings([]) == []


def test_a_crafted_review_log_gives_what_it_can_and_never_raises(tmp_path):
    import json
    import sqlite3

    from tests.banks.anki_support import zipfile_bytes

    models = json.dumps({"1": {"name": "Basic", "type": 0, "flds": [{"name": "Front"}, {"name": "Back"}],
                               "tmpls": [{"ord": 0, "qfmt": "{{Front}}"}]}})
    path = tmp_path / "c.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE col (models, decks); CREATE TABLE notes (id, guid, mid, tags, flds);"
                       "CREATE TABLE cards (id, nid, did, ord, odid);"
                       "CREATE TABLE revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type);")
    conn.execute("INSERT INTO col VALUES (?, '{}')", (models,))
    conn.execute("INSERT INTO notes VALUES (1, 'g', 1, '', 'front\x1fback')")
    conn.execute("INSERT INTO cards VALUES (10, 1, 1, 0, 0)")
    good = int(START.timestamp() * 1000)
    conn.executemany("INSERT INTO revlog VALUES (?, 10, 0, ?, ?, 0, ?, ?, ?)", [
        (good, 3, 1, 2500, 1000, LEARNING), (good + 86_400_000, 3, 3, 2500, "x", REVIEW),  # a text time: 0
        ("bad", 3, 1, 2500, 0, LEARNING), (good + 1, 9, 1, 2500, 0, LEARNING), (-5, 3, 1, 2500, 0, LEARNING),
        (2**62, 3, 1, 2500, 0, REVIEW), (good + 2, None, 1, 2500, 0, LEARNING)])
    conn.commit()
    conn.close()
    result = parse_apkg(zipfile_bytes({"collection.anki2": path.read_bytes()}))
    assert result.errors == []
    (reviews,) = result.bank.history.values()
    assert [(r.rating, r.duration_ms) for r in reviews] == [(3, 1000), (3, None)]
