from django.urls import reverse

from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.offices.models import Site


def test_office_admin_reaches_the_admin(client, office_admin):
    client.force_login(office_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Standorte" in response.content.decode()


def test_staff_and_starters_do_not_reach_the_admin(client, staff, starter):
    for user in (staff, starter):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_anonymous_admin_goes_to_login(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_office_admin_sees_only_their_office(client, office_admin, site, other_site, other_staff):
    client.force_login(office_admin)
    sites = client.get(reverse("admin:kontaktstelle_site_changelist")).content.decode()
    assert "Standort Mitte" in sites
    assert "Standort Anderswo" not in sites
    assert client.get(
        reverse("admin:kontaktstelle_site_change", args=[other_site.pk])
    ).status_code in (302, 404)
    users = client.get(reverse("admin:kontaktstelle_user_changelist")).content.decode()
    assert office_admin.email in users
    assert other_staff.email not in users
    assert client.get(
        reverse("admin:kontaktstelle_user_change", args=[other_staff.pk])
    ).status_code in (302, 404)


def test_office_admin_adds_a_site_to_their_own_office(client, office_admin, office):
    client.force_login(office_admin)
    response = client.post(
        reverse("admin:kontaktstelle_site_add"),
        {
            "name": "Standort West",
            "street": "Westweg 1",
            "postcode": "12345",
            "city": "Musterstadt",
            "rooms-TOTAL_FORMS": "0",
            "rooms-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Site.objects.get(name="Standort West").office == office


def test_office_admin_creates_a_staff_account_in_their_office(client, office_admin, office):
    client.force_login(office_admin)
    response = client.post(
        reverse("admin:kontaktstelle_user_add"),
        {
            "email": "neu@example.org",
            "name": "Neue Fachkraft",
            "usable_password": "false",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "1",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-role": "staff",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="neu@example.org")
    assert user.membership.office == office
    assert user.membership.role == Membership.Role.STAFF
    assert not user.is_superuser


def test_office_admin_cannot_create_an_account_without_role(client, office_admin):
    client.force_login(office_admin)
    response = client.post(
        reverse("admin:kontaktstelle_user_add"),
        {
            "email": "ohne-rolle@example.org",
            "usable_password": "false",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "1",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-role": "",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="ohne-rolle@example.org").exists()


def test_office_admin_cannot_make_a_coordinator_or_reuse_an_email(client, office_admin, staff):
    client.force_login(office_admin)
    data = {
        "email": "FACHKRAFT@example.org",
        "usable_password": "false",
        "membership-TOTAL_FORMS": "1",
        "membership-INITIAL_FORMS": "0",
        "membership-MIN_NUM_FORMS": "1",
        "membership-MAX_NUM_FORMS": "1",
        "membership-0-role": "coordinator",
    }
    response = client.post(reverse("admin:kontaktstelle_user_add"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Es gibt bereits ein Konto mit dieser E-Mail-Adresse." in content
    assert User.objects.filter(email__iexact="fachkraft@example.org").count() == 1


def test_office_admin_cannot_grant_platform_rights(client, office_admin, staff):
    client.force_login(office_admin)
    content = client.get(
        reverse("admin:kontaktstelle_user_change", args=[staff.pk])
    ).content.decode()
    assert 'name="is_superuser"' not in content
    assert 'name="is_staff"' not in content


def test_office_admin_cannot_add_offices(client, office_admin):
    client.force_login(office_admin)
    assert client.get(reverse("admin:kontaktstelle_office_add")).status_code == 403


def test_user_add_form_is_german(client, office_admin):
    client.force_login(office_admin)
    content = client.get(reverse("admin:kontaktstelle_user_add")).content.decode()
    assert "Anmeldung mit Passwort" in content
    assert "Password-based authentication" not in content
