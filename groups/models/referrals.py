"""The follow-up of a referral to groups (Rückmeldung zur Vermittlung).

With the person's consent, four weeks after a consultation that referred them to groups
they get one e-mail asking whether they got there. Their address is the only personal
datum and is erased at once after the answer, or when the link expires (eight weeks
after the consultation). The answers stay, per referred group, without the address.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groups.models.groups import Group
from groups.models.inquiries import Consultation
from kontaktstelle.offices.models import OfficeScopedQuerySet


class ReferralFollowUpQuerySet(OfficeScopedQuerySet):
    office_lookup = "consultation__office"


class ReferralFollowUp(models.Model):
    """One consultation's follow-up e-mail: the address until the answer, then nothing.

    Only the SHA-256 hash of the one-time link is stored, from the moment it is sent.
    """

    consultation = models.OneToOneField(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="follow_up",
    )
    email = models.EmailField(
        _("e-mail address for the follow-up"),
        blank=True,
        help_text=_("Erased at once after the answer, or when the link expires."),
    )
    # NULL, not "": follow-ups not sent yet must not collide.
    token_hash = models.CharField(
        _("token hash"), max_length=64, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(_("consent recorded"), auto_now_add=True)
    sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = ReferralFollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral follow-up")
        verbose_name_plural = _("referral follow-ups")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Once answered, the address is gone: no row can hold both.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(email=""),
                name="groups_referralfollowup_no_address_after_answer",
            ),
            # A link is only made when the e-mail is sent.
            models.CheckConstraint(
                condition=Q(token_hash__isnull=True) | Q(sent_at__isnull=False),
                name="groups_referralfollowup_token_when_sent",
            ),
        ]

    def __str__(self):
        return f"{self.consultation} ({self.pk})"


class ReferralAnswer(models.Model):
    """What the person said about one group they were referred to: no address, no name."""

    class Answer(models.TextChoices):
        ARRIVED = "arrived", _("I went there")
        NOT_MADE_IT = "not_made_it", _("I did not make it")
        NOT_SUITABLE = "not_suitable", _("The group did not suit me")

    follow_up = models.ForeignKey(
        ReferralFollowUp,
        verbose_name=_("referral follow-up"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        related_name="referral_answers",
        null=True,
    )
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices)

    class Meta:
        verbose_name = _("answer to a referral follow-up")
        verbose_name_plural = _("answers to referral follow-ups")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "group"], name="groups_referralanswer_one_per_group"
            ),
        ]

    def __str__(self):
        return self.get_answer_display()
