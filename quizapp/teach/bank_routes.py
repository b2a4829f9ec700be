"""A teacher's banks: overview, questions (add, edit, delete and restore), documents, export. A bank
another teacher shares, or a built-in one, opens read-only (to copy it: bank_manage_routes)."""
from __future__ import annotations

import hashlib
import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..banks import formats
from ..banks.model import Question as ParsedQuestion
from ..banks.native import question_from_dict
from ..banks.readable_ids import id_from_text
from ..domain.questions import REGISTRY, get_type
from ..domain.questions.editing import fields_from_form, form_values
from ..models import Bank, Question
from ..models.types import utcnow
from ..services import bank_edit, bank_lifecycle, bank_media, classes, documents
from ..services.bank_store import bank_as_parsed
from ..services.progress import plain_prompt_of
from ..web.bodies import EDITOR, UPLOAD, accepts_body
from ..web.downloads import attachment
from . import bp
from .access import own_bank, readable_bank
from .forms import BankDetailsForm, DocumentsForm, ImageForm, choices, question_form
from .upload_routes import documents_from_files

REQUIRED = "This field is required."  # WTForms' DataRequired wording, for every missing field


@bp.get("/")
def index():
    banks, jobs = bank_edit.teacher_overview(current_user)
    return render_template("teach/index.html", banks=[(b, n) for b, n in banks if b.retired_at is None],
                           retired=[(b, n) for b, n in banks if b.retired_at is not None],
                           classes=classes.owned_by(current_user), jobs=jobs, types=REGISTRY.values())


@bp.get("/banks/<slug>")
def bank(slug: str):
    return bank_page(readable_bank(slug))


def bank_page(bank: Bank, details: BankDetailsForm | None = None):
    """The bank's page: editable by its owner (and admins), read-only for other teachers."""
    editable = bank_edit.managed_bank(current_user, bank.slug) is not None
    questions = [q for q in bank.questions if not q.retired]
    details = details or BankDetailsForm(title=bank.title, description=bank.description, sharing=bank.sharing)
    return render_template("teach/bank.html", bank=bank, questions=questions, documents=documents.of_bank(bank.id),
                           types=REGISTRY.values(), formats=formats.FORMATS.values(), editable=editable,
                           documents_form=DocumentsForm(), details_form=details,
                           sharing=bank_lifecycle.SHARING_LABELS,
                           deleted=bank_edit.retired_questions(bank) if editable else [],
                           just_deleted=request.args.get("deleted", "")), 400 if details.errors else 200


@bp.get("/banks/<slug>/export/<fmt>")
def export(slug: str, fmt: str):
    bank = readable_bank(slug)
    if fmt not in formats.FORMATS:
        abort(404)
    # A YAML or JSON bank with images comes as a zip (the bank file and media/).
    data, extension, media_type = formats.export(bank_as_parsed(bank), fmt)
    return attachment(data, f"{bank.slug}{extension}", media_type)


@bp.post("/banks/<slug>/documents")
@accepts_body(UPLOAD)
def add_documents(slug: str):
    bank = own_bank(slug)
    form = DocumentsForm()
    if not form.validate_on_submit():
        abort(400, "Choose one or more documents to upload.")
    texts = documents_from_files(form.documents.data)
    if not texts:
        abort(400, "Choose one or more documents to upload.")
    documents.add(bank.id, texts, utcnow())
    flash(f"Added {', '.join(sorted(texts))}.", "success")
    return redirect(url_for("teach.bank", slug=bank.slug) + "#documents")


@bp.post("/banks/<slug>/documents/<int:document_id>/delete")
def delete_document(slug: str, document_id: int):
    bank = own_bank(slug)
    document = documents.delete(bank.id, document_id, utcnow())
    flash(f"Removed {document.name}.", "success")
    return redirect(url_for("teach.bank", slug=bank.slug) + "#documents")


DOCUMENT_CHOICE = "document:"  # a source choice naming an uploaded document that no bank source points at yet


