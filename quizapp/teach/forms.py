from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..banks import formats
from ..banks.delimited import CARD_SEPARATORS, FIELD_SEPARATORS, MAX_SEPARATOR_CHARS, separator_option
from ..banks.images import ACCEPT as IMAGE_ACCEPT
from ..banks.model import MAX_TITLE_CHARS, SLUG
from ..banks.upload_choices import CATEGORY_CHOICES
from ..domain.questions import DIFFICULTIES, get_type
from ..services.bank_lifecycle import MAX_DESCRIPTION_CHARS, SHARING_LABELS


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the options of a select (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


FORMAT_CHOICES = choices([("auto", "Detect from the content"), *((f.name, f.label) for f in formats.FORMATS.values())])


class UploadForm(FlaskForm):
    file = FileField("Question file", description="Quizapp YAML or JSON, Moodle GIFT, CSV or TSV (Anki or "
                                                  "Quizlet export), or an Anki .apkg package.")
    text = TextAreaField("Or paste the questions", render_kw={"rows": 8, "spellcheck": "false"})
    # Filled in from the chosen file's name by static/js/teach_editor.js; left empty, the file's own.
    bank_name = StringField("Bank name", validators=[Length(max=MAX_TITLE_CHARS)],
                            render_kw={"data-bank-name": "", "autocomplete": "off"},
                            description="What students and you will see. Left empty: the name the file gives "
                                        "(a deck's name, a GIFT file's first category) or the file's name.")
    categories = RadioField("GIFT categories ($CATEGORY lines)", default="tags",
                            choices=choices(CATEGORY_CHOICES.items()),
                            description="One bank per category: each category becomes a bank named after it, "
                                        "and the questions before the first category go in the bank named above. "
                                        "Either way the whole file is checked and saved at once.")
    fmt = SelectField("Format", choices=FORMAT_CHOICES, default="auto")
    documents = MultipleFileField("Source documents (optional)",
                                  description="Plain text or Markdown files the questions quote; every quote is "
                                              "checked against them and students see it in context.")
    # Quizlet's export dialog: "Between term and definition" and "Between rows" (CSV/TSV only).
    term_sep = SelectField("Between term and definition", default="", choices=choices([
        ("", "Detect (tab, comma, semicolon or pipe)"), ("tab", "Tab"), ("comma", "Comma"),
        ("semicolon", "Semicolon"), ("custom", "Custom")]))
    term_sep_custom = StringField("Custom text between term and definition",
                                  validators=[Length(max=MAX_SEPARATOR_CHARS)],
                                  description="For example ' - ' (spaces count). \\t is a tab, \\n a new line.")
    card_sep = SelectField("Between rows", default="newline", choices=choices([
        ("newline", "New line"), ("semicolon", "Semicolon"), ("blank-line", "A blank line"), ("custom", "Custom")]))
    card_sep_custom = StringField("Custom text between rows",
                                  validators=[Length(max=MAX_SEPARATOR_CHARS)],
                                  description="Whatever you typed in Quizlet's custom box; \\n is a new line.")

    def validate_term_sep_custom(self, field) -> None:
        _custom_separator(self.term_sep.data, field, FIELD_SEPARATORS)

    def validate_card_sep_custom(self, field) -> None:
        _custom_separator(self.card_sep.data, field, CARD_SEPARATORS)

    def reader_options(self) -> dict[str, str]:
        """The separators chosen, as the CSV reader takes them (none when left as they are)."""
        out = {}
        term = self.term_sep_custom.data if self.term_sep.data == "custom" else self.term_sep.data
        if term:
            out["separator"] = separator_option(term, FIELD_SEPARATORS, "between term and definition")
        rows = self.card_sep_custom.data if self.card_sep.data == "custom" else self.card_sep.data
        if rows and rows != "newline":
            out["card_separator"] = separator_option(rows, CARD_SEPARATORS, "between rows")
        return out


def _custom_separator(choice: str, field, names: dict[str, str]) -> None:
    if choice != "custom":
        return
    if not field.data:
        raise ValidationError("Type the text that separates them, or pick one of the choices.")
    try:
        separator_option(field.data, names)
    except ValueError as exc:
        raise ValidationError(str(exc).capitalize() + ".") from None


class ImageForm(FlaskForm):
    image = FileField("Image", render_kw={"accept": IMAGE_ACCEPT},
                      description="PNG, JPEG, GIF or WebP, up to 2 MB. Its camera and location data are removed.")
    alt = StringField("What it shows (for those who cannot see it)", validators=[Length(max=200)])


class RecheckForm(FlaskForm):
    text = TextAreaField("The file's text", validators=[DataRequired()],
                         render_kw={"rows": 18, "spellcheck": "false"})


class ClassForm(FlaskForm):
    name = StringField("Class name", validators=[DataRequired(), Length(max=120)])


class BankDetailsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=MAX_TITLE_CHARS)])
    description = TextAreaField("Description", validators=[Length(max=MAX_DESCRIPTION_CHARS)],
                                render_kw={"rows": 3})
    sharing = SelectField("Who else sees it", choices=choices(SHARING_LABELS.items()))


class AssignForm(FlaskForm):
    bank = SelectField("Bank", coerce=int, validators=[DataRequired()])
    due = DateField("Due date (optional)", validators=[Optional()])


class JoinForm(FlaskForm):
    code = StringField("Class code", validators=[DataRequired(), Length(max=32)],
                       description="The code your teacher gave you, for example K7QM-2XPA.")


class DocumentsForm(FlaskForm):
    documents = MultipleFileField("Add documents", description="Plain text or Markdown (.txt, .md).")


class QuestionFormBase(FlaskForm):
    # Left empty, the id is made from the question's text (services.bank_edit.new_key).
    key = StringField("Question id", validators=[Optional(), Regexp(SLUG, message=(
        "Use letters, digits, '.', '_' or '-' (no spaces)."))],
        description="Made from the question's text when left empty. Stays the same when you edit the "
                    "question; learners' progress follows it.")
    explanation = TextAreaField("Why the answer is right", render_kw={"rows": 3})
    source = SelectField("Source document", choices=[],
                         description="The document the evidence quotes come from: a source of the bank or an "
                                     "uploaded document.")
    evidence = TextAreaField("Evidence quotes", render_kw={"rows": 3},
                             description="One quote per line, copied word for word from the source document.")
    tags = StringField("Tags", description="Separated by commas.")
    text_format = SelectField("How the texts are written", default="plain",
                              choices=choices([("plain", "Plain text"), ("markdown", "Markdown (needed for images)"),
                                               ("html", "HTML")]),
                              description="Markdown: **bold**, *italic*, ![description](image.png) for an image "
                                          "of the bank.")
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
        elif f.kind in ("textarea", "lines", "pairs", "credits", "notes", "alternatives"):
            setattr(TypeForm, f"f_{f.name}", TextAreaField(f.label, description=hint, render_kw={"rows": 4}))
        else:
            setattr(TypeForm, f"f_{f.name}", StringField(f.label, description=hint,
                                                         render_kw={"inputmode": "decimal"} if f.kind == "number"
                                                         else {}))
    return TypeForm(**kwargs)
