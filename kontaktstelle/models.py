"""The models of the core app, for Django: each is defined in the package of its concern
(accounts, offices, audit, notifications, web, consent) and imported here."""

from kontaktstelle.accounts.models import (  # noqa: F401
    Invitation,
    InvitationQuerySet,
    Membership,
    User,
    UserManager,
)
from kontaktstelle.audit.models import AuditEntry, AuditEntryError, AuditEntryQuerySet  # noqa: F401
from kontaktstelle.consent.models import Consent  # noqa: F401
from kontaktstelle.notifications.models import (  # noqa: F401
    Notification,
    NotificationPreference,
    OutgoingEmail,
)
from kontaktstelle.offices.models import (  # noqa: F401
    LegalText,
    LegalTextQuerySet,
    Network,
    Office,
    OfficeScopedQuerySet,
    Room,
    RoomQuerySet,
    Site,
    SiteQuerySet,
)
from kontaktstelle.web.models import CacheVersion, RateLimitEvent  # noqa: F401
