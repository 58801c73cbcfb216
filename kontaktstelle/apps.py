from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class KontaktstelleConfig(AppConfig):
    default = True
    name = "kontaktstelle"
    verbose_name = _("Offices and users")

    def ready(self):
        from kontaktstelle.web import lookups

        lookups.register()
        # Connect the signal receivers of the login, session and page cache modules.
        from kontaktstelle.accounts import security_log, sessions, two_factor  # noqa: F401
        from kontaktstelle.offices import signals  # noqa: F401

        # The apps' kinds of consent, known to the base's consent services. This is
        # where the project is put together, like urls.py, so it may know the apps.
        from kontaktstelle.privacy.consent import register_subjects

        register_subjects()


class KontaktstelleAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "kontaktstelle.admin_site.KontaktstelleAdminSite"
