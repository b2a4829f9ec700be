"""A learner's options for one bank, where Anki has them per deck (its "deck options"): the order of
new cards, the learning and relearning steps, the leech threshold and action, burying siblings. A bank without a
row uses the defaults (services/bank_options.py), which are the app's behaviour before there were
options."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class BankOptions(db.Model):
    __tablename__ = "bank_options"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True)
    new_order: Mapped[str] = mapped_column(String(8), default="bank")  # "bank" or "random"
    learning_steps: Mapped[Any] = mapped_column(JSON)  # minutes, e.g. [1, 10]
    relearning_steps: Mapped[Any] = mapped_column(JSON, nullable=True)  # minutes, e.g. [10]; NULL: the default
    leech_threshold: Mapped[int] = mapped_column(default=8)  # lapses that make a card a leech
    leech_action: Mapped[str] = mapped_column(String(8), default="tag")  # "tag" (mark only) or "suspend"
    bury_siblings: Mapped[bool] = mapped_column(default=True)  # a question's other new cards wait a day
