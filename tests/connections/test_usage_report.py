"""The "Where used" report (/usages/ and /api/v1/usages/report/): assets in use with an outdated version and
assets used in most places, counted per asset, only among what the reader may see."""
from __future__ import annotations

from distribution.models import Usage
from tests.factories import approve_for_test, make_asset, make_collection, new_revision, png_bytes


def approved(people, title, **kwargs):
    return make_asset(people["editor"], approved=True, title=title, data=png_bytes(size=(64, 48)), **kwargs)


def place(asset, person, n, state="pushed", system="wordpress"):
    return Usage.objects.create(asset=asset, version=asset.approved_version, system=system, by=person, state=state,
                                remote_id=str(n), remote_url=f"https://blog.example.org/?p={n}")


def test_the_report_counts_outdated_places_and_most_used_assets_per_asset(people, api):
    harbour, beach, secret = (approved(people, "Harbour"), approved(people, "Beach"),
                              approved(people, "Board minutes", collection=make_collection("Board only")))
    for n in range(3):
        place(harbour, people["editor"], n)
    place(beach, people["editor"], 10)
    place(beach, people["editor"], 11, state="failed")  # never got there: not a place
    place(secret, people["editor"], 20)
    new_revision(harbour, people["editor"])
    harbour.refresh_from_db()
    approve_for_test(harbour)  # its three places now show an outdated version
    place(harbour, people["editor"], 3)  # and one shows the new one

    answer = api["brand_manager"].get("/api/v1/usages/report/")
    assert answer.status_code == 200
    body = answer.json()
    assert [(row["title"], row["count"]) for row in body["outdated"]] == [("Harbour", 3)]
    assert (body["outdated_assets"], body["outdated_places"]) == (1, 3)
    # The folder nobody granted the brand manager stays out of their counts.
    assert [(row["title"], row["count"]) for row in body["most_used"]] == [("Harbour", 4), ("Beach", 1)]
    assert body["most_used"][0]["uid"] == str(harbour.uid)

    admin = api["admin"].get("/api/v1/usages/report/?limit=1").json()
    assert [row["title"] for row in admin["most_used"]] == ["Harbour"]


def test_the_report_page_shows_both_lists_with_links_to_the_places(people, web):
    harbour = approved(people, "Harbour")
    place(harbour, people["editor"], 1)
    new_revision(harbour, people["editor"])
    harbour.refresh_from_db()
    approve_for_test(harbour)
    page = web("editor").get("/usages/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 asset still shows an outdated version in 1 place." in text
    assert f'href="/assets/{harbour.uid}/#used-in"' in text
    assert 'href="/usages/"' in text  # in the sidebar


def test_who_may_read_the_report(people, api, web):
    for name in ("admin", "librarian", "brand_manager", "editor"):
        assert api[name].get("/api/v1/usages/report/").status_code == 200, name
    for name in ("contributor", "viewer", "outsider"):
        assert api[name].get("/api/v1/usages/report/").status_code == 403, name
    assert web("viewer").get("/usages/").status_code == 403
    assert 'href="/usages/"' not in web("viewer").get("/").content.decode()


def test_a_bad_limit_is_a_clear_error(people, api):
    answer = api["admin"].get("/api/v1/usages/report/?limit=lots")
    assert answer.status_code == 400
    assert answer.json()["errors"]["limit"] == ["Give a whole number from 1 to 200."]
