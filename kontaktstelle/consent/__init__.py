"""Consent records: the model, the staff's field for how a consent was given, and the
services that record, keep in step and withdraw consents. Base layer: imports no app;
each kind of subject (a group, a request, a volunteer) is registered where the apps are
known (``kontaktstelle/privacy/consent.py``).
"""
