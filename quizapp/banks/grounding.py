"""Evidence quotes checked against their source documents (verbatim up to whitespace)."""
from __future__ import annotations

import re
from pathlib import Path

from .model import Bank, BankIssue, Question

MIN_EVIDENCE, MAX_EVIDENCE = 12, 400


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def quotes(question: Question) -> list[str]:
    """The question's evidence quotes; a malformed upload's evidence (a number, a mapping: reported
    by validate_bank) has none to check."""
    evidence = question.evidence
    return [e for e in evidence if isinstance(e, str)] if isinstance(evidence, list) else []


def check_evidence(bank: Bank, documents: dict[str, str], file: str) -> list[BankIssue]:
    """Issues for every quote not found in its document; ``documents`` maps file name to text."""
    folded = {name: fold(text) for name, text in documents.items()}
    issues = []
    for q in bank.questions:
        source = bank.sources.get(q.source or "") or {}
        name = source.get("file") if isinstance(source, dict) else None
        name = name or (q.source if q.source in folded else None)
        if name is None:
            issues.append(BankIssue(file, q.line, "names no source document", "source", q.id))
            continue
        if name not in folded:
            issues.append(BankIssue(file, q.line, f"source file {name!r} is not among the documents",
                                    "source", q.id))
            continue
        for quote in quotes(q):
            f = fold(quote)
            if not MIN_EVIDENCE <= len(f) <= MAX_EVIDENCE:
                issues.append(BankIssue(file, q.line, f"evidence must be {MIN_EVIDENCE}-{MAX_EVIDENCE} "
                                                      f"characters, is {len(f)}", "evidence", q.id))
            elif f not in folded[name]:
                issues.append(BankIssue(file, q.line, f"evidence not found verbatim in {name}: {quote[:60]!r}",
                                        "evidence", q.id))
    return issues


def read_documents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*")) if p.is_file()}


def document_for(question: Question, sources: dict[str, dict], documents: dict[str, str]) -> str | None:
    """The name of the document a question quotes: its source's file, a document named like the
    source, or the only document there is (a GIFT or CSV upload names no source)."""
    source = sources.get(question.source or "") or {}
    name = source.get("file") if isinstance(source, dict) else None
    for candidate in (name, question.source):
        if candidate and candidate in documents:
            return candidate
    return next(iter(documents)) if len(documents) == 1 and not name else None


def flag_quotes(question: Question, sources: dict[str, dict], documents: dict[str, str],
                file: str, folded: dict[str, str] | None = None) -> list[BankIssue]:
    """Warnings (never errors: the teacher may not have uploaded every document) for each quote
    of ``question`` that is not in its document. ``folded`` caches fold(text) per document."""
    if not quotes(question) or not documents:
        return []
    name = document_for(question, sources, documents)
    if name is None:
        return [BankIssue(file, question.line, "quotes a document that was not uploaded", "source",
                          question.id, level="warning")]
    folded = folded if folded is not None else {}
    haystack = folded.get(name)
    if haystack is None:
        haystack = folded[name] = fold(documents[name])
    return [BankIssue(file, question.line, f"evidence not found verbatim in {name}: {quote[:60]!r}",
                      "evidence", question.id, level="warning")
            for quote in quotes(question) if fold(quote) not in haystack]
