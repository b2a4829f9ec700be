"""A learner's options per bank (Anki's deck options): new-card order, learning and relearning steps, leech threshold
and action, bury siblings. The list of the learner's banks, and one bank's form."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from ..services import bank_options, browse
from . import bp


def _steps(kind: str):
    """A form validator: the field holds learning (or relearning) steps as parse_steps reads them."""
    def check(form, field) -> None:
        try:
            bank_options.parse_steps(field.data or "", kind)
        except bank_options.OptionsError as exc:
            raise ValidationError(str(exc)) from exc
    return check


class BankOptionsForm(FlaskForm):
    new_order = RadioField("New cards come in",
                           choices=[SelectChoice(k, v) for k, v in bank_options.NEW_ORDERS.items()],
                           validators=[InputRequired()])
    learning_steps = StringField(
        "Learning steps", validators=[Length(max=100), _steps("learning")],
        description="The waits between the first answers of a new card, in minutes (1 10), or with h and d "
                    "(1m 10m 1h). Empty: a new card answered right goes straight to review.")
    relearning_steps = StringField(
        "Relearning steps", validators=[Length(max=100), _steps("relearning")],
        description="The waits after a review card is forgotten, before it is a review card again: minutes "
                    "(10), or with h and d. Empty: it goes straight back to review, with a shorter interval.")
    leech_threshold = IntegerField(
        "Leech threshold (lapses)", validators=[InputRequired(), NumberRange(bank_options.MIN_LEECH,
                                                                             bank_options.MAX_LEECH)],
        description="A card forgotten this many times after learning it is a leech.")
    leech_action = RadioField("When a card becomes a leech",
                              choices=[SelectChoice(k, v) for k, v in bank_options.LEECH_ACTIONS.items()],
                              validators=[InputRequired()])
    bury_siblings = BooleanField(
        "Bury siblings",
        description="A question that makes several cards (cloze, two-sided) shows one of them a day; the others "
                    "wait for the next day.")


@bp.get("/study/options")
@login_required
def bank_options_list():
    banks = browse.bank_choices(current_user)
    chosen = bank_options.for_banks(current_user, [b for b, _ in banks])
    return render_template("study/bank_options_list.html", banks=banks, chosen=chosen,
                           default=bank_options.DEFAULT, orders=bank_options.NEW_ORDERS)


@bp.route("/study/options/<int:bank_id>", methods=["GET", "POST"])
@login_required
def bank_options_edit(bank_id: int):
    title = bank_options.bank_title(current_user, bank_id)  # 404 for a bank not the learner's
    current = bank_options.get(current_user, bank_id)
    form = BankOptionsForm(data={"new_order": current.new_order, "learning_steps": current.steps_text,
                                 "relearning_steps": current.relearning_text,
                                 "leech_threshold": current.leech_threshold, "leech_action": current.leech_action,
                                 "bury_siblings": current.bury_siblings})
    if form.validate_on_submit():
        bank_options.save(current_user, bank_id, bank_options.Options(
            new_order=form.new_order.data, learning_steps=bank_options.parse_steps(form.learning_steps.data or ""),
            relearning_steps=bank_options.parse_steps(form.relearning_steps.data or "", "relearning"),
            leech_threshold=form.leech_threshold.data, leech_action=form.leech_action.data,
            bury_siblings=bool(form.bury_siblings.data)))
        flash(f"Options for {title} saved.", "success")
        return redirect(url_for("study.bank_options_edit", bank_id=bank_id))
    return render_template("study/bank_options.html", form=form, title=title, bank_id=bank_id,
                           default=bank_options.DEFAULT), 400 if form.is_submitted() else 200
