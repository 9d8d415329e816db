"""The contributor's day: upload a few photos described once for the whole batch, see a damaged file reported
as kept without a preview, fill the field the reviewers need for the whole batch, and submit them all with one
note; the same pages at a phone's width."""
from __future__ import annotations

import random
import time
import uuid

from PIL import Image

from tests.e2e.conftest import DESKTOP, PHONE


def _photos(folder, token):
    rng = random.Random(token)
    paths = []
    for n in (1, 2, 3):
        path = folder / f"beach-{n}.jpg"
        Image.frombytes("RGB", (160, 120), rng.randbytes(160 * 120 * 3)).save(path, quality=85)
        paths.append(path)
    whole = paths[0].read_bytes()
    broken = folder / "broken.jpg"
    broken.write_bytes(whole[: len(whole) // 2])  # a JPEG cut short: kept, but no preview can be made
    return [*paths, broken]


def test_a_contributor_describes_a_batch_once_and_submits_it(site, open_as, tmp_path):
    token = uuid.uuid4().hex[:6]
    # A folder of their own with a field the reviewers need, so that this journey changes nothing of the others'.
    folder = site.python(
        "from assets.models import Collection; from assets.services import collection_create\n"
        "from taxonomy.models import MetadataField\n"
        f"c = collection_create(name='E2E beach {token}', actor=None, parent=Collection.objects.get(parent=None))\n"
        f"f = MetadataField.objects.create(key='shoot_{token}', label='Shoot code {token}', required=True)\n"
        "f.collections.add(c); print(c.pk)").strip().splitlines()[-1]
    files = _photos(tmp_path, token)

    watched = open_as("demo_contributor", DESKTOP)
    page = watched.page
    page.goto(f"{site.url}/assets/upload/?collection={folder}")
    page.set_input_files("input[type=file]", [str(p) for p in files])
    page.get_by_role("button", name="Remove beach-3.jpg").click()  # changed their mind before it started
    assert page.locator("#upload-rows tr").count() == 3
    page.fill("[name=title]", f"Beach day {token} {{n}}")
    page.fill("[name=campaign]", "Summer 2026")
    watched.shot(site, "contributor-upload-described")
    page.click("#upload-start")
    finished = "document.querySelectorAll('#upload-rows tr.done, #upload-rows tr.rejected').length === 3"
    page.wait_for_function(finished)
    for _ in range(3):  # a file the server could not take (SQLite busy under two uploads) is sent again
        retry = page.locator("#upload-rows tr.rejected").get_by_role("button", name="Retry")
        if not retry.count():
            break
        retry.first.click()
        page.wait_for_function(finished)
    assert page.locator("#upload-rows tr.done").count() == 3, page.inner_text("#upload-rows")
    assert "3 of 3 files" in page.inner_text("#upload-overall")
    page.click("#batch-link a")
    assert f"E2E beach {token}" in page.inner_text("body")

    # The damaged file is kept and said to be so, once its preview job has run. The one worker of the shared
    # site may still be busy with seed_demo's jobs: the journey runs this batch's jobs itself (they are safe to
    # run twice), so it waits for its own pictures only.
    site.python("from assets.services import renditions_generate; from ingest.models import IngestItem\n"
                f"for v in IngestItem.objects.filter(asset__title__contains='{token}').values_list('version_id', "
                "flat=True): renditions_generate(version_id=v)")
    deadline = time.monotonic() + 15
    while "preview unavailable" not in page.inner_text("table.items") and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
    assert "preview unavailable" in page.inner_text("table.items")
    watched.shot(site, "contributor-batch-report")
    batch_url = page.url

    # Submitting now is refused per asset, each with its link to fix; the batch is then described at once.
    page.get_by_role("button", name="Submit all for review…").click()
    assert page.locator(".refusals li").count() == 3 and f"Shoot code {token}" in page.inner_text(".refusals")
    page.goto(batch_url)
    page.get_by_role("button", name="Edit all in this batch").click()
    page.select_option("[name=field_key]", f"shoot_{token}")
    page.fill("[name=field_value]", "BEACH-1")
    page.get_by_role("button", name="Apply to 3 assets").click()
    page.wait_for_url(batch_url)
    page.get_by_role("button", name="Submit all for review…").click()
    page.fill("[name=comment]", "The beach set, please check the horizon.")
    page.get_by_role("button", name="Submit 3 for review").click()
    page.wait_for_url(batch_url)  # back where the selection was made
    assert "3 assets sent for review." in page.inner_text("body")

    page.goto(f"{site.url}/assets/?status=in_review&q={token}")
    titles = page.locator(".tile-title").all_inner_texts()
    assert sorted(titles) == [f"Beach day {token} {n}" for n in (1, 2, 3)]  # one number each, though sent two at once
    assert page.locator(".tile .placeholder.unavailable").count() == 1  # not a never-ending "Processing…"
    watched.shot(site, "contributor-in-review")

    phone = open_as("demo_contributor", PHONE)
    for path in (batch_url, f"{site.url}/assets/upload/", f"{site.url}/assets/?status=in_review&q={token}"):
        phone.page.goto(path)
        assert phone.sideways_scroll() == 0, path
    phone.shot(site, "contributor-phone-list")
