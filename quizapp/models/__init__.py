"""Typed models by area. Models hold data only: no url_for, no commits (services commit)."""
from .content import Bank, Media, Question
from .reviews import Card, QuizAttempt, QuizItem, ReviewLog
from .users import LoginSession, User

__all__ = ["Bank", "Card", "LoginSession", "Media", "Question", "QuizAttempt", "QuizItem", "ReviewLog", "User"]
