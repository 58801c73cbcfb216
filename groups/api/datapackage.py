"""The published directory as an HSDS 3.0 tabular data package: one CSV file per HSDS
table and a ``datapackage.json`` describing them, in one zip file.

The rows are the API's own objects (``groups.api.serializers``) taken apart, so the
package shows exactly what the API shows, no more.
"""

import csv
import json
import tempfile
import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _

from groups.api import serializers as hsds
from groups.models import Group
from kontaktstelle.offices.models import Office

CHUNK = 1000
# HSDS table: (file, the columns we fill), in the order of the HSDS tabular format.
TABLES = {
    "organization": (
        "organizations.csv",
        ["id", "name", "description", "email", "website", "uri"],
    ),
    "service": (
        "services.csv",
        [
            "id",
            "organization_id",
            "name",
            "description",
            "url",
            "email",
            "status",
            "application_process",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "assurer_email",
            "alert",
            "last_modified",
        ],
    ),
    "attribute": (
        "attributes.csv",
        ["id", "link_id", "link_type", "link_entity", "taxonomy_term_id", "value"],
    ),
    "service_at_location": (
        "service_at_locations.csv",
        ["id", "service_id", "location_id", "description"],
    ),
    "location": (
        "locations.csv",
        ["id", "location_type", "organization_id", "name", "description", "latitude", "longitude"],
    ),
    "phone": ("phones.csv", ["id", "location_id", "service_id", "organization_id", "number"]),
    "address": (
        "addresses.csv",
        [
            "id",
            "location_id",
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
    ),
    "schedule": (
        "schedules.csv",
        [
            "id",
            "service_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "wkst",
            "freq",
            "interval",
            "byday",
            "description",
            "opens_at",
            "closes_at",
            "attending_type",
            "notes",
        ],
    ),
    "service_area": ("service_areas.csv", ["id", "service_id", "name"]),
    "language": ("languages.csv", ["id", "service_id", "name", "code"]),
    "accessibility": ("accessibility.csv", ["id", "location_id", "description"]),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        ["id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_id", "language"],
    ),
    "taxonomy": ("taxonomies.csv", ["id", "name", "description", "version"]),
}
NUMBERS = {"minimum_age", "maximum_age", "latitude", "longitude", "interval"}
FORMATS = {
    "url": "uri",
    "website": "uri",
    "uri": "uri",
    "email": "email",
    "assurer_email": "email",
    "last_modified": "date-time",
}
# The HSDS tables our rows refer to: (column, table).
REFERENCES = {
    "service": [("organization_id", "organization")],
    "service_at_location": [("service_id", "service"), ("location_id", "location")],
    "address": [("location_id", "location")],
    "schedule": [("service_id", "service")],
    "service_area": [("service_id", "service")],
    "language": [("service_id", "service")],
    "accessibility": [("location_id", "location")],
    "taxonomy_term": [("taxonomy_id", "taxonomy")],
}


def _field(name):
    field = {"name": name, "type": "number" if name in NUMBERS else "string"}
    if name == "id" or name.endswith("_id"):
        field["format"] = "uuid"
    elif name in FORMATS:
        field["format"] = FORMATS[name]
    return field


def descriptor():
    """The ``datapackage.json`` (Frictionless tabular data package)."""
    resources = []
    for table, (path, columns) in TABLES.items():
        schema = {"fields": [_field(column) for column in columns], "primaryKey": "id"}
        references = [
            {"fields": column, "reference": {"resource": target, "fields": "id"}}
            for column, target in REFERENCES.get(table, [])
        ]
        if references:
            schema["foreignKeys"] = references
        resources.append(
            {
                "name": table,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": "kontaktstelle-hsds",
        "title": _("Self-help groups: the public directory (HSDS 3.0)"),
        "profile": "tabular-data-package",
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "resources": resources,
    }


class _Tables:
    """One temporary CSV file per table; each row written once (by id)."""

    def __init__(self):
        self.files, self.writers, self.seen = {}, {}, {}
        for table, (_path, columns) in TABLES.items():
            # Closed by ``close``, once the zip file is written.
            file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            self.files[table] = file
            self.writers[table] = csv.DictWriter(file, columns, extrasaction="ignore")
            self.writers[table].writeheader()
            self.seen[table] = set()

    def add(self, table, row, **links):
        if row["id"] in self.seen[table]:
            return
        self.seen[table].add(row["id"])
        self.writers[table].writerow({**links, **row})

    def close(self):
        for file in self.files.values():
            file.close()


def _add_location(tables, location):
    tables.add("location", location)
    for address in location.get("addresses", []):
        tables.add("address", address)
    for entry in location.get("accessibility", []):
        tables.add("accessibility", entry)
    for phone in location.get("phones", []):
        tables.add("phone", phone)


def _fill(tables, request):
    tables.add("taxonomy", hsds.taxonomy())
    for term in hsds.taxonomy_terms():
        tables.add("taxonomy_term", term)
    offices = hsds.offices_prefetched(Office.objects.order_by("pk"))
    for office in offices:
        organization = hsds.organization(office, request, full=True)
        tables.add("organization", organization)
        for phone in organization["phones"]:
            tables.add("phone", phone)
        for location in organization["locations"]:
            _add_location(tables, location)
    groups = hsds.full_groups(Group.objects.public()).order_by("pk")
    for group in groups.iterator(chunk_size=CHUNK):
        service = hsds.full_service(group, request)
        tables.add("service", service)
        for name in ("phone", "schedule", "service_area", "language", "attribute"):
            for row in service[f"{name}s"]:
                tables.add(name, row)
        for at_location in service["service_at_locations"]:
            tables.add("service_at_location", at_location)
            _add_location(tables, at_location["location"])


def build(request):
    """The zip file (an open temporary file, at its start) of the published directory."""
    tables = _Tables()
    archive = tempfile.TemporaryFile()  # noqa: SIM115  # the response closes it
    try:
        _fill(tables, request)
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr(
                "datapackage.json", json.dumps(descriptor(), ensure_ascii=False, indent=2)
            )
            for table, (path, _columns) in TABLES.items():
                file = tables.files[table]
                file.seek(0)
                with package.open(path, "w") as target:
                    for chunk in iter(lambda file=file: file.read(1 << 16), ""):
                        target.write(chunk.encode("utf-8"))
    except BaseException:
        archive.close()
        raise
    finally:
        tables.close()
    archive.seek(0)
    return archive
