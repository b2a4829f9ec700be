"""Login throttling that slows guessing without letting anyone lock an owner out.

A limit on the account alone (every attempt, from anywhere) let a stranger keep any known email
locked: a few wrong tries a minute and the owner, right password in hand, got "too many attempts".
So, after OWASP's authentication guidance (throttle per account *and* source, and let a known-good
path through a global lock):

- per address, every login POST (the route's decorator): stops one machine trying many accounts;
- per (account, address), failures only: one machine guessing one account is stopped after a few
  tries; the password is not even checked then;
- per account from anywhere, failures only, a slower ceiling: many machines guessing one account.
  Past it, an address that has already failed on this account is refused without a check, but a
  *clean* address (the owner's, elsewhere) still has its password checked, and the right one
  logs in. A wrong one from there makes that address refused in turn.

Counters live in the limiter's store (the database by default: shared by every worker) and are
keyed by a hash of the email, so unknown emails count the same as real ones (nothing revealed).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse_many

from ..extensions import client_address, limiter


def _items(setting: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[setting])


@dataclass
class LoginGate:
    email: str
    address: str

    @classmethod
    def for_request(cls, email: str) -> LoginGate:
        return cls(email.strip().lower(), client_address())

    @property
    def enabled(self) -> bool:
        return bool(current_app.config.get("RATELIMIT_ENABLED", True))

    def _account(self) -> str:
        return "login-fail:" + hashlib.sha256(self.email.encode()).hexdigest()[:32]

    def _pair(self) -> tuple[str, str]:
        return self._account(), self.address

    def _blocked(self, setting: str, *ids: str) -> bool:
        return any(not limiter.limiter.test(item, *ids) for item in _items(setting))

    def _has_failed_here(self) -> bool:
        return any(limiter.limiter.get_window_stats(item, *self._pair()).remaining < item.amount
                   for item in _items("LOGIN_LIMITS_PER_ACCOUNT_ADDRESS"))

    def refuses(self) -> bool:
        """True when this attempt is refused before the password is checked."""
        if not self.enabled:
            return False
        if self._blocked("LOGIN_LIMITS_PER_ACCOUNT_ADDRESS", *self._pair()):
            return True
        return self._blocked("LOGIN_LIMITS_PER_ACCOUNT", self._account()) and self._has_failed_here()

    def failed(self) -> None:
        if not self.enabled:
            return
        for item in _items("LOGIN_LIMITS_PER_ACCOUNT_ADDRESS"):
            limiter.limiter.hit(item, *self._pair())
        for item in _items("LOGIN_LIMITS_PER_ACCOUNT"):
            limiter.limiter.hit(item, self._account())

    def succeeded(self) -> None:
        """The owner's own earlier typos from this address are forgiven."""
        if not self.enabled:
            return
        for item in _items("LOGIN_LIMITS_PER_ACCOUNT_ADDRESS"):
            limiter.limiter.clear(item, *self._pair())


@dataclass
class RecipientGate:
    """Mails a signed-out visitor can cause to one address (reset links, registration notices,
    confirmation links sent again): a few an hour, so nobody can fill a stranger's inbox. Keyed by
    a hash of the address typed, known or not, and checked the same way for both: when the limit
    is reached nothing is sent and the visitor's answer does not change (only the log says so)."""

    email: str

    def allows(self) -> bool:
        """Counts this mail; False when the address has had its share."""
        if not current_app.config.get("RATELIMIT_ENABLED", True):
            return True
        key = "mail-to:" + hashlib.sha256(self.email.strip().lower().encode()).hexdigest()[:32]
        allowed = all([limiter.limiter.hit(item, key) for item in _items("MAIL_LIMITS_PER_RECIPIENT")])
        if not allowed:
            current_app.logger.warning("no mail sent: %s has had its share of mails for now", key)
        return allowed
