from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StartersConfig(AppConfig):
    name = "starters"
    verbose_name = _("In-Gang-Setzer:innen")

    def ready(self):
        # Connect the receiver that flags topic changes conflicting with open offers.
        from starters import signals  # noqa: F401
