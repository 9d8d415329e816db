"""Readable for everyone: camera metadata as labelled, formatted fields, a shortened hash with a copy button,
names instead of user names, and the app's own error pages for visitors who are not signed in, even under
DAM_DEBUG."""
from __future__ import annotations

import pytest

from assets import metadata_display
from tests.factories import CORPUS, make_asset


@pytest.mark.parametrize(("seconds", "shown"), [(1 / 1850, "1/1850 s"), (0.00625, "1/160 s"), (0.5, "0.5 s"),
                                                (2, "2 s"), ("n/a", "n/a")])
def test_exposure_reads_as_photographers_write_it(seconds, shown):
    assert metadata_display.exposure(seconds) == shown


@pytest.mark.parametrize(("value", "shown"), [("2022:08:14 14:12:05", "14 Aug 2022 14:12"),
                                              ("2022-08-14T14:12:05+02:00", "14 Aug 2022 14:12"),
                                              ("2022-08-14", "14 Aug 2022"),
                                              ("0000:00:00 00:00:00", "0000:00:00 00:00:00")])
def test_dates_read_as_dates(value, shown):
    assert metadata_display.taken_at(value) == shown


def test_a_real_camera_file_on_the_asset_page(web, people):
    asset = make_asset(people["editor"], title="Canon sample", approved=True,
                       data=(CORPUS / "real" / "Canon_40D.jpg").read_bytes(), filename="Canon_40D.jpg")
    page = web("viewer").get(asset.get_absolute_url())
    fields = dict(page.context["embedded_fields"])
    assert fields["Camera"] == "Canon EOS 40D"  # not "Canon Canon EOS 40D"
    assert fields["Exposure"] == "1/160 s" and fields["Aperture"] == "f/7.1" and fields["ISO"] == "100"
    assert fields["Focal length"] == "135 mm" and fields["Taken"] == "30 May 2008 15:56"
    html = page.content.decode()
    assert "ExposureTime</dt>" not in html.split("<details")[0]  # raw tag names only in the "as stored" details
    sha = asset.approved_version.sha256
    assert f"{sha[:12]}…" in html and f'value="{sha}"' in html and 'data-copy="#sha256-full"' in html


def test_revisions_name_the_uploader_by_name(web, people):
    editor = people["editor"]
    editor.first_name, editor.last_name = "Erin", "Walsh"
    editor.save(update_fields=["first_name", "last_name"])
    asset = make_asset(editor, title="Named", approved=True)
    asset.current_version.uploaded_by = editor
    asset.current_version.save(update_fields=["uploaded_by"])
    html = web("viewer").get(asset.get_absolute_url()).content.decode()
    revisions = html.split("<h2>Revisions</h2>")[1].split("</table>")[0]
    assert "Erin Walsh" in revisions and editor.username not in revisions


@pytest.mark.parametrize("path", ["/s/no-such-link/", "/nowhere/", "/assets/not-a-uid/", "/d/x/"])
def test_visitors_get_the_apps_own_404_even_under_debug(client, settings, path, db):
    settings.DEBUG = True
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found · DAM" in html and "URLconf" not in html and "Traceback" not in html


def test_a_signed_in_developer_keeps_the_technical_404(web, settings):
    settings.DEBUG = True
    response = web("admin").get("/nowhere/")
    assert response.status_code == 404 and b"URLconf" in response.content
