from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.demo.applications import seed_applications
from kontaktstelle.demo.consultations import PER_YEAR, seed_consultations
from kontaktstelle.demo.exchange import seed_founding_interests
from kontaktstelle.demo.groups import GROUPS, SECOND_OFFICE, UNLISTED, seed_groups
from kontaktstelle.demo.programme import programme_summary, seed_accompaniments
from kontaktstelle.demo.starters import seed_starters, starters_summary
from kontaktstelle.offices.models import Network, Office, Room, Site

# Published in the README: demo systems only (the command refuses production).
DEMO_PASSWORD = "demo-Kontakt-2026"  # noqa: S105 - published demo password  # nosec B105

NETWORK = "In-Gang-Setzer-Netzwerk (Demo)"

OFFICES = [
    {
        "slug": "musterstadt",
        "name": "Selbsthilfe-Kontaktstelle Musterstadt",
        "email": "kontakt@kiss-musterstadt.example",
        "phone": "0123 456780",
        # Its volunteers show an extended police certificate (one of them has not yet).
        "requires_police_certificate": True,
        "introduction": (
            "Wir beraten Sie kostenlos und vertraulich zu Selbsthilfegruppen in Musterstadt, "
            "vermitteln Ihnen den Kontakt zu einer Gruppe und unterstützen Sie, wenn Sie eine "
            "neue Gruppe gründen möchten."
        ),
        "sites": [
            {
                "name": "Standort Mitte",
                "street": "Lindenstraße 12",
                "postcode": "12043",  # real postcode areas, for "near me"
                "city": "Musterstadt",
                "phone": "0123 456780",
                "email": "mitte@kiss-musterstadt.example",
                "opening_hours": "Mo, Mi 9–13 Uhr\nDi, Do 14–18 Uhr",
                "rooms": [
                    ("Gruppenraum 1", 14, True, True, True),
                    ("Gruppenraum 2", 10, True, True, False),
                    ("Kleiner Raum", 6, False, False, False),
                ],
            },
            {
                "name": "Standort Nord",
                "street": "Am Markt 3",
                "postcode": "12347",
                "city": "Musterstadt-Nord",
                "phone": "0123 456790",
                "email": "nord@kiss-musterstadt.example",
                "opening_hours": "Di 10–16 Uhr\nDo 13–17 Uhr",
                "rooms": [("Raum Linde", 12, True, True, False)],
            },
            {
                "name": "Standort Süd",
                "street": "Bahnhofstraße 45",
                "postcode": "12349",
                "city": "Musterstadt-Süd",
                "phone": "0123 456799",
                "email": "sued@kiss-musterstadt.example",
                "opening_hours": "Mi 14–18 Uhr",
                "rooms": [
                    ("Raum Eiche", 16, True, False, True),
                    ("Raum Ahorn", 8, False, False, False),
                ],
            },
        ],
        "users": [
            ("leitung@kiss-musterstadt.example", "Petra Leitner", Membership.Role.OFFICE_ADMIN),
            ("fachkraft@kiss-musterstadt.example", "Jonas Berger", Membership.Role.STAFF),
            ("fachkraft2@kiss-musterstadt.example", "Aylin Demir", Membership.Role.STAFF),
            ("igs1@kiss-musterstadt.example", "Maria Schneider", Membership.Role.STARTER),
            ("igs2@kiss-musterstadt.example", "Thomas Weber", Membership.Role.STARTER),
            ("igs3@kiss-musterstadt.example", "Sabine Hoffmann", Membership.Role.STARTER),
            ("igs4@kiss-musterstadt.example", "Kemal Yıldız", Membership.Role.STARTER),
            ("igs5@kiss-musterstadt.example", "Renate Fischer", Membership.Role.STARTER),
        ],
    },
    {
        "slug": "beispielkreis",
        "name": "Selbsthilfebüro Beispielkreis",
        "email": "info@selbsthilfe-beispielkreis.example",
        "phone": "0987 65430",
        "introduction": "",
        "sites": [
            {
                "name": "Selbsthilfebüro Beispielkreis",
                "street": "Kirchplatz 1",
                "postcode": "14467",
                "city": "Beispielheim",
                "phone": "0987 65430",
                "email": "info@selbsthilfe-beispielkreis.example",
                "opening_hours": "Mo–Do 9–12 Uhr",
                "rooms": [("Gruppenraum", 12, True, True, False)],
            },
        ],
        "users": [
            (
                "leitung@selbsthilfe-beispielkreis.example",
                "Uwe Krämer",
                Membership.Role.OFFICE_ADMIN,
            ),
            ("fachkraft@selbsthilfe-beispielkreis.example", "Lena Vogt", Membership.Role.STAFF),
            ("igs@selbsthilfe-beispielkreis.example", "Hans Becker", Membership.Role.STARTER),
        ],
    },
]

