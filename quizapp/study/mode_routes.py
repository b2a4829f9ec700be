"""Study modes beyond flashcards: Learn rounds and the Match game (services/learn_mode.py,
services/match_game.py say the rules). Each keeps its small state in the signed session cookie;
Learn works without JavaScript, Match needs it (static/modes/match.js) and says so."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..models.types import utcnow
from ..services import catalog, learn_mode, match_game
from ..services.cards import AskAgain, UnknownCard
from ..web.params import form_int, number
from . import bp
from .routes import chosen_bank_ids

LEARN = "learn_round"
LEARN_LAST = "learn_last"  # the feedback of the latest answer, shown once above the next card
MATCH = "match_game"
MATCH_DONE = "match_done"


def _round() -> learn_mode.Round | None:
    rnd = learn_mode.Round.from_session(session.get(LEARN)) if LEARN in session else None
    if rnd is None:
        session.pop(LEARN, None)
    return rnd


def _bank_names(bank_ids: list[int]) -> tuple[list[str], int]:
    banks = catalog.banks_for(current_user)
    return [b.title for b in banks if b.id in bank_ids], len(banks)


@bp.get("/study/learn")
@login_required
def learn():
    rnd = _round()
    last = session.pop(LEARN_LAST, None)
    if rnd is None:
        names, total = _bank_names(chosen_bank_ids())
        return render_template("study/learn.html", rnd=None, in_banks=names, bank_total=total,
                               size=learn_mode.DEFAULT_SIZE, max_size=learn_mode.MAX_SIZE, last=last)
    try:
        asked = learn_mode.current(current_user, rnd)
    except UnknownCard:  # retired, or its bank left the learner's banks: the round cannot go on
        session.pop(LEARN, None)
        flash("A card of this round is no longer in your banks, so the round ended.", "info")
        return redirect(url_for("study.learn"))
    session[LEARN] = rnd.to_session()  # a card whose choices went away moves on to typing
    return render_template("study/learn.html", rnd=rnd, asked=asked, last=last, error=None), 200


@bp.post("/study/learn/start")
@login_required
def learn_start():
    size = form_int("size", learn_mode.DEFAULT_SIZE, limit=1000)
    try:
        rnd = learn_mode.start_round(current_user, chosen_bank_ids(), utcnow(), size)
    except learn_mode.LearnError as exc:
        flash(str(exc), "error")
        return redirect(url_for("study.learn"))
    session[LEARN] = rnd.to_session()
    session.pop(LEARN_LAST, None)
    return redirect(url_for("study.learn"))


@bp.post("/study/learn/answer")
@login_required
def learn_answer():
    rnd = _round()
    if rnd is None:
        flash("That round is over: start a new one.", "info")
        return redirect(url_for("study.learn"))
    question_id, ordinal = form_int("question_id"), form_int("ordinal", 0)
    given = request.form.get("choice") if "choice" in request.form else request.form.get("answer", "")
    try:
        result = learn_mode.answer(current_user, rnd, question_id or 0, ordinal or 0, given or "", utcnow())
    except AskAgain as exc:
        asked = learn_mode.current(current_user, rnd)
        return render_template("study/learn.html", rnd=rnd, asked=asked, last=None, error=str(exc),
                               typed=(given or "")[:1000]), 400
    except learn_mode.LearnError as exc:
        flash(str(exc), "info")
        return redirect(url_for("study.learn"))
    session[LEARN] = rnd.to_session()
    session[LEARN_LAST] = {"right": result.right, "step": result.step, "given": result.given[:200],
                           "expected": result.expected[:200], "near": result.near_miss[:200],
                           "prompt": result.prompt[:200], "rating": result.rating}
    return redirect(url_for("study.learn"))


@bp.post("/study/learn/end")
@login_required
def learn_end():
    session.pop(LEARN, None)
    session.pop(LEARN_LAST, None)
    return redirect(url_for("study.learn"))


@bp.get("/study/match")
@login_required
def match():
    done = session.pop(MATCH_DONE, None)
    return render_template("study/match.html", banks=match_game.bank_choices(current_user), done=done,
                           penalty=match_game.PENALTY_MS // 1000, pairs=match_game.PAIRS)


@bp.post("/study/match/start")
@login_required
def match_start():
    bank_id = form_int("bank")
    if bank_id is None:
        flash("Choose a bank to play.", "error")
        return redirect(url_for("study.match"))
    try:
        game = match_game.start_game(current_user, bank_id, utcnow())
    except match_game.MatchError as exc:
        flash(str(exc), "error")
        return redirect(url_for("study.match"))
    session[MATCH] = game.to_session()
    return redirect(url_for("study.match_play"))


@bp.get("/study/match/play")
@login_required
def match_play():
    game = match_game.Game.from_session(session.get(MATCH))
    if game is None:
        return redirect(url_for("study.match"))
    try:
        tiles = match_game.board(current_user, game)
    except (match_game.MatchError, UnknownCard):  # the bank changed or left the learner's banks
        session.pop(MATCH, None)
        flash("This game's cards have changed: start a new game.", "info")
        return redirect(url_for("study.match"))
    title = next((b.title for b in catalog.banks_for(current_user) if b.id == game.bank_id), "")
    return render_template("study/match_play.html", game=game, tiles=tiles, bank_title=title,
                           best=match_game.best_ms(current_user, game.bank_id), penalty=match_game.PENALTY_MS)


@bp.post("/study/match/finish")
@login_required
def match_finish():
    game = match_game.Game.from_session(session.pop(MATCH, None))
    if game is None or request.form.get("game") != game.id:
        flash("That game is over: start a new one.", "info")
        return redirect(url_for("study.match"))
    misses = {}
    for key in request.form:
        if key.startswith("miss-"):
            pair = number(key[5:], 1000)
            tile = form_int(key, limit=1000)
            if pair is None or tile is None:
                flash("That result does not fit this game: start a new one.", "error")
                return redirect(url_for("study.match"))
            misses[pair] = tile
    try:
        result = match_game.finish(current_user, game, misses, form_int("wrong", 0, limit=100_000), utcnow())
    except (match_game.MatchError, UnknownCard) as exc:
        flash(str(exc), "error")
        return redirect(url_for("study.match"))
    session[MATCH_DONE] = {"bank": game.bank_id, "time_ms": result.time_ms, "best_ms": result.best_ms,
                           "new_best": result.new_best, "pairs": result.pairs, "right_first": result.right_first}
    return redirect(url_for("study.match"))
