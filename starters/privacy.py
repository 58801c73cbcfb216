"""How the In-Gang-Setzer programme holds personal data: its part of the privacy registry.

Each model's rule, as keyword arguments of ``kontaktstelle.privacy.registry.Rule`` (read
there for what they mean); the registry collects them when it is loaded.
"""

from django.utils import timezone

from starters.models import Starter

RULES = {
    "starters.language": dict(reviewed=("code", "name")),
    "starters.qualification": dict(reviewed=("name",)),
    "starters.starter": dict(
        personal=(
            "phone",
            "towns",
            "notes",
            "calendar_token_hash",
            "paused_until",
            "has_car",
            "uses_public_transport",
            "agreement_signed_on",
            "agreement_renewed_on",
            "consent_given_on",
            "police_certificate_issued_on",
            "police_certificate_seen_on",
            "languages",
            "sites",
            "excluded_topics",  # topics that affect them personally: health data
            "qualifications",
        ),
        links={"user": "blank"},
        erased={
            "status": Starter.Status.RETIRED,
            "status_since": lambda now: timezone.localdate(now),
            "capacity": 0,
        },
    ),
    "starters.availability": dict(links={"starter": "delete"}),
    "starters.trainingcohort": dict(
        reviewed=("name", "place", "trainers"), links={"participants": "keep"}
    ),
    "starters.cohortparticipation": dict(links={"starter": "keep"}),
    "starters.trainingevent": dict(
        reviewed=("title", "place", "trainers"), links={"attendees": "keep"}
    ),
    "starters.attendance": dict(links={"starter": "keep"}),
    "starters.certificate": dict(
        personal=("content",), links={"starter": "delete", "signed_by": "keep"}
    ),
    "starters.accompaniment": dict(
        # "Asked by" names a group member (a role or first name), not someone found here.
        personal=("requested_by",),
        reviewed=(
            "meeting_place",
            "agreement",
            "extension_reason",
            "outcome_note",
            "cancel_reason",
        ),
        links={"responsible": "keep"},
    ),
    "starters.assignment": dict(
        personal=("decline_reason", "choice_reason"),
        links={"starter": "blank", "offered_by": "keep"},
    ),
    # An application as In-Gang-Setzer:in: found by its e-mail address or phone, deleted
    # on erasure; not accepted ones are deleted after their period (``apply_retention``).
    "starters.volunteerapplication": dict(
        personal=(
            "name",
            "email",
            "phone",
            "town",
            "motivation",
            "availability",
            "consent_at",
            "consent_text",
            "interview_at",
            "rejection_reason",
        ),
        contact=("email", "phone"),
        on_contact="delete",
        links={"starter": "delete"},
    ),
    # The office's wording of the e-mails to applicants, with placeholders for names.
    "starters.applicationemailtext": dict(reviewed=("subject", "body")),
    "starters.meetinglog": dict(
        personal=("process_note",),
        reviewed=("worked_on",),
        links={"logged_by": "blank", "accompanied_by": "blank"},
    ),
}