COORDINATOR = ("koordination@igs-netzwerk.example", "Claudia Neumann")


class Command(BaseCommand):
    help = (
        "Builds demo offices, sites, rooms, users, groups and starters with their training "
        "record. Safe to run again: existing demo records are left as they are. Refuses to "
        "run with debug off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with debug off (never on a production database).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo adds demo users with a published password. Debug is off, so "
                "this looks like a production system; nothing was changed. Run it with "
                "DJANGO_DEBUG=true, or pass --force if this really is a demo system."
            )
        with transaction.atomic():
            created = self._seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready ({created} new records).")
            if created
            else "Demo data already present; nothing changed."
        )
        self.stdout.write(starters_summary())
        self.stdout.write(programme_summary())
        self.stdout.write(self.logins_text())

    def _seed(self):
        created = 0
        network, new = Network.objects.get_or_create(name=NETWORK)
        created += new
        for spec in OFFICES:
            office, new = Office.objects.get_or_create(
                slug=spec["slug"],
                defaults={
                    "name": spec["name"],
                    "network": network,
                    "email": spec["email"],
                    "phone": spec["phone"],
                    "introduction": spec["introduction"],
                    "requires_police_certificate": spec.get("requires_police_certificate", False),
                },
            )
            created += new
            for site_spec in spec["sites"]:
                site_fields = {k: v for k, v in site_spec.items() if k not in ("name", "rooms")}
                site, new = Site.objects.get_or_create(
                    office=office, name=site_spec["name"], defaults=site_fields
                )
                created += new
                for name, capacity, step_free, toilet, loop in site_spec["rooms"]:
                    _room, new = Room.objects.get_or_create(
                        site=site,
                        name=name,
                        defaults={
                            "capacity": capacity,
                            "step_free": step_free,
                            "accessible_toilet": toilet,
                            "hearing_loop": loop,
                        },
                    )
                    created += new
            for email, name, role in spec["users"]:
                created += self._user(email, name, role=role, office=office)
            if spec["slug"] == "musterstadt":
                created += seed_groups(office, GROUPS, UNLISTED)
            else:
                created += seed_groups(office, SECOND_OFFICE)
            created += seed_starters(office, DEMO_PASSWORD)
            created += seed_accompaniments(office)
            created += seed_applications(office)
            created += seed_consultations(
                office, PER_YEAR if spec["slug"] == "musterstadt" else PER_YEAR // 3
            )
        created += seed_founding_interests()
        created += self._user(*COORDINATOR, role=Membership.Role.COORDINATOR, network=network)
        return created

    def _user(self, email, name, **membership):
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            return 0
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
        Membership.objects.create(user=user, **membership)
        return 1

    @staticmethod
    def logins_text():
        lines = ["", f"Demo logins (password for all: {DEMO_PASSWORD}):"]
        for spec in OFFICES:
            for email, _name, role in spec["users"]:
                lines.append(f"  {role.label!s:<24} {email:<46} {spec['name']}")
        lines.append(f"  {Membership.Role.COORDINATOR.label!s:<24} {COORDINATOR[0]:<46} {NETWORK}")
        return "\n".join(lines)
