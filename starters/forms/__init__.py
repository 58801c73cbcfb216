"""The programme's forms, by area; imported from here."""

from starters.forms.accompaniments import (
    AccompanimentForm,
    AnswerForm,
    CompleteForm,
    ExtendForm,
    FollowUpForm,
    OfferForm,
    ReasonForm,
)
from starters.forms.applications import (
    ApplicationFilterForm,
    ApplicationForm,
    EmailTextForm,
    InterviewForm,
    RejectForm,
    TrainingForm,
)
from starters.forms.documents import (
    AgreementForm,
    DocumentRulesForm,
    PoliceCertificateForm,
)
from starters.forms.meeting_logs import (
    MeetingLogForm,
)
from starters.forms.training import (
    MAX_CERTIFICATE_YEARS,
    CertificateRequestForm,
    CohortForm,
    CompletionForm,
    EventForm,
    QualificationForm,
    StarterChoiceForm,
    TrainingFormMixin,
    starter_choices,
)
from starters.forms.volunteers import (
    AvailabilityForm,
    AvailabilityFormSet,
    BaseAvailabilityFormSet,
    ProfileForm,
    StarterFilterForm,
    StarterForm,
)
from starters.forms.widgets import DATE, TIME

__all__ = [
    "DATE",
    "MAX_CERTIFICATE_YEARS",
    "TIME",
    "AccompanimentForm",
    "AgreementForm",
    "AnswerForm",
    "ApplicationFilterForm",
    "ApplicationForm",
    "AvailabilityForm",
    "AvailabilityFormSet",
    "BaseAvailabilityFormSet",
    "CertificateRequestForm",
    "CohortForm",
    "CompleteForm",
    "CompletionForm",
    "DocumentRulesForm",
    "EmailTextForm",
    "EventForm",
    "ExtendForm",
    "FollowUpForm",
    "InterviewForm",
    "MeetingLogForm",
    "OfferForm",
    "PoliceCertificateForm",
    "ProfileForm",
    "QualificationForm",
    "ReasonForm",
    "RejectForm",
    "StarterChoiceForm",
    "StarterFilterForm",
    "StarterForm",
    "TrainingForm",
    "TrainingFormMixin",
    "starter_choices",
]
