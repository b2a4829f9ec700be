"""An answer that arrived after the learner's session ended (or with an expired form).

Nothing a learner typed is thrown away with a bare "Bad request": the answer's form values are kept
in the (signed) session cookie, the learner logs in, and the answer is shown back with a button to
record it. It is never applied unasked: the request that brought it carried no valid CSRF token.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from ..domain.questions import get_type
from ..models.types import utcnow
from ..services import answers, cards

KEY = "pending_answer"
OWNER_FIELD = "owner"  # the answer form's signed learner id: a kept answer is only ever shown to its learner


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="answer-owner")


def owner_token(user_id: int) -> str:
    """What the answer form carries to say whose answer it is (signed; useless for another account)."""
    return _signer().dumps(user_id)


def _owner(fields: list) -> int | None:
    token = next((v for k, v in fields if k == OWNER_FIELD), "")
    try:
        value = _signer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None
MAX_FIELDS = 60
MAX_CHARS = 2500  # the session is a cookie (about 4 KB with its signature)


def keep_for_after_login():
    """Keeps the posted answer and sends the learner to log in (or, if signed in, to the answer)."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"][:MAX_FIELDS]
    if sum(len(k) + len(v) for k, v in fields) <= MAX_CHARS and request.form.get("question_id"):
        session[KEY] = fields
        message = "Your answer was not recorded yet: it is kept until you confirm it."
    else:
        message = "That answer was too long to keep while you were signed out; please answer again."
    if current_user.is_authenticated:
        flash(message, "info")
        return redirect(url_for("study.pending_answer"))
    flash("Your session had ended. Log in and your answer will be shown back to you. " + message, "info")
    return redirect(url_for("auth.login", next=url_for("study.pending_answer")))


def waiting() -> bool:
    """True when the signed-in learner has a kept answer to see (another account's is dropped)."""
    fields = session.get(KEY)
    if fields and _owner(fields) != current_user.id:
        session.pop(KEY, None)
        return False
    return bool(fields)


def show_or_apply():
    if not waiting():
        return redirect(url_for("study.index"))
    fields = session[KEY]
    values: dict[str, list[str]] = {}
    for key, value in fields:
        values.setdefault(str(key), []).append(str(value))

    def getlist(name: str) -> list[str]:
        return list(values.get(name, []))

    question_id, ordinal = (getlist("question_id") or ["0"])[0], (getlist("ordinal") or ["0"])[0]
    try:
        question = cards.load_question(current_user, int(question_id), int(ordinal))
    except (ValueError, cards.StudyError):
        session.pop(KEY, None)
        flash("The answer you sent while signed out was for a card you can no longer study.", "info")
        return redirect(url_for("study.index"))
    qtype = get_type(question.type)
    ordinal = int(ordinal)
    if request.method == "POST":
        session.pop(KEY, None)
        if request.form.get("action") != "record":
            flash("The kept answer was discarded.", "info")
            return redirect(url_for("study.index"))
        rating = (getlist("rating") or [""])[0]
        duration = (getlist("duration_ms") or [""])[0]
        try:
            response = answers.read_answer(question, ordinal, getlist)
            result = answers.record_answer(
                current_user, question.id, ordinal, response, (getlist("client_id") or [""])[0], now=utcnow(),
                rating=int(rating) if rating.isdecimal() and len(rating) == 1 else None,
                duration_ms=int(duration) if duration.isdecimal() and len(duration) < 9 else None,
                seen_version=(getlist("version") or [None])[0])
        except cards.StudyError as exc:
            flash(str(exc), "error")
            return redirect(url_for("study.index"))
        if not qtype.auto_graded:
            return redirect(url_for("study.index"))
        return redirect(url_for("study.answered", log_id=result.log.id))
    try:
        response = qtype.read_response(getlist, ordinal)
    except Exception:  # noqa: BLE001 -- shown as typed below; recording it re-checks it
        response = None
    shown = "; ".join(v for k, v in fields if k == "answer" or k.startswith(("match-", "item-"))) or "(a rating)"
    return render_template("study/pending.html", question=question, qtype=qtype, ordinal=ordinal,
                           given=shown, response=response)
