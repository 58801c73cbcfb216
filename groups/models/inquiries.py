"""What reaches the office about groups: web requests (inquiries) and consultations."""

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models.groups import Group
from groups.models.topics import Topic
from kontaktstelle.offices.models import Office, OfficeScopedQuerySet, Site


class InquiryQuerySet(OfficeScopedQuerySet):
    def matchable(self, now=None):
        """Founding interests that may be counted in the founding-interest exchange.

        The person consented to be matched and gave a postcode area; the request still
        holds its data (not anonymised) and is not past its retention period, even if
        ``apply_retention`` has not run yet (the same periods as
        ``kontaktstelle.privacy.retention.inquiries``).
        """
        now = now or timezone.now()
        days = settings.RETENTION_DAYS
        return self.filter(
            kind=Inquiry.Kind.FOUNDING_INTEREST,
            match_consent_at__isnull=False,
            anonymised_at__isnull=True,
            created_at__gte=now - datetime.timedelta(days=days["inquiry_unanswered"]),
        ).exclude(answered_at__lt=now - datetime.timedelta(days=days["inquiry_answered"]))


class Inquiry(models.Model):
    """A request that reaches the office's inbox: from the web forms, later also by phone.

    Holds only what the office needs to answer; the visitor's consent is recorded.
    """

    class Kind(models.TextChoices):
        CONTACT_REQUEST = "contact_request", _("contact request for a group")
        FOUNDING_INTEREST = "founding_interest", _("founding interest")
        CORRECTION = "correction", _("correction hint for a group")
        NETWORK_REQUEST = "network_request", _("request from another office")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

        @classmethod
        def open_states(cls):
            return [cls.NEW, cls.IN_PROGRESS]

    class Asker(models.TextChoices):
        AFFECTED = "affected", _("for myself")
        RELATIVE = "relative", _("as a relative or friend")
        PROFESSIONAL = "professional", _("as a professional")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="inquiries"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        related_name="inquiries",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    # The founding-interest exchange: thesaurus topics, where (never finer than the first
    # three digits of the postcode) and whether the person may be matched with others.
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="inquiries", blank=True
    )
    postcode_area = models.CharField(
        _("postcode area"),
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{3}$", _("A postcode area is three digits."))],
        help_text=_("The first three digits of the postcode; the full postcode is not stored."),
    )
    match_consent_at = models.DateTimeField(
        _("consent to be matched with others given at"),
        null=True,
        blank=True,
        help_text=_(
            "Counted without name in the founding-interest exchange of the network, so that "
            "the offices can bring people on the same topic together."
        ),
    )
    # A network request: the office that asks this one to bring people together.
    from_office = models.ForeignKey(
        Office,
        verbose_name=_("from office"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    consent_at = models.DateTimeField(_("consent to data processing given at"))
    asker = models.CharField(
        _("asking"), max_length=20, choices=Asker.choices, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member in charge"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    answered_at = models.DateTimeField(
        _("answered"),
        null=True,
        blank=True,
        help_text=_("Counted as a consultation or turned into a group; retention runs from here."),
    )
    anonymised_at = models.DateTimeField(
        _("personal data removed"),
        null=True,
        blank=True,
        help_text=_("Name, contact data and message were removed; the request still counts."),
    )

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="")
                | ~Q(phone="")
                | Q(anonymised_at__isnull=False)
                | Q(kind="network_request"),
                name="groups_inquiry_email_or_phone",
                violation_error_message=_("Please give an e-mail address or a phone number."),
            ),
            # A network request carries no person's data: the office asks the office.
            models.CheckConstraint(
                condition=~Q(kind="network_request")
                | Q(from_office__isnull=False, email="", phone="", match_consent_at__isnull=True),
                name="groups_inquiry_network_request_without_contact",
            ),
            models.CheckConstraint(
                condition=Q(match_consent_at__isnull=True) | ~Q(postcode_area=""),
                name="groups_inquiry_match_needs_postcode_area",
                violation_error_message=_("To be matched with others, please give your postcode."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["postcode_area"],
                condition=Q(match_consent_at__isnull=False, anonymised_at__isnull=True),
                name="groups_inquiry_matchable",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def audit_label(self):
        """How the audit trail names a request: without the visitor's name, which it outlives."""
        return f"{self.get_kind_display()} #{self.pk}"


class ConsultationQuerySet(OfficeScopedQuerySet):
    pass


class Consultation(models.Model):
    """One consultation of someone looking for a group: anonymous, counted for funders.

    No name, no contact data and nothing of what was said: only what the statistics
    need (when, where, how, who asks, which topics, what came of it).
    """

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        IN_PERSON = "in_person", _("in person")
        EMAIL = "email", _("e-mail")
        WEB_FORM = "web_form", _("web form")
        OUTREACH = "outreach", _("outreach event")

    class Asker(models.TextChoices):
        AFFECTED = "affected", _("affected")
        RELATIVE = "relative", _("relative")
        PROFESSIONAL = "professional", _("professional")
        OTHER = "other", _("other")

    class Counselling(models.TextChoices):
        ADDICTION = "addiction", _("addiction counselling")
        PSYCHOSOCIAL = "psychosocial", _("psychosocial counselling")
        PSYCHOTHERAPY = "psychotherapy", _("psychotherapy")
        MEDICAL = "medical", _("medical care")
        SOCIAL = "social", _("social counselling")
        FAMILY = "family", _("family or couple counselling")
        OTHER = "other", _("other counselling")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="consultations"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.SET_NULL,
        related_name="consultations",
        null=True,
        blank=True,
    )
    held_on = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    asker = models.CharField(_("who asks"), max_length=20, choices=Asker.choices)
    young = models.BooleanField(
        _("young self-help"), default=False, help_text=_("The person asking is 18 to 35.")
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="consultations", blank=True
    )
    referred_groups = models.ManyToManyField(
        Group,
        verbose_name=_("referred to groups"),
        related_name="referrals",
        blank=True,
    )
    counselling = models.CharField(
        _("referred to professional counselling"),
        max_length=20,
        choices=Counselling.choices,
        blank=True,
    )
    founding_interest = models.BooleanField(_("founding interest"), default=False)
    information_only = models.BooleanField(_("information only"), default=False)
    inquiry = models.OneToOneField(
        Inquiry,
        verbose_name=_("from the web request"),
        on_delete=models.SET_NULL,
        related_name="consultation",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["office", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(information_only=True) | Q(counselling="", founding_interest=False),
                name="groups_consultation_information_only_alone",
                violation_error_message=_(
                    "“Information only” cannot go with a referral or a founding interest."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.held_on:%d.%m.%Y} {self.get_channel_display()}"
