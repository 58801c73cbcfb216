"""State changes of the programme, by area; each in one transaction. Imported from here."""

from starters.services.accompaniments import (
    answer_offer,
    cancel,
    check_content_abstinence,
    complete,
    create_accompaniment,
    create_founding_group,
    default_planned_meetings,
    offer,
    record_follow_up,
    withdraw_offer,
)
from starters.services.documents import (
    check_documents,
    record_agreement,
    record_police_certificate,
    save_document_rules,
)
from starters.services.errors import StarterError
from starters.services.training import (
    activity_summary,
    add_participants,
    complete_participation,
    record_attendance,
    remove_participant,
    request_certificate,
    sign_certificate,
    year_bounds,
)
from starters.services.volunteers import (
    create_starter,
    save_profile,
)

__all__ = [
    "StarterError",
    "activity_summary",
    "add_participants",
    "answer_offer",
    "cancel",
    "check_content_abstinence",
    "check_documents",
    "complete",
    "complete_participation",
    "create_accompaniment",
    "create_founding_group",
    "create_starter",
    "default_planned_meetings",
    "offer",
    "record_agreement",
    "record_attendance",
    "record_follow_up",
    "record_police_certificate",
    "remove_participant",
    "request_certificate",
    "save_document_rules",
    "save_profile",
    "sign_certificate",
    "withdraw_offer",
    "year_bounds",
]
