"""State changes of applications as In-Gang-Setzer:in: received, moved through the
pipeline, declined; and the office's e-mail texts of the steps.

Each move runs in a transaction, locks the application, checks the step it comes from
(the pipeline runs one way: applied -> interview -> training -> active; any open step
may be declined), writes its audit entry and queues the applicant's e-mail, which is
sent after the commit. The database's check constraints guard the same rules.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontaktstelle.accounts.invitations import send_invitation
from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.audit import services as audit
from starters import application_emails
from starters.models import (
    ApplicationEmailText,
    ApplicationStatus,
    CohortParticipation,
    Starter,
    TrainingCohort,
    VolunteerApplication,
)
from starters.services.errors import StarterError
from starters.services.volunteers import _qualify

Status = ApplicationStatus

# The step each move comes from.
PREVIOUS = {
    Status.INTERVIEW: Status.APPLIED,
    Status.TRAINING: Status.INTERVIEW,
    Status.ACTIVE: Status.TRAINING,
}


@transaction.atomic
def receive_application(form, office):
    """Store a visitor's application with the exact consent text; confirm it by e-mail."""
    application = form.save(commit=False)
    application.office = office
    application.status = Status.APPLIED
    application.consent_at = timezone.now()
    application.consent_text = str(form.fields["consent"].label)
    application.save()
    application_emails.send_step_email(application)
    return application


def _lock(acting, application):
    return (
        VolunteerApplication.objects.select_for_update(of=("self",))
        .select_related("office", "cohort")
        .get(pk=application.pk, office=acting.office)
    )


def _check_step(application, step):
    if application.status == Status.ACTIVE:
        raise StarterError(_("This applicant is already an active In-Gang-Setzer:in."))
    if application.status == Status.REJECTED:
        raise StarterError(_("This application has been declined."))
    if application.status != PREVIOUS[step]:
        raise StarterError(
            _("“%(step)s” follows “%(previous)s”; this application is at “%(current)s”.")
            % {
                "step": step.label,
                "previous": PREVIOUS[step].label,
                "current": application.get_status_display(),
            }
        )


def _moved(acting, application, fields):
    application.save(update_fields=[*fields, "updated_at"])
    audit.record(
        acting,
        audit.Action.PERSONAL_DATA_CHANGED,
        target=application,
        changes=[VolunteerApplication._meta.get_field(name).verbose_name for name in fields],
    )
    application_emails.send_step_email(application)
    return application


@transaction.atomic
def arrange_interview(acting, application, interview_at):
    """An interview is agreed: the applicant gets its date and time."""
    application = _lock(acting, application)
    _check_step(application, Status.INTERVIEW)
    application.status = Status.INTERVIEW
    application.interview_at = interview_at
    application.interview_arranged_at = timezone.now()
    return _moved(acting, application, ["status", "interview_at", "interview_arranged_at"])


@transaction.atomic
def start_training(acting, application, cohort):
    """The applicant joins a training cohort of the office."""
    application = _lock(acting, application)
    _check_step(application, Status.TRAINING)
    if cohort.office_id != application.office_id:
        raise StarterError(_("Only a training cohort of your office can be chosen."))
    if cohort.ends_on < timezone.localdate():
        raise StarterError(_("This training cohort has already ended."))
    application.status = Status.TRAINING
    application.cohort = cohort
    application.training_started_at = timezone.now()
    return _moved(acting, application, ["status", "cohort", "training_started_at"])


@transaction.atomic
def activate(acting, application, build_absolute_uri):
    """The training is over: the applicant becomes an active In-Gang-Setzer:in.

    Their profile is created from the application (name, e-mail, phone, town; the times
    they gave go to the staff's notes) with the starter role, or a profile of the office
    with that e-mail address is linked; the cohort is recorded as completed (with its
    qualifications), and the invitation to set a password is sent, unless the person
    has one already.
    """
    application = _lock(acting, application)
    _check_step(application, Status.ACTIVE)
    cohort = TrainingCohort.objects.get(pk=application.cohort_id)
    today = timezone.localdate()
    if cohort.ends_on > today:
        raise StarterError(
            _("The training “%(cohort)s” lasts until %(day)s: activate the applicant afterwards.")
            % {"cohort": cohort.name, "day": cohort.ends_on.strftime("%d.%m.%Y")}
        )
    starter = _starter_for(acting, application)
    participation, _created = CohortParticipation.objects.get_or_create(
        cohort=cohort, starter=starter
    )
    if participation.completed_on is None:
        participation.completed_on = cohort.ends_on
        participation.save(update_fields=["completed_on"])
    _qualify(starter, list(cohort.grants.all()))
    if starter.status != Starter.Status.ACTIVE:
        starter.status = Starter.Status.ACTIVE
        starter.status_since = today
        starter.paused_until = None
        starter.save(update_fields=["status", "status_since", "paused_until", "updated_at"])
    application.status = Status.ACTIVE
    application.starter = starter
    application.closed_at = timezone.now()
    _moved(acting, application, ["status", "starter", "closed_at"])
    if not starter.user.has_usable_password():
        send_invitation(starter.user, acting, build_absolute_uri)
    return application


def _starter_for(acting, application):
    """The office's profile for the applicant's e-mail address, created if there is none."""
    user = User.objects.filter(email__iexact=application.email).first()
    if user is None:
        user = User.objects.create_user(
            email=application.email, name=application.name, password=None
        )
        Membership.objects.create(user=user, role=Membership.Role.STARTER, office=acting.office)
        audit.record(acting, audit.Action.ACCOUNT_CREATED, target=user)
        return Starter.objects.create(
            office=acting.office,
            user=user,
            phone=application.phone,
            towns=application.town,
            status=Starter.Status.ACTIVE,
            notes=_("Times given in the application: %(times)s")
            % {"times": application.availability}
            if application.availability
            else "",
        )
    starter = Starter.objects.select_for_update().filter(user=user, office=acting.office).first()
    if starter is None:
        raise StarterError(
            _(
                "There is already an account with the e-mail address %(email)s, but not of an "
                "In-Gang-Setzer:in of your office. Please ask your office's administration."
            )
            % {"email": application.email}
        )
    if VolunteerApplication.objects.filter(starter=starter).exists():
        raise StarterError(
            _("%(name)s became an In-Gang-Setzer:in through another application already.")
            % {"name": starter.name}
        )
    return starter


@transaction.atomic
def reject(acting, application, reason):
    """Decline an open application with a reason (kept for the office, not sent)."""
    application = _lock(acting, application)
    if not application.is_open:
        raise StarterError(_("Only an open application can be declined."))
    reason = reason.strip()[:300]
    if not reason:
        raise StarterError(_("Please give a reason for declining."))
    application.status = Status.REJECTED
    application.rejection_reason = reason
    application.closed_at = timezone.now()
    return _moved(acting, application, ["status", "rejection_reason", "closed_at"])


@transaction.atomic
def save_email_text(acting, step, subject, body):
    """The office's own wording of a step's e-mail."""
    text, _created = ApplicationEmailText.objects.update_or_create(
        office=acting.office, step=step, defaults={"subject": subject, "body": body}
    )
    return text


@transaction.atomic
def reset_email_text(acting, step):
    """Back to the shipped wording of a step's e-mail."""
    ApplicationEmailText.objects.filter(office=acting.office, step=step).delete()
