"""The models of the group directory, by concern; Django finds them here."""

from groups.models.exchange import FoundingAlert
from groups.models.groups import (
    CONFIRMATION_INTERVAL,
    Group,
    GroupChange,
    GroupQuerySet,
    GroupSearchTerm,
)
from groups.models.inquiries import (
    Consultation,
    ConsultationQuerySet,
    Inquiry,
    InquiryQuerySet,
)
from groups.models.referrals import ReferralAnswer, ReferralFollowUp, ReferralFollowUpQuerySet
from groups.models.schedules import MeetingDate, MeetingPause, MeetingRule
from groups.models.searches import MissedSearch, MissedSearchQuerySet
from groups.models.topics import (
    Synonym,
    Topic,
    TopicCategory,
    TopicQuerySet,
)
from groups.models.verification import Verification, VerificationQuerySet

__all__ = [
    "CONFIRMATION_INTERVAL",
    "Consultation",
    "ConsultationQuerySet",
    "FoundingAlert",
    "Group",
    "GroupChange",
    "GroupQuerySet",
    "GroupSearchTerm",
    "Inquiry",
    "InquiryQuerySet",
    "MeetingDate",
    "MeetingPause",
    "MeetingRule",
    "MissedSearch",
    "MissedSearchQuerySet",
    "ReferralAnswer",
    "ReferralFollowUp",
    "ReferralFollowUpQuerySet",
    "Synonym",
    "Topic",
    "TopicCategory",
    "TopicQuerySet",
    "Verification",
    "VerificationQuerySet",
]
