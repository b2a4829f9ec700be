"""Pure readers and writers of question sets: native YAML/JSON, GIFT, CSV/TSV, Anki .apkg.

No Flask here. Every reader returns a ``ParseResult``: a validated ``Bank`` or every error
found, each naming its file, line and field.
"""
from .model import Bank, BankIssue, ParseResult, Question, validate_bank

__all__ = ["Bank", "BankIssue", "ParseResult", "Question", "validate_bank"]
