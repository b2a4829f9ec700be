from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..banks import formats
from ..banks.model import SLUG
from ..domain.questions import DIFFICULTIES, get_type


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the options of a select (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


FORMAT_CHOICES = choices([("auto", "Detect from the content"), *((f.name, f.label) for f in formats.FORMATS.values())])


class UploadForm(FlaskForm):
    file = FileField("Question file", description="Quizapp YAML or JSON, Moodle GIFT, CSV or TSV (Anki or "
                                                  "Quizlet export), or an Anki .apkg package.")
    text = TextAreaField("Or paste the questions", render_kw={"rows": 8, "spellcheck": "false"})
    fmt = SelectField("Format", choices=FORMAT_CHOICES, default="auto")
    documents = MultipleFileField("Source documents (optional)",
                                  description="Plain text or Markdown files the questions quote; every quote is "
                                              "checked against them and students see it in context.")


class RecheckForm(FlaskForm):
    text = TextAreaField("The file's text", validators=[DataRequired()],
                         render_kw={"rows": 18, "spellcheck": "false"})


class ClassForm(FlaskForm):
    name = StringField("Class name", validators=[DataRequired(), Length(max=120)])


class AssignForm(FlaskForm):
    bank = SelectField("Bank", coerce=int, validators=[DataRequired()])
    due = DateField("Due date (optional)", validators=[Optional()])


class JoinForm(FlaskForm):
    code = StringField("Class code", validators=[DataRequired(), Length(max=32)],
                       description="The code your teacher gave you, for example K7QM-2XPA.")


class DocumentsForm(FlaskForm):
    documents = MultipleFileField("Add documents", description="Plain text or Markdown (.txt, .md).")


class QuestionFormBase(FlaskForm):
    key = StringField("Question id", validators=[DataRequired(), Regexp(SLUG, message=(
        "Use letters, digits, '.', '_' or '-' (no spaces)."))],
        description="Stays the same when you edit the question; learners' progress follows it.")
    explanation = TextAreaField("Why the answer is right", render_kw={"rows": 3})
    source = SelectField("Source document", choices=[])
    evidence = TextAreaField("Evidence quotes", render_kw={"rows": 3},
                             description="One quote per line, copied word for word from the source document.")
    tags = StringField("Tags", description="Separated by commas.")
    difficulty = SelectField("Difficulty", choices=choices([("", "Not set"), *((d, d) for d in DIFFICULTIES)]))


def question_form(type_name: str, **kwargs) -> QuestionFormBase:
    """The edit form of one question type: the common fields plus the type's own inputs."""
    qtype = get_type(type_name)

    class TypeForm(QuestionFormBase):
        pass

    for f in qtype.editor:
        hint = f.hint or ("One per line." if f.kind == "lines" else "")
        if f.kind == "bool":
            setattr(TypeForm, f"f_{f.name}", BooleanField(f.label, description=hint))
        elif f.kind in ("textarea", "lines", "pairs"):
            setattr(TypeForm, f"f_{f.name}", TextAreaField(f.label, description=hint, render_kw={"rows": 4}))
        else:
            setattr(TypeForm, f"f_{f.name}", StringField(f.label, description=hint,
                                                         render_kw={"inputmode": "decimal"} if f.kind == "number"
                                                         else {}))
    return TypeForm(**kwargs)
