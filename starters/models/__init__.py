from starters.models.accompaniments import Accompaniment, Assignment
from starters.models.meeting_logs import MeetingLog, MeetingTopic
from starters.models.profiles import (
    EXCHANGE_INTERVAL,
    MAX_CAPACITY,
    Attendance,
    Availability,
    Certificate,
    CohortParticipation,
    Language,
    Qualification,
    Starter,
    TrainingCohort,
    TrainingEvent,
)

__all__ = [
    "EXCHANGE_INTERVAL",
    "MAX_CAPACITY",
    "Accompaniment",
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
]
