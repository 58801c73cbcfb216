"""The group directory's forms: the staff's and the visitors'. Imported from here."""

from groups.forms.exchange import (
    ExchangeFilterForm,
    NetworkRequestForm,
    StaffFoundingInterestForm,
)
from groups.forms.public import (
    ContactRequestForm,
    CorrectionForm,
    DirectoryFilterForm,
    FoundingInterestForm,
    VisitorForm,
)
from groups.forms.staff import (
    TOPIC_SEPARATOR,
    ConsultationForm,
    FocusedRadioSelect,
    GroupFilterForm,
    GroupForm,
    ImportForm,
    SynonymForm,
    TopicForm,
)

__all__ = [
    "TOPIC_SEPARATOR",
    "ConsultationForm",
    "ContactRequestForm",
    "CorrectionForm",
    "DirectoryFilterForm",
    "ExchangeFilterForm",
    "FocusedRadioSelect",
    "FoundingInterestForm",
    "GroupFilterForm",
    "GroupForm",
    "ImportForm",
    "NetworkRequestForm",
    "StaffFoundingInterestForm",
    "SynonymForm",
    "TopicForm",
    "VisitorForm",
]
