"""An office's legal pages: privacy notice, imprint, accessibility statement.

Each is plain text that the office admin edits; until then the page shows a shipped
template with the office's name and address filled in. The template says in its first
paragraph that it is one, and its square brackets mark what the office must fill in.
"""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from kontaktstelle.audit import services as audit
from kontaktstelle.offices.models import LegalText

Kind = LegalText.Kind

# The German address of each page, e.g. /impressum/ and /kontaktstellen/<slug>/impressum/.
SEGMENTS = {
    Kind.PRIVACY: "datenschutz",
    Kind.IMPRINT: "impressum",
    Kind.ACCESSIBILITY: "barrierefreiheit",
}
KINDS = {segment: kind for kind, segment in SEGMENTS.items()}


class PageConverter:
    """URL converter ``<legal:kind>``: "impressum" in the address, ``Kind.IMPRINT`` in views."""

    regex = "|".join(SEGMENTS.values())

    def to_python(self, value):
        return KINDS[value]

    def to_url(self, value):
        return SEGMENTS[Kind(value)]


def contact_email(office):
    """Where feedback goes: the office's address, else the first site's that has one."""
    if office.email:
        return office.email
    return next((site.email for site in office.sites.all() if site.email), "")


def contact_phone(office):
    if office.phone:
        return office.phone
    return next((site.phone for site in office.sites.all() if site.phone), "")


def _contact_block(office):
    site = next(iter(office.sites.all()), None)
    lines = [office.name]
    if site:
        lines += [site.street, f"{site.postcode} {site.city}"]
    else:
        lines.append(_("[street and number, postcode and town]"))
    if email := contact_email(office):
        lines.append(f"{_('E-mail')}: {email}")
    if phone := contact_phone(office):
        lines.append(f"{_('Phone')}: {phone}")
    return "\n".join(lines)


def _template_note():
    return _(
        "[Template: please adapt this text to your office, have it checked and then "
        "delete this note. Square brackets mark what you need to fill in.]"
    )


def _privacy(office):
    return [
        _template_note(),
        _("Who is responsible for your data") + "\n" + _contact_block(office),
        _(
            "Data protection officer: [name and contact details of the data protection "
            "officer, if one is appointed]"
        ),
        _(
            "When you visit this website, the server processes your IP address, the time, "
            "the page you asked for and technical details of your browser, to deliver the "
            "pages and to keep them secure (Art. 6 (1) (f) GDPR). These server logs are "
            "deleted after [7] days."
        ),
        _(
            "This website sets only the cookies it needs to work: one keeps you logged in, "
            "one protects forms against misuse, one remembers the language you chose. It "
            "uses no tracking and no analysis tools and loads nothing from other providers."
        ),
        _(
            "If you ask us to put you in touch with a group or tell us that you would like "
            "to found one, we process what you give us (name, e-mail address or phone "
            "number, topic, message) to answer you, based on your consent (Art. 6 (1) (a) "
            "GDPR). You can withdraw your consent at any time with effect for the future. "
            "We delete your request when it has been dealt with, at the latest after [12] "
            "months."
        ),
        _(
            "We keep the data of our volunteers (In-Gang-Setzer:innen) and the user "
            "accounts of our staff for our work together (Art. 6 (1) (b) GDPR) and delete "
            "them when it has ended and no retention period of the law applies. Who "
            "downloaded an export and who changed personal data or permissions is logged, "
            "so that we can show that data is handled properly."
        ),
        _(
            "We pass your data on to others only if you agreed or the law requires it. "
            "Our hosting provider processes data on our behalf under a data processing "
            "agreement (Art. 28 GDPR): [name and address of the hosting provider]"
        ),
        _(
            "You have the right to access your data (Art. 15 GDPR), to have it corrected "
            "(Art. 16) or erased (Art. 17), to restrict its processing (Art. 18), to data "
            "portability (Art. 20) and to object to its processing (Art. 21). Please write "
            "to us at the address above."
        ),
        _(
            "You have the right to lodge a complaint with a data protection supervisory "
            "authority, for example the one of your federal state: [name and address of "
            "the supervisory authority]"
        ),
    ]


def _imprint(office):
    return [
        _template_note(),
        _("Information according to § 5 DDG") + "\n" + _contact_block(office),
        "\n".join(
            [
                _(
                    "Run by: [name and legal form of the organisation running the office, "
                    "e.g. a registered association]"
                ),
                _("Represented by: [names of the persons authorised to represent it]"),
                _("Register entry: [register court and number, if any]"),
                _("VAT identification number: [if any]"),
            ]
        ),
        _("Responsible for the content according to § 18 (2) MStV: [name and address]"),
        _(
            "We keep the information on self-help groups with care, but cannot guarantee "
            "that it is complete and up to date. The operators of linked websites are "
            "responsible for their content."
        ),
    ]


def _accessibility(office):
    return [
        _template_note(),
        _(
            "%(office)s wants its website to be accessible in accordance with the "
            "Behindertengleichstellungsgesetz (BGG) and the Barrierefreie-"
            "Informationstechnik-Verordnung (BITV 2.0), which implement Directive (EU) "
            "2016/2102."
        )
        % {"office": office.name},
        _(
            "State of compliance: this website is [fully / partially] compliant with BITV "
            "2.0. It was built to meet WCAG 2.1 level AA: it can be used with the keyboard "
            "and with screen readers, has sufficient contrast and adapts to small screens."
        ),
        _(
            "Content that is not accessible: [which content is not accessible yet, why, "
            "and which accessible alternative there is]"
        ),
        _(
            "This statement was prepared on [date] on the basis of [a self-assessment / a "
            "test by …]. It was last reviewed on [date]."
        ),
    ]


DEFAULTS = {
    Kind.PRIVACY: _privacy,
    Kind.IMPRINT: _imprint,
    Kind.ACCESSIBILITY: _accessibility,
}


def default_text(kind, office):
    """The shipped template of a legal text, in the current language, for this office."""
    return "\n\n".join(DEFAULTS[kind](office))


def current_text(office, kind):
    """The office's saved text, or None while the template is shown."""
    return LegalText.objects.filter(office=office, kind=kind).first()


PLACEHOLDER = re.compile(r"\[[^\]\n]{2,}\]")


def kinds_with_placeholders(office):
    """The legal pages whose public text (saved, or the shipped template) still has a
    placeholder in square brackets, such as "[Name of the responsible person]"."""
    saved = {text.kind: text.body for text in LegalText.objects.filter(office=office)}
    return [
        kind
        for kind in Kind
        if PLACEHOLDER.search(saved[kind] if kind in saved else default_text(kind, office))
    ]


@transaction.atomic
def save_legal_text(acting, kind, body):
    """Save the text of the acting office admin's office and audit it.

    An unchanged text writes nothing; a changed one records the change, not the text.
    """
    legal_text, created = LegalText.objects.select_for_update().get_or_create(
        office=acting.office, kind=kind, defaults={"body": body, "updated_by": acting}
    )
    if not created:
        if legal_text.body == body:
            return legal_text
        legal_text.body = body
        legal_text.updated_by = acting
        legal_text.save(update_fields=["body", "updated_by", "updated_at"])
    audit.record(
        acting,
        audit.Action.LEGAL_TEXT_CHANGED,
        target=legal_text,
        changes=[LegalText._meta.get_field("body").verbose_name],
    )
    return legal_text
