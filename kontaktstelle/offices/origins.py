"""The websites an office lets embed its directory: one origin per line, checked strictly.

An origin is what a browser compares for framing: scheme, host and port, nothing more
(``https://www.example.org``). Only https, and http for localhost while testing; no
paths, no wildcards. What is saved is the normalised form, one per line.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kontaktstelle.web.middleware import build_policy

MAX_ORIGINS = 20
_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_LOCAL_HOSTS = {"localhost", "127.0.0.1"}
_DEFAULT_PORTS = {"https": 443, "http": 80}


def parse_origin(text):
    """``text`` as a normalised origin (``https://host[:port]``); ValueError with a message."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(_("is not a web address of the form https://www.example.org.")) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in _DEFAULT_PORTS or not parts.netloc:
        raise ValueError(_("must begin with https:// (http:// only for localhost while testing)."))
    if parts.scheme == "http" and host not in _LOCAL_HOSTS:
        raise ValueError(_("must begin with https:// (http:// only for localhost while testing)."))
    if "*" in text:
        raise ValueError(_("may not contain wildcards (*): list each website on its own line."))
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValueError(
            _("only the website's address without a path, e.g. https://www.example.org.")
        )
    if parts.username is not None or not _HOST.match(host):
        raise ValueError(_("is not a web address of the form https://www.example.org."))
    shown_port = "" if port in (None, _DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{host}{shown_port}"


def parse_origins(text):
    """The origins of ``text``, one per line, normalised and without repeats.

    Raises a ValidationError naming each wrong line.
    """
    origins, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            origin = parse_origin(line)
        except ValueError as error:
            errors.append(
                _("Line %(number)s: “%(line)s” %(problem)s")
                % {"number": number, "line": line, "problem": error}
            )
            continue
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        errors.append(_("At most %(count)s websites.") % {"count": MAX_ORIGINS})
    if errors:
        raise ValidationError(errors)
    return origins


def validate_origins(text):
    parse_origins(text)


def frame_policy(allowed):
    """The Content-Security-Policy of a page the origins ``allowed`` may frame: the
    site's policy with only these in ``frame-ancestors`` (none: ``'none'``)."""
    directives = dict(settings.SECURE_CSP)
    directives["frame-ancestors"] = list(allowed) or ["'none'"]
    return build_policy(directives)
