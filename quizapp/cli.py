"""Flask commands: banks (check, lint, import, export, list, load), users, demo accounts, backups.

Exit status: 0 on success, 1 on invalid input (errors on stderr), 2 on usage errors (click's own).
"""
from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from . import backup
from .banks import check, formats
from .banks.delimited import CARD_SEPARATORS, FIELD_SEPARATORS, separator_option
from .banks.grounding import check_evidence, read_documents
from .banks.lint import ERROR, Finding, lint
from .banks.model import ParseResult
from .extensions import db
from .models import Bank, Question, User
from .models.types import utcnow
from .models.users import ROLES
from .services import accounts
from .services.bank_store import BankOwnershipError, bank_as_parsed, save_bank
from .services.documents import save_documents
from .services.import_changes import reset_warnings

bank_cli = AppGroup("bank", help="Check, import, export and list question banks.")
user_cli = AppGroup("user", help="Manage accounts.")
jobs_cli = AppGroup("jobs", help="The upload job queue (quizapp/services/jobs.py).")

BANK_SUFFIXES = {".yaml", ".yml", ".json", ".gift", ".csv", ".tsv", ".txt", ".apkg"}


def _fail(lines: list[str], code: int = 1) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(code)


def _files(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in BANK_SUFFIXES)
        elif path.is_file():
            out.append(path)
        else:
            raise click.UsageError(f"no such file or folder: {raw}")
    return out


def _read(path: Path, fmt: str = "auto", **options: str) -> ParseResult:
    return formats.parse(path.read_bytes(), str(path), fmt, **options)


def _separators(separator: str | None, card_separator: str | None) -> dict[str, str]:
    """--separator/--card-separator as the CSV reader takes them (names or text; \\t, \\n escapes)."""
    out = {}
    try:
        if separator is not None:
            out["separator"] = separator_option(separator, FIELD_SEPARATORS, "(--separator)")
        if card_separator is not None and card_separator.strip().lower() != "newline":
            out["card_separator"] = separator_option(card_separator, CARD_SEPARATORS, "(--card-separator)")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return out


def separator_options(command):
    """The separators of a CSV/TSV file, as Quizlet's export dialog names them."""
    command = click.option("--card-separator", metavar="NAME|TEXT",
                           help="between cards of a CSV/TSV: newline (default), semicolon, blank-line, or any text "
                                "(Quizlet's 'Between rows'); reads the file as Quizlet's custom export")(command)
    return click.option("--separator", metavar="NAME|TEXT",
                        help="between the fields of a CSV/TSV: tab, comma, semicolon, pipe or any text such as "
                             "' - ' (Quizlet's 'Between term and definition'); \\t is a tab, \\n a newline. "
                             "Default: detected")(command)


@bank_cli.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option("--documents", type=click.Path(exists=True, file_okay=False), help="Check evidence quotes.")
@click.option("--json", "as_json", is_flag=True,
              help="Print every question as JSON: all it holds, its prompt and answer normalised.")
@separator_options
def bank_check(paths: tuple[str, ...], documents: str | None, as_json: bool, separator: str | None,
               card_separator: str | None) -> None:
    """Validate bank files (and, with --documents, their evidence quotes). Errors, then the total,
    go to stderr and exit 1; warnings and notices (which never block an import) go to stderr too."""
    docs = read_documents(Path(documents)) if documents else None
    options = _separators(separator, card_separator)
    problems: list[str] = []
    normalised: list[dict] = []
    total = 0
    for path in _files(paths):
        result = _read(path, **options)
        problems += [str(e) for e in result.errors]
        for notice in result.notices:
            click.echo(f"{notice}  [{notice.level}]", err=True)
        if result.bank is not None:
            total += len(result.bank.questions)
            if docs is not None:
                problems += [str(e) for e in check_evidence(result.bank, docs, str(path))]
            normalised += check.normalised(result.bank)
    if as_json:
        click.echo(json.dumps(normalised, ensure_ascii=False, indent=2))
    if problems:
        _fail(problems + [f"{len(problems)} problem(s) in {len(paths)} path(s)"])
    if not as_json:
        click.echo(f"OK: {total} questions checked")


