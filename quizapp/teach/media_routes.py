"""Images added to a bank from the question editor (services/bank_media.py).

Without script the image form posts, the page comes back with the image's Markdown to paste; with
script (static/js/teach_editor.js) the same POST asks for JSON and the reference goes in at the
caret of the question's text."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for

from ..services import bank_media
from ..web.bodies import UPLOAD, accepts_body
from ..web.errors import wants_json
from . import bp
from .access import own_bank
from .forms import ImageForm


def markdown_of(name: str, alt: str = "") -> str:
    alt = " ".join((alt or "").replace("[", "(").replace("]", ")").split())
    return f"![{alt or name.rsplit('.', 1)[0]}]({name})"


@bp.post("/banks/<slug>/images")
@accepts_body(UPLOAD)
def add_image(slug: str):
    bank = own_bank(slug)
    form = ImageForm()
    if not form.validate_on_submit() or not form.image.data or not form.image.data.filename:
        abort(400, "Choose an image (PNG, JPEG, GIF or WebP) to upload.")
    storage = form.image.data
    name = bank_media.add_image(bank, storage.filename, storage.read())  # ImageRefused: 400, with why
    markdown = markdown_of(name, form.alt.data)
    if wants_json():
        return jsonify(name=name, markdown=markdown, url=url_for("main.media", bank_id=bank.id, name=name)), 201
    flash(f"Added the image {name}. To show it, put {markdown} in the question's text, written as Markdown.",
          "success")
    back = request.form.get("back", "")
    editor = url_for("teach.bank", slug=bank.slug) + "/questions/"
    return redirect(back if back.startswith(editor) and "//" not in back else url_for("teach.bank", slug=bank.slug))
