"""Notifications in the app and by e-mail, and the outbox of e-mails that must not be lost.
Base layer: imports no app.
"""