def _source_choices(bank: Bank, docs, current: str | None):
    """The bank's sources, then its uploaded documents that no source names yet (picking one adds a
    source for it), and the question's own source if the bank no longer lists it."""
    sources = bank.sources or {}
    pairs = [("", "None")]
    named = set()
    for key, src in sources.items():
        src = src if isinstance(src, dict) else {}
        label = src.get("title") or key
        if src.get("file"):
            named.add(src["file"])
            label += "" if src["file"] == label else f" ({src['file']})"
        pairs.append((key, label))
    pairs += [(DOCUMENT_CHOICE + d.name, f"{d.name} (uploaded document)") for d in docs
              if d.name not in named and d.name not in sources]
    if current and current not in sources:
        pairs.append((current, current))
    return choices(pairs)


def _picked_source(bank: Bank, value: str) -> tuple[str, dict]:
    """The question's source key, and the bank source to add when an uploaded document was picked."""
    if not value.startswith(DOCUMENT_CHOICE):
        return value, {}
    name = value.removeprefix(DOCUMENT_CHOICE)
    key = id_from_text(name.rsplit(".", 1)[0], set(bank.sources or {}), fallback="document")
    return key, {key: {"title": name, "file": name}}


def _fill(form, bank: Bank, data: dict, type_name: str) -> None:
    form.key.data = data.get("id", "")
    form.explanation.data = data.get("explanation", "")
    form.source.data = data.get("source") or ""
    evidence = data.get("evidence") or []
    form.evidence.data = "\n".join([evidence] if isinstance(evidence, str) else evidence)
    form.tags.data = ", ".join(data.get("tags") or [])
    form.difficulty.data = data.get("difficulty") or ""
    form.text_format.data = data.get("format") or "plain"
    values = form_values(type_name, data)
    for f in get_type(type_name).editor:
        getattr(form, f"f_{f.name}").data = bool(values[f.name]) if f.kind == "bool" else values[f.name]


def _type_fields(form, type_name: str, keep: dict) -> dict:
    values = {f.name: ("y" if getattr(form, f"f_{f.name}").data else "") if f.kind == "bool"
              else getattr(form, f"f_{f.name}").data or "" for f in get_type(type_name).editor}
    type_fields = {k: v for k, v in keep.items() if k in get_type(type_name).fields}
    return fields_from_form(type_name, values, type_fields)


def _text_of(type_name: str, fields: dict) -> str:
    """The question's text as learners read it (its prompt, front or cloze text), for a new id."""
    try:
        return get_type(type_name).prompt(fields)
    except (KeyError, TypeError, ValueError):  # a required field still missing: reported as such
        return ""


def _question(form, type_name: str, keep: dict, key: str, source: str, fields: dict) -> ParsedQuestion:
    raw = {**{k: v for k, v in keep.items() if k not in get_type(type_name).fields},
           **fields, "id": key, "type": type_name,
           "explanation": (form.explanation.data or "").strip(),
           "evidence": [line.strip() for line in (form.evidence.data or "").splitlines() if line.strip()],
           "tags": [t.strip() for t in (form.tags.data or "").split(",") if t.strip()]}
    # (A post without the input, from a script or an old page, leaves the question's format as it was.)
    text_format = form.text_format.data if "text_format" in request.form else keep.get("format", "")
    text_format = "" if text_format == "plain" else text_format
    for name, value in (("source", source), ("difficulty", form.difficulty.data), ("format", text_format)):
        if value:
            raw[name] = value
        else:
            raw.pop(name, None)
    return question_from_dict(raw)


def _wording(message: str, field: str | None = None) -> str:
    """An issue's message as a form shows it: every missing field in the same words as the form's own;
    an issue of one line of a field (``alternatives[1].weight``, ``weights.Beijing``) says which."""
    if message == "is required":
        return REQUIRED
    message = message[:1].upper() + message[1:]
    message = message if message.endswith((".", "?", "!")) else message + "."
    where = re.match(r"^[a-z_]+(?:\[(\d+)\])?(?:\.(.+))?$", field or "")
    if where and where.group(1) is not None:
        part = f" ({where.group(2).replace('weight', 'credit')})" if where.group(2) else ""
        return f"Line {int(where.group(1)) + 1}{part}: {message}"
    if where and where.group(2):
        return f"{where.group(2)!r}: {message}"
    return message


def _digest(warnings: list[str]) -> str:
    """What "Save anyway" confirms: these warnings, so a changed question is checked again."""
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]


