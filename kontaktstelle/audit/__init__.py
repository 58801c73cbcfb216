"""The audit trail: who read or changed whose personal data, and exports. Base layer:
imports no app.
"""
