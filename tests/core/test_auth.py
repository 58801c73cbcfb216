import re

from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

WRONG_LOGIN = "E-Mail-Adresse oder Passwort ist nicht korrekt."


def test_login_page_is_german(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Anmelden" in content
    assert "E-Mail-Adresse" in content
    assert "Passwort vergessen?" in content


def test_staff_logs_in_and_lands_on_the_dashboard(client, staff):
    response = client.post(reverse("login"), {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home_for_user")
    assert client.get(response["Location"])["Location"] == reverse("dashboard")


def test_login_ignores_the_case_of_the_email(client, staff):
    response = client.post(
        reverse("login"), {"username": "FACHKRAFT@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_wrong_password_says_so_without_revealing_whether_the_account_exists(client, staff):
    wrong_password = client.post(
        reverse("login"), {"username": staff.email, "password": "falsch-falsch"}
    )
    unknown_user = client.post(
        reverse("login"), {"username": "niemand@example.org", "password": "falsch-falsch"}
    )
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert WRONG_LOGIN in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_inactive_account_gets_the_same_message(client, staff):
    staff.is_active = False
    staff.save()
    response = client.post(reverse("login"), {"username": staff.email, "password": PASSWORD})
    assert WRONG_LOGIN in response.content.decode()


def test_login_redirects_by_role(client, starter, coordinator, office_admin):
    for user, target in [
        (starter, "starters:home"),
        (coordinator, "network_overview"),
        (office_admin, "dashboard"),
    ]:
        client.force_login(user)
        assert client.get(reverse("home_for_user"))["Location"] == reverse(target)


def test_user_without_role_is_told_to_ask_the_office(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home_for_user"))
    assert response.status_code == 403
    assert "noch keine Rolle" in response.content.decode()


def test_login_keeps_the_session_key_fresh(client, staff):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": staff.email, "password": PASSWORD})
    assert client.session.session_key != before


def test_logout_needs_post(client, staff):
    client.force_login(staff)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "ein-neues-Passwort-77",
            "new_password2": "ein-neues-Passwort-77",
        },
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("ein-neues-Passwort-77")


def test_password_change_rejects_weak_password_and_keeps_the_old_one(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    assert "Dieses Passwort ist zu kurz" in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_password_change_needs_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_reset_by_email(client, staff):
    response = client.post(reverse("password_reset"), {"email": "Fachkraft@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff.email]
    assert "neues Passwort" in message.subject
    link = re.search(r"http://testserver(/passwort/neu/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "neues-Passwort-2026!", "new_password2": "neues-Passwort-2026!"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("neues-Passwort-2026!")
    # The link works once only.
    assert "nicht mehr gültig" in client.get(link, follow=True).content.decode()


def test_password_reset_for_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "niemand@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
