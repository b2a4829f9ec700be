"""A bank as a whole: title, description and sharing; retire and restore; delete while nobody has
studied it; copy one (built-in, shared or one's own) into one's own banks; the banks one may copy."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models.types import utcnow
from ..services import bank_copies, bank_lifecycle
from . import bp
from .access import own_bank, readable_bank
from .bank_routes import bank_page
from .forms import BankDetailsForm


@bp.get("/library")
def library():
    """Banks to copy and edit: the built-in ones and those other teachers share."""
    return render_template("teach/library.html", banks=bank_copies.library(current_user),
                           sharing=bank_lifecycle.SHARING_LABELS)


@bp.post("/banks/<slug>/details")
def bank_details(slug: str):
    bank = own_bank(slug)
    form = BankDetailsForm()
    if form.validate_on_submit():
        bank_lifecycle.update_details(bank, form.title.data, form.description.data or "", form.sharing.data, utcnow())
        flash(f"Saved: {bank.title} ({bank_lifecycle.SHARING_LABELS[bank.sharing].split(':')[0].lower()}).",
              "success")
        return redirect(url_for("teach.bank", slug=bank.slug))
    return bank_page(bank, form)


@bp.post("/banks/<slug>/retire")
def retire_bank(slug: str):
    bank = own_bank(slug)
    bank_lifecycle.retire(bank, utcnow())
    flash(f"Retired {bank.title}: it has left students' study and the class lists. Their history is kept; "
          "restore it to bring it back.", "success")
    return redirect(url_for("teach.bank", slug=bank.slug))


@bp.post("/banks/<slug>/restore")
def restore_bank(slug: str):
    bank = own_bank(slug)
    bank_lifecycle.restore(bank)
    flash(f"Restored {bank.title}: students study it again.", "success")
    return redirect(url_for("teach.bank", slug=bank.slug))


@bp.route("/banks/<slug>/delete", methods=["GET", "POST"])
def delete_bank(slug: str):
    """GET asks to confirm (or says why it cannot be deleted); POST deletes."""
    bank = own_bank(slug)
    if request.method == "GET":
        learners = bank_lifecycle.learners(bank)
        return render_template(
            "teach/confirm.html", title=f"Delete {bank.title}?", message=None if learners else
            "The bank, its questions, documents and images are deleted for good; the classes it is assigned to "
            "lose it.",
            refusal=(f"{learners} learner{' has' if learners == 1 else 's have'} studied this bank, so it cannot be "
                     "deleted. Retire it instead: it leaves everyone's study and their history is kept.")
            if learners else None,
            action=url_for("teach.delete_bank", slug=bank.slug), button="Delete bank",
            back=url_for("teach.bank", slug=bank.slug))
    title = bank_lifecycle.delete(bank)
    flash(f"Deleted {title}.", "success")
    return redirect(url_for("teach.index"))


@bp.post("/banks/<slug>/copy")
def copy_bank(slug: str):
    bank = readable_bank(slug)
    copy = bank_copies.copy(current_user, bank, utcnow())
    flash(f"Copied {bank.title} into your banks as {copy.title}: edit it as you like. Learners start it afresh.",
          "success")
    return redirect(url_for("teach.bank", slug=copy.slug))
