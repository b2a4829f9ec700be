"""A teacher's banks: overview, questions (add, edit, delete), documents, export."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..banks import formats
from ..banks.model import Question as ParsedQuestion
from ..banks.native import question_from_dict
from ..domain.questions import REGISTRY, get_type
from ..domain.questions.editing import fields_from_form, form_values
from ..models import Bank, Question
from ..models.types import utcnow
from ..services import bank_edit, classes, documents
from ..services.bank_store import bank_as_parsed
from ..web.bodies import EDITOR, UPLOAD, accepts_body
from . import bp
from .access import own_bank
from .forms import AssignForm, DocumentsForm, choices, question_form
from .upload_routes import documents_from_files


@bp.get("/")
def index():
    banks, jobs = bank_edit.teacher_overview(current_user)
    return render_template("teach/index.html", banks=banks, classes=classes.owned_by(current_user), jobs=jobs,
                           types=REGISTRY.values())


@bp.get("/banks/<slug>")
def bank(slug: str):
    bank = own_bank(slug)
    questions = [q for q in bank.questions if not q.retired]
    return render_template("teach/bank.html", bank=bank, questions=questions, documents=documents.of_bank(bank.id),
                           types=REGISTRY.values(), formats=formats.FORMATS.values(),
                           documents_form=DocumentsForm(), assign_form=AssignForm(),
                           classes=classes.owned_by(current_user))


@bp.get("/banks/<slug>/export/<fmt>")
def export(slug: str, fmt: str):
    bank = own_bank(slug)
    if fmt not in formats.FORMATS:
        abort(404)
    # A YAML or JSON bank with images comes as a zip (the bank file and media/).
    data, extension, media_type = formats.export(bank_as_parsed(bank), fmt)
    return Response(data, mimetype=media_type, headers={
        "Content-Disposition": f'attachment; filename="{bank.slug}{extension}"'})


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
    document = documents.delete(bank.id, document_id)
    flash(f"Removed {document.name}.", "success")
    return redirect(url_for("teach.bank", slug=bank.slug) + "#documents")


def _source_choices(bank: Bank):
    sources = (bank.sources or {}).items()
    return choices([("", "None"), *((key, (src or {}).get("title") or key) for key, src in sources)])


def _fill(form, bank: Bank, data: dict, type_name: str) -> None:
    form.key.data = data.get("id", "")
    form.explanation.data = data.get("explanation", "")
    form.source.data = data.get("source") or ""
    evidence = data.get("evidence") or []
    form.evidence.data = "\n".join([evidence] if isinstance(evidence, str) else evidence)
    form.tags.data = ", ".join(data.get("tags") or [])
    form.difficulty.data = data.get("difficulty") or ""
    values = form_values(type_name, data)
    for f in get_type(type_name).editor:
        getattr(form, f"f_{f.name}").data = bool(values[f.name]) if f.kind == "bool" else values[f.name]


def _question(form, type_name: str, keep: dict) -> ParsedQuestion:
    values = {f.name: ("y" if getattr(form, f"f_{f.name}").data else "") if f.kind == "bool"
              else getattr(form, f"f_{f.name}").data or "" for f in get_type(type_name).editor}
    type_fields = {k: v for k, v in keep.items() if k in get_type(type_name).fields}
    raw = {**{k: v for k, v in keep.items() if k not in get_type(type_name).fields},
           **fields_from_form(type_name, values, type_fields),
           "id": form.key.data.strip(), "type": type_name,
           "explanation": (form.explanation.data or "").strip(),
           "evidence": [line.strip() for line in (form.evidence.data or "").splitlines() if line.strip()],
           "tags": [t.strip() for t in (form.tags.data or "").split(",") if t.strip()]}
    for name, value in (("source", form.source.data), ("difficulty", form.difficulty.data)):
        if value:
            raw[name] = value
        else:
            raw.pop(name, None)
    return question_from_dict(raw)


def _edit(bank: Bank, type_name: str, current: Question | None):
    form = question_form(type_name)
    form.source.choices = _source_choices(bank)
    keep = dict(current.data) if current is not None else {}
    if request.method == "GET" and current is not None:
        _fill(form, bank, keep, type_name)
    if form.validate_on_submit():
        question = _question(form, type_name, keep)
        _, issues = bank_edit.put_question(bank, question, utcnow(), replacing=current.key if current else None)
        if not issues:
            flash(f"Saved question {question.id}.", "success")
            return redirect(url_for("teach.bank", slug=bank.slug) + f"#q-{question.id}")
        for issue in issues:
            target = _form_field(form, issue.field)
            target.errors = [*target.errors, issue.message]
    status = 400 if form.errors else 200
    return render_template("teach/question.html", bank=bank, form=form, qtype=get_type(type_name),
                           current=current), status


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


@bp.post("/banks/<slug>/questions/<key>/delete")
def delete_question(slug: str, key: str):
    bank = own_bank(slug)
    bank_edit.delete_question(bank, key, utcnow())
    flash(f"Deleted question {key}. Learners' history of it is kept.", "success")
    return redirect(url_for("teach.bank", slug=bank.slug))