@bank_cli.command("lint")
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as a JSON list of objects.")
def bank_lint(paths: tuple[str, ...], as_json: bool) -> None:
    """Find what teaches badly: repeated questions (in and across the files), answers given away by
    their prompt or by the order of dated items, one-form answers of several words, copied explanations.

    Exit status 1 when a finding is an error (the levels are explained in quizapp/banks/lint.py);
    a file that cannot be read is an error too.
    """
    findings: list[Finding] = []
    banks = []
    seen: set[Path] = set()
    for path in _files(paths):
        if path.resolve() in seen:  # the same file named twice is not a repeat of itself
            continue
        seen.add(path.resolve())
        result = _read(path)
        bank = result.bank or result.partial
        findings += [Finding(ERROR, "invalid", str(path), e.line, bank.id if bank else "", e.question, e.message,
                             e.field) for e in result.errors]
        if bank is not None:
            banks.append((str(path), bank))
    findings += lint(banks)
    errors = sum(f.level == ERROR for f in findings)
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            click.echo(str(finding))
        questions = sum(len(b.questions) for _, b in banks)
        click.echo(f"{errors} error(s), {len(findings) - errors} warning(s) in {questions} questions "
                   f"of {len(banks)} file(s)")
    if errors:
        sys.exit(1)


@bank_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", default="auto", type=click.Choice(["auto", *formats.FORMATS]))
@click.option("--owner", help="Email of the teacher who will own the bank.")
@click.option("--dry-run", is_flag=True, help="Check and report, save nothing.")
@click.option("--json", "as_json", is_flag=True)
@separator_options
def bank_import(path: str, fmt: str, owner: str | None, dry_run: bool, as_json: bool, separator: str | None,
                card_separator: str | None) -> None:
    """Import one file (all or nothing). A question whose type or right answer changes starts afresh
    for its learners: warnings say which and for how many."""
    result = _read(Path(path), fmt, **_separators(separator, card_separator))
    if not result.ok:
        _fail([str(e) for e in result.errors])
    assert result.bank is not None
    owner_user = None
    if owner:
        owner_user = db.session.scalar(select(User).where(User.email == accounts.normalise_email(owner)))
        if owner_user is None:
            _fail([f"no user with email {owner}"])
    existing = db.session.scalar(select(Bank.id).where(Bank.slug == result.bank.id))
    warnings = [str(w) for w in reset_warnings(result.bank, existing, path)] if existing is not None else []
    try:
        report = save_bank(result.bank, now=utcnow(), owner=owner_user, builtin=owner_user is None)
    except BankOwnershipError as exc:
        db.session.rollback()
        _fail([str(exc)])
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    notices = [str(n) for n in result.notices]
    if as_json:
        click.echo(json.dumps({"bank": report.slug, "added": report.added, "changed": report.changed,
                               "reset": report.reset, "retired": report.retired, "notices": notices,
                               "dry_run": dry_run}, indent=2))
    else:  # (JSON readers have "reset": the questions whose learners start afresh)
        for n in notices + warnings:
            click.echo(n, err=True)
        click.echo(("(dry run) " if dry_run else "") + report.summary())


@bank_cli.command("load")
@click.argument("folder", type=click.Path(exists=True, file_okay=False), default="questions")
@click.option("--documents", type=click.Path(exists=True, file_okay=False),
              help="Folder of the source documents: stored with each bank that cites them, so learners "
                   "see quotes in context.")
def bank_load(folder: str, documents: str | None) -> None:
    """Load (or re-load) the built-in banks of a folder; every file must be valid, else nothing is saved."""
    results = [(p, _read(p)) for p in _files((folder,))]
    texts = read_documents(Path(documents)) if documents else {}
    errors = [str(e) for _, r in results for e in r.errors]
    if errors:
        _fail(errors)
    reports = []
    try:
        for _, result in results:
            assert result.bank is not None
            reports.append(save_bank(result.bank, now=utcnow(), builtin=True))
            cited = {src.get("file") for src in result.bank.sources.values() if isinstance(src, dict)}
            save_documents(reports[-1].bank_id, {n: t for n, t in texts.items() if n in cited}, utcnow())
    except BankOwnershipError as exc:
        db.session.rollback()
        _fail([str(exc)])
    db.session.commit()
    for report in reports:
        click.echo(report.summary())
    click.echo(f"{len(reports)} bank(s) loaded from {folder}")


@bank_cli.command("rebuild-stats")
def bank_rebuild_stats() -> None:
    """Recompute the first-answer totals item analysis reads (after loading review logs in bulk)."""
    from .services import first_answers

    rows = first_answers.rebuild()
    db.session.commit()
    click.echo(f"{rows} first-answer total(s) rebuilt")


