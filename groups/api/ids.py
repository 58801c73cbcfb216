"""Stable HSDS ids (UUIDs) for our records, the same on every request and deployment.

Records with a database id get a reversible id: a fixed UUID per kind with the record's
id in its last 48 bits, so that ``/services/{id}`` finds the group by its primary key
without a lookup table. The thesaurus, shipped to every installation, is named instead:
a topic's id comes from its name and a topic area's from its slug, so a topic has the
same id in every installation that ships it.
"""

import uuid

NAMESPACE = uuid.UUID("c40f4c0b-3054-48a9-8f35-45d7ff83ec7c")
_NUMBER_BITS = 48  # the node field: the version and variant bits stay those of uuid5


def _base(kind):
    return uuid.uuid5(NAMESPACE, kind).int


def numbered(kind, pk):
    """The id of record ``pk`` of ``kind`` (e.g. "service" for a group)."""
    return str(uuid.UUID(int=_base(kind) ^ int(pk)))


def number(kind, value):
    """The record id in an id made by ``numbered(kind, ...)``, or None for any other."""
    try:
        difference = uuid.UUID(str(value)).int ^ _base(kind)
    except ValueError:
        return None
    if difference >> _NUMBER_BITS or not difference:
        return None
    return difference


def named(kind, name):
    """The id of something known by a name, e.g. a topic of the thesaurus."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))
