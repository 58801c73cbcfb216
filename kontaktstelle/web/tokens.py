"""One-time and private links: a random token goes into the URL, only its SHA-256 hash
is stored, so the database alone never opens one (invitations, data checks, referral
follow-ups, volunteers' calendar feeds)."""

import hashlib
import secrets


def digest(token):
    """The stored form of a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new():
    """(token for the link, its digest to store)."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)