def _edit(bank: Bank, type_name: str, current: Question | None):
    docs = documents.of_bank(bank.id)
    form = question_form(type_name)
    form.source.choices = _source_choices(bank, docs, current.data.get("source") if current else None)
    keep = dict(current.data) if current is not None else {}
    warnings: list[str] = []
    if request.method == "GET" and current is not None:
        _fill(form, bank, keep, type_name)
    if form.is_submitted():
        # The form's own rules and the question's, all at once: every missing field is named together.
        form.validate()
        source, new_sources = _picked_source(bank, form.source.data or "")
        fields = _type_fields(form, type_name, keep)
        key = (form.key.data or "").strip()
        if not key and current is not None:
            key = current.key
        elif not key and (text := _text_of(type_name, fields).strip()):
            key = form.key.data = bank_edit.new_key(bank, text)
        replacing = current.key if current else None
        question = _question(form, type_name, keep, key or "new-question", source, fields)
        errors, warnings = bank_edit.check_question(bank, question, replacing, new_sources)
        for issue in errors:
            target = _form_field(form, issue.field)
            if not target.errors:  # one message per field: the form's own when it has one
                target.errors = [*target.errors, _wording(issue.message, issue.field)]
        if not form.errors and (not warnings or request.form.get("confirm") == _digest(warnings)):
            _, issues = bank_edit.put_question(bank, question, utcnow(), replacing=replacing, sources=new_sources)
            if not issues:
                flash(f"Saved question {question.id}.", "success")
                return redirect(url_for("teach.bank", slug=bank.slug) + f"#q-{question.id}")
            for issue in issues:
                target = _form_field(form, issue.field)
                target.errors = [*target.errors, _wording(issue.message, issue.field)]
    status = 400 if form.errors else 200
    return render_template("teach/question.html", bank=bank, form=form, qtype=get_type(type_name),
                           current=current, warnings=[] if form.errors else warnings,
                           image_form=ImageForm(), images=bank_media.image_names(bank),
                           confirm=_digest(warnings) if warnings else ""), status


def _form_field(form, field: str | None):
    """The form input an issue's field path (``choices[2]``, ``answer``) belongs to."""
    name = (field or "").split("[", 1)[0].split(".", 1)[0]
    for candidate in (f"f_{name}", name, "key" if name == "id" else ""):
        if candidate and candidate in form:
            return form[candidate]
    return form.key


@bp.route("/banks/<slug>/questions/new/<type_name>", methods=["GET", "POST"])
@accepts_body(EDITOR)
def new_question(slug: str, type_name: str):
    bank = own_bank(slug)
    if type_name not in REGISTRY:
        abort(404)
    return _edit(bank, type_name, None)


@bp.route("/banks/<slug>/questions/<key>/edit", methods=["GET", "POST"])
@accepts_body(EDITOR)
def edit_question(slug: str, key: str):
    bank = own_bank(slug)
    question = bank_edit.stored_question(bank, key)
    return _edit(bank, question.type, question)


@bp.route("/banks/<slug>/questions/<key>/delete", methods=["GET", "POST"])
def delete_question(slug: str, key: str):
    """GET asks to confirm; POST deletes (retires: learners' history is kept, and it can be restored)."""
    bank = own_bank(slug)
    question = bank_edit.stored_question(bank, key)
    if request.method == "GET":
        return render_template("teach/confirm.html", title=f"Delete question {key}?",
                               message=plain_prompt_of(question.type, question.data),
                               details=["It leaves the bank and learners' study; their history of it is kept.",
                                        "You can undo this: deleted questions can be restored from the bank page."],
                               action=url_for("teach.delete_question", slug=bank.slug, key=key),
                               button="Delete question", back=url_for("teach.bank", slug=bank.slug) + f"#q-{key}")
    bank_edit.delete_question(bank, key, utcnow())
    flash(f"Deleted question {key}. Learners' history of it is kept.", "success")
    return redirect(url_for("teach.bank", slug=bank.slug, deleted=key) + "#deleted")


@bp.post("/banks/<slug>/questions/<key>/restore")
def restore_question(slug: str, key: str):
    bank = own_bank(slug)
    report = bank_edit.restore_question(bank, key, utcnow())
    flash(f"Restored question {key}, with learners' progress on it." if report else f"Question {key} is not deleted.",
          "success")
    return redirect(url_for("teach.bank", slug=bank.slug) + f"#q-{key}")
