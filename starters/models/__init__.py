from starters.models.accompaniments import Accompaniment, Assignment
from starters.models.applications import (
    ApplicationEmailText,
    ApplicationStatus,
    VolunteerApplication,
)
from starters.models.meeting_logs import MeetingLog, MeetingTopic
from starters.models.profiles import (
    EXCHANGE_INTERVAL,
    MAX_CAPACITY,
    Availability,
    Language,
    Qualification,
    Starter,
)
from starters.models.training import (
    Attendance,
    Certificate,
    CohortParticipation,
    TrainingCohort,
    TrainingEvent,
)

__all__ = [
    "EXCHANGE_INTERVAL",
    "MAX_CAPACITY",
    "Accompaniment",
    "ApplicationEmailText",
    "ApplicationStatus",
    "Assignment",
    "Attendance",
    "Availability",
    "Certificate",
    "CohortParticipation",
    "Language",
    "MeetingLog",
    "MeetingTopic",
    "Qualification",
    "Starter",
    "TrainingCohort",
    "TrainingEvent",
    "VolunteerApplication",
]
