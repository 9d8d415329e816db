"""/analytics/: who may open it, the numbers it shows (equal to report()), its filter errors, its exports,
the sidebar entry, the asset page's usage panel, and "Archive selected" on the never-downloaded list."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from analytics.forms import ReportQueryForm
from analytics.selectors import report
from assets.models import Asset
from dam import spreadsheets
from distribution.models import DownloadEvent
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

SECTIONS = ["Downloads &amp; deliveries", "Never downloaded", "Searches", "Approvals", "Library health",
            "Vocabulary"]


@pytest.fixture
def library_in_use(people):
    harbour = make_asset(people["admin"], title="Harbour at dawn", approved=True)
    quiet = make_asset(people["admin"], title="Quiet field", approved=True)
    for channel in ("web", "web", "share"):
        DownloadEvent.objects.create(asset=harbour, version_id=harbour.approved_version_id, rendition="original",
                                     channel=channel)
    return {"harbour": harbour, "quiet": quiet}


def _panel(html: str, name: str) -> str:
    """The HTML of one panel (its <article>)."""
    match = re.search(rf'<article[^>]*id="panel-{name}".*?</article>', html, re.S)
    assert match, f"no panel {name}"
    return match.group(0)


@pytest.mark.parametrize("role", ["admin", "librarian", "brand_manager"])
def test_the_page_opens_for_those_who_may_see_analytics(client, people, library_in_use, role):
    client.force_login(people[role])
    answer = client.get("/analytics/")
    assert answer.status_code == 200
    html = answer.content.decode()
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in html
    assert 'href="/analytics/"' in html  # the sidebar entry
    assert "chart.umd.min.js" in html


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer", "outsider"])
def test_others_get_403_and_no_sidebar_entry(client, people, role):
    client.force_login(people[role])
    assert client.get("/analytics/").status_code == 403
    assert client.get("/analytics/export/top_assets.csv").status_code == 403
    assert 'href="/analytics/"' not in client.get("/").content.decode()


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get("/analytics/").status_code == 302


def test_numbers_on_the_page_equal_report_and_an_independent_count(client, people, library_in_use):
    client.force_login(people["admin"])
    html = client.get("/analytics/?period=7d").content.decode()
    top = _panel(html, "top_assets")
    harbour = library_in_use["harbour"]
    assert DownloadEvent.objects.filter(asset=harbour).count() == 3
    row = re.search(rf'<a href="/assets/{harbour.uid}/">Harbour at dawn</a></td>\s*<td class="num">(\d+)</td>', top)
    assert row and row.group(1) == "3"
    form = ReportQueryForm(data={"period": "7d"}, user=people["admin"])
    assert form.is_valid()
    rows = report(people["admin"], form.report_query(), names=["top_assets"])["top_assets"]
    assert [(r["title"], r["count"]) for r in rows] == [("Harbour at dawn", 3)]
    never = _panel(html, "never_downloaded")
    assert "Quiet field" in never and "Harbour at dawn" not in never
    # The chart's data is the rows: 3 downloads, split by channel, over 7 days and today.
    chart = _panel(html, "downloads_by_day")
    assert "<canvas" in chart and "Show as table" in chart


def test_a_bad_filter_is_an_error_beside_its_field(client, people):
    client.force_login(people["admin"])
    answer = client.get("/analytics/?period=custom&from=2026-03-10&to=2026-03-01")
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="error" id="id_to_error">The period ends before it starts' in html
    assert "<h2>Searches</h2>" not in html
    assert client.get("/analytics/?period=nonsense").status_code == 400
    assert client.get("/analytics/export/top_assets.csv?period=nonsense").status_code == 400


def test_empty_panels_say_so(client, people):
    client.force_login(people["admin"])
    html = client.get("/analytics/").content.decode()
    assert "Nothing to show for this period and these filters." in _panel(html, "no_result_searches")


def test_csv_and_xlsx_exports_carry_the_panel(client, people, library_in_use):
    client.force_login(people["admin"])
    answer = client.get("/analytics/export/top_assets.csv?period=30d")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert re.match(r'attachment; filename="top_assets-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv"',
                    answer["Content-Disposition"])
    rows = list(spreadsheets.Reader(answer.content.decode()))
    assert rows == [{"Asset": "Harbour at dawn", "Downloads": "3"}]
    answer = client.get("/analytics/export/top_assets.xlsx?period=30d")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert list(sheet.iter_rows(values_only=True)) == [("Asset", "Downloads"), ("Harbour at dawn", 3)]
    assert client.get("/analytics/export/no_such_panel.csv").status_code == 404
    assert client.get("/analytics/export/top_assets.pdf").status_code == 404


def test_an_exported_title_that_is_a_formula_stays_text(client, people):
    asset = make_asset(people["admin"], title='=HYPERLINK("http://evil.example","x")', approved=True)
    DownloadEvent.objects.create(asset=asset, version_id=asset.approved_version_id, rendition="original")
    client.force_login(people["admin"])
    text = client.get("/analytics/export/top_assets.csv").content.decode()
    assert '"\'=HYPERLINK(' in text
    sheet = load_workbook(io.BytesIO(client.get("/analytics/export/top_assets.xlsx").content)).active
    assert sheet["A2"].value == '=HYPERLINK("http://evil.example","x")' and sheet["A2"].data_type == "s"


def test_archive_selected_asks_first_then_archives(client, people, library_in_use):
    quiet = library_in_use["quiet"]
    client.force_login(people["brand_manager"])
    html = client.get("/analytics/").content.decode()
    never = _panel(html, "never_downloaded")
    assert f'name="uids" value="{quiet.uid}"' in never and 'action="/archive/selected/"' in never
    answer = client.post("/archive/selected/", {"uids": [str(quiet.uid)], "next": "/analytics/#never"})
    assert answer.status_code == 200 and "Archive 1 asset" in answer.content.decode()
    assert Asset.objects.get(pk=quiet.pk).archived_at is None  # asked, not done
    answer = client.post("/archive/selected/", {"uids": [str(quiet.uid)], "next": "/analytics/#never",
                                                "confirm": "yes", "reason": "Never used"})
    assert answer.status_code == 302 and answer["Location"] == "/analytics/#never"
    assert Asset.objects.get(pk=quiet.pk).archived_at is not None


def test_archive_selected_is_refused_to_those_who_may_not_archive(client, people, library_in_use):
    quiet = library_in_use["quiet"]
    client.force_login(people["editor"])
    answer = client.post("/archive/selected/", {"uids": [str(quiet.uid)], "confirm": "yes"})
    assert answer.status_code == 403
    assert Asset.objects.get(pk=quiet.pk).archived_at is None


def test_archive_selected_without_a_usable_choice_says_so(client, people):
    client.force_login(people["admin"])
    answer = client.post("/archive/selected/", {"uids": ["not-a-uuid"], "next": "https://evil.example/"},
                         follow=True)
    assert answer.redirect_chain[0][0] == "/archive/"
    assert "None of the selected assets can be archived by you" in answer.content.decode()


def test_the_asset_page_shows_usage_to_analytics_readers_only(client, people, library_in_use):
    harbour = library_in_use["harbour"]
    client.force_login(people["librarian"])
    html = client.get(harbour.get_absolute_url()).content.decode()
    assert "Usage in the last 90 days" in html
    assert "3 downloads" in html and f'data-panel="asset-usage-{harbour.uid}"' in html
    assert "Last downloaded:" in html and "Last downloaded: never" not in html
    client.force_login(people["editor"])
    html = client.get(harbour.get_absolute_url()).content.decode()
    assert "Usage in the last 90 days" not in html


def test_an_asset_never_downloaded_says_so(client, people, library_in_use):
    client.force_login(people["admin"])
    html = client.get(library_in_use["quiet"].get_absolute_url()).content.decode()
    assert "Not downloaded in the last 90 days." in html and "Last downloaded: never." in html
