"""How the group directory holds personal data: its part of the privacy registry.

Each model's rule, as keyword arguments of ``kontaktstelle.privacy.registry.Rule`` (read
there for what they mean); the registry collects them when it is loaded, and a test
fails for any model, relation to a person or name-like field no rule mentions.
"""

from groups.models import Group

# A request's personal data: what consent withdrawal and retention remove. A founding
# interest's topics, postcode area and consent to be matched go with it: once removed,
# it no longer counts in the founding-interest exchange.
INQUIRY_PERSONAL = (
    "name",
    "email",
    "phone",
    "topic",
    "message",
    "topics",
    "postcode_area",
    "match_consent_at",
)

RULES = {
    "groups.topiccategory": dict(reviewed=("name", "slug")),
    "groups.topic": dict(reviewed=("name",)),
    "groups.synonym": dict(reviewed=("term",)),
    "groups.group": dict(
        # The group's contact person and its own address; staff notes may name them.
        personal=(
            "contact_name",
            "contact_email",
            "contact_phone",
            "public_email",
            "public_phone",
            "internal_notes",
        ),
        reviewed=(
            "name",
            "slug",
            "description",
            "languages",
            "schedule",
            "street",
            "postcode",
            "city",
            "district",
            "consent_scope",
        ),
        contact=("contact_email", "public_email", "contact_phone", "public_phone"),
        erased={"contact_route": Group.ContactRoute.OFFICE},
    ),
    "groups.groupchange": dict(reviewed=("fields",), links={"user": "keep"}),
    # The public group's words and its name in lower case (as on its public page).
    "groups.groupsearchterm": dict(reviewed=("term", "sort_name")),
    "groups.inquiry": dict(
        links={"assigned_to": "keep"},
        personal=INQUIRY_PERSONAL,
        contact=("email", "phone"),
        erased={"anonymised_at": lambda now: now},
    ),
    "groups.consultation": dict(links={"created_by": "keep"}),  # anonymous by design
    # The founding-interest exchange: an office, a topic and whether its count is high.
    "groups.foundingalert": dict(),
    # The yearly check: proposed public fields of the group until staff reviewed them.
    # Proposed values may hold the group's own e-mail address or phone: found and erased
    # with the group's contact data.
    # Search words only, per office and month: no address, session or finer time.
    "groups.missedsearch": dict(reviewed=("query",)),
    # When and where a group meets; the notes and reasons are the office's words.
    "groups.meetingrule": dict(reviewed=("weeks_of_month", "note")),
    "groups.meetingdate": dict(),
    "groups.meetingpause": dict(reviewed=("reason",)),
    "groups.verification": dict(
        links={"reviewed_by": "keep"},
        personal=("proposed",),
        reviewed=("accepted_fields", "token_hash"),
        via={"group": "groups.group"},
        office_path="group__office",
        erased={"proposed": lambda now: {}},
    ),
    # A referral's follow-up: the person's address until they answer or the link expires.
    "groups.referralfollowup": dict(
        personal=("email",),
        reviewed=("token_hash",),
        contact=("email",),
        office_path="consultation__office",
    ),
    # Answers per referred group: no address, no name; the person's while the address is.
    "groups.referralanswer": dict(
        via={"follow_up": "groups.referralfollowup"},
        office_path="follow_up__consultation__office",
    ),
}
