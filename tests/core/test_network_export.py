"""The coordinators' network view as CSV and XLSX, and on paper (issue 17)."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from kontaktstelle.audit.models import AuditEntry
from tests.core.test_statistics_figures import QUERY_2025, table_rows, two_offices_of_programme

NETWORK = reverse("network_overview")


def test_the_export_holds_the_pages_figures_with_the_same_gaps(
    client, coordinator, office, other_office, staff
):
    two_offices_of_programme(office, other_office, staff)
    client.force_login(coordinator)
    page_rows = table_rows(client.get(NETWORK + QUERY_2025), "data-network-table")
    response = client.get(NETWORK + QUERY_2025 + "&export=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="netzwerk-2025-01-01-2025-12-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Kontaktstelle"
    # The same figures as the page, hidden ones as "–" (the page's header differs only
    # in the benchmark's wording).
    assert rows[1:] == page_rows[1:]
    assert AuditEntry.objects.filter(
        actor=coordinator, target_label="netzwerk-2025-01-01-2025-12-31.csv"
    ).exists()


def test_the_xlsx_export_opens_with_numbers_as_numbers(
    client, coordinator, office, other_office, staff
):
    two_offices_of_programme(office, other_office, staff)
    client.force_login(coordinator)
    response = client.get(NETWORK + QUERY_2025 + "&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:6] == ["KISS Musterstadt", 3, 2, 1, 1, 3]
    assert values[-1][0] == "Netzwerk"
    assert values[-1][6] == 10.5


def test_only_coordinators_export_the_network(client, staff, starter):
    for user in (staff, starter):
        client.force_login(user)
        assert client.get(NETWORK + "?export=csv").status_code == 403


def test_the_page_offers_export_and_print(client, coordinator):
    client.force_login(coordinator)
    content = client.get(NETWORK + QUERY_2025).content.decode()
    assert "export=csv" in content and "export=xlsx" in content
    assert "data-print" in content
    assert 'role="region"' in content and 'tabindex="0"' in content  # scrolls by keyboard
