"""Typed models by area. Models hold data only: no url_for, no commits (services commit)."""
from .classes import Assignment, Classroom, Membership
from .content import Bank, Document, Media, Question
from .imports import ImportJob
from .reviews import Card, FirstAnswerStats, QuizAttempt, QuizItem, ReviewLog
from .throttle import RateLimitCounter
from .users import LoginSession, User

__all__ = ["Assignment", "Bank", "Card", "Classroom", "Document", "FirstAnswerStats", "ImportJob", "LoginSession",
           "Media", "Membership",
           "Question", "QuizAttempt", "QuizItem", "RateLimitCounter", "ReviewLog", "User"]
