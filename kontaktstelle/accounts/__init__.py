"""Accounts: users, roles (memberships), invitations, two-factor login, login security,
sessions and the security log. Base layer: imports no app.
"""
