"""Typed models by area. Models hold data only: no url_for, no commits (services commit)."""
from .bank_options import BankOptions
from .classes import Assignment, Classroom, Membership
from .content import Bank, Document, Media, Question
from .imports import ImportJob
from .modes import MatchBest
from .reviews import Card, FirstAnswerStats, QuizAttempt, QuizItem, ReviewLog
from .throttle import RateLimitCounter
from .users import LoginSession, User

__all__ = ["Assignment", "Bank", "BankOptions", "Card", "Classroom", "Document", "FirstAnswerStats", "ImportJob",
           "LoginSession",
           "MatchBest", "Media", "Membership",
           "Question", "QuizAttempt", "QuizItem", "RateLimitCounter", "ReviewLog", "User"]