@bank_cli.command("export")
@click.argument("bank_id")
@click.option("--format", "fmt", required=True, type=click.Choice(list(formats.FORMATS)))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def bank_export(bank_id: str, fmt: str, output: str) -> None:
    """Write a bank (by its id) to a file."""
    bank = db.session.scalar(select(Bank).where(Bank.slug == bank_id))
    if bank is None:
        _fail([f"no bank with id {bank_id!r} (see: flask bank list)"])
    data, extension, _ = formats.export(bank_as_parsed(bank), fmt)
    Path(output).write_bytes(data)
    # YAML or JSON of a bank with images is a zip of the bank file and media/ (whatever -o says).
    click.echo(f"wrote {output}" + (" (a zip: the bank file and its media/)" if extension == ".zip" else ""))


@bank_cli.command("list")
def bank_list() -> None:
    """Every bank with its question count and owner."""
    live = func.count(Question.id).filter(Question.retired.is_(False))
    rows = db.session.execute(
        select(Bank.slug, Bank.title, Bank.builtin, User.email, live)
        .outerjoin(Question, Question.bank_id == Bank.id).outerjoin(User, User.id == Bank.owner_id)
        .group_by(Bank.id, User.email).order_by(Bank.slug)
    ).all()
    for slug, title, builtin, email, active in rows:
        owner = "built-in" if builtin else (email or "-")
        click.echo(f"{slug}\t{active or 0} questions\t{owner}\t{title}")


@user_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="student", show_default=True)
@click.option("--name", help="Display name (default: the part of the email before @).")
@click.option("--password", help="Password (default: asked for; never echoed).")
def user_create(email: str, role: str, name: str | None, password: str | None) -> None:
    """Create an account (the way to make teachers and admins)."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        _fail(["the password needs at least 8 characters"])
    try:
        accounts.create_user(email, password, name=name, role=role)
    except accounts.AccountError as exc:
        _fail([str(exc)])
    db.session.commit()
    click.echo(f"created {role} {accounts.normalise_email(email)}")


DEMO_USERS = (("teacher@example.com", "Demo Teacher", "teacher"), ("student@example.com", "Demo Student", "student"))


@click.command("demo-users")
@with_appcontext
def demo_users() -> None:
    """Create the demo teacher and student if missing, and print their logins."""
    from flask import current_app

    path = Path(current_app.instance_path) / "demo-password"
    password = path.read_text().strip() if path.exists() else secrets.token_urlsafe(9)
    path.write_text(password)
    path.chmod(0o600)
    for email, name, role in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            accounts.create_user(email, password, name=name, role=role)
    _demo_class()
    db.session.commit()
    click.echo("Demo logins (password kept in instance/demo-password):")
    for email, _, role in DEMO_USERS:
        click.echo(f"  {role:8} {email}  password: {password}")


def _demo_class() -> None:
    """The demo teacher's class, with the demo student in it and one built-in bank assigned."""
    from .models import Classroom
    from .services import classes

    teacher = db.session.scalar(select(User).where(User.email == DEMO_USERS[0][0]))
    student = db.session.scalar(select(User).where(User.email == DEMO_USERS[1][0]))
    if db.session.scalar(select(Classroom.id).where(Classroom.owner_id == teacher.id)) is not None:
        return
    classroom = classes.create(teacher, "Demo class", utcnow())
    classes.join(student, classroom, utcnow())
    first = db.session.scalar(select(Bank).where(Bank.builtin.is_(True)).order_by(Bank.title))
    if first is not None:
        classes.assign(teacher, classroom, first.id, None, utcnow())


@jobs_cli.command("work")
@click.option("--threads", default=2, show_default=True, help="uploads run at once (never two of one teacher)")
@click.option("--poll", default=1.0, show_default=True, help="seconds between looks at an empty queue")
@click.option("--once", is_flag=True, help="stop when the queue is empty")
def jobs_work(threads: int, poll: float, once: bool) -> None:
    """Check and save uploaded question sets until stopped (SIGTERM or Ctrl-C let the running ones finish)."""
    import signal

    from flask import current_app

    from .services.jobs import Worker

    worker = Worker(current_app._get_current_object(), threads=threads, poll=poll)  # type: ignore[attr-defined]

    def stop(signum, frame) -> None:  # noqa: ARG001
        click.echo(f"jobs: worker {worker.name} stopping after the running uploads", err=True)
        worker.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"jobs: worker {worker.name} started ({threads} at once)", err=True)
    worker.run(once=once)


def init_app(app: Flask) -> None:
    backup.init_app(app)  # flask db backup
    app.cli.add_command(bank_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(demo_users)


def main() -> None:
    """``quizapp`` console script: the Flask CLI with this app."""
    from flask.cli import FlaskGroup

    from . import create_app

    FlaskGroup(create_app=create_app)()
