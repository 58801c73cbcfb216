"""Who is asking: the client's IP address, also behind a reverse proxy."""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The client's IP address, also for ``AXES_CLIENT_IP_CALLABLE``.

    Behind a reverse proxy (``KONTAKTSTELLE_TRUST_X_FORWARDED_FOR``) it is the last
    address in X-Forwarded-For: the one the proxy appended. Earlier ones are the
    client's to choose and are ignored.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.KONTAKTSTELLE_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        address = forwarded or address
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address or None
