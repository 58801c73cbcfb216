"""The group directory's forms: the staff's and the visitors'. Imported from here."""

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
    "FocusedRadioSelect",
    "FoundingInterestForm",
    "GroupFilterForm",
    "GroupForm",
    "ImportForm",
    "SynonymForm",
    "TopicForm",
    "VisitorForm",
]
