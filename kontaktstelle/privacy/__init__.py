"""Data protection duties (GDPR): consent records, the registry of personal data, and a
person's export (Art. 15 and 20) and erasure (Art. 17).

``REGISTRY`` says, for every model of the project and every installed model that points
at a user, which fields hold personal data and what erasure does with the rows that
belong to a person. Export and erasure are driven by it alone, and
``registry_problems`` (run by the tests) reports a model, a relation to a user or a
starter, or a name-like or free-text field that it does not mention, so a new model
cannot be forgotten.
"""

from kontaktstelle.consent.services import (
    PrivacyError,
    record_web_consent,
    sync_consent,
    withdraw_consent,
)
from kontaktstelle.privacy.people import (
    Person,
    anonymise_inquiries,
    erase,
    export,
    find_person,
    normalise_phone,
    overview,
    person_for_account,
    record_export,
)
from kontaktstelle.privacy.registry import BLANK, DELETE, KEEP, REGISTRY, Rule, registry_problems

__all__ = [
    "BLANK",
    "DELETE",
    "KEEP",
    "REGISTRY",
    "Person",
    "PrivacyError",
    "Rule",
    "anonymise_inquiries",
    "erase",
    "export",
    "find_person",
    "normalise_phone",
    "overview",
    "person_for_account",
    "record_export",
    "record_web_consent",
    "registry_problems",
    "sync_consent",
    "withdraw_consent",
]
