from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StartersConfig(AppConfig):
    name = "starters"
    verbose_name = _("In-Gang-Setzer:innen")
