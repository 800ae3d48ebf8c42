"""manage.py ingest: GDELT and ACLED files become inbox candidates, filtered, mapped, idempotent, all or nothing."""

import io
import shutil
import tracemalloc
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from inbox import ingest as inbox_ingest
from inbox.models import AcledTypeMapping, Candidate, Dataset
from tests import factories
from tests.factories import INBOX_FIXTURES
from tests.page_server import Answer, PageServer

GDELT = INBOX_FIXTURES / "gdelt-events.tsv"
GDELT_ZIP = INBOX_FIXTURES / "gdelt-events.zip"
ACLED = INBOX_FIXTURES / "acled-export.csv"
BALTIC_GDELT_ROWS = 30
KEPT_EVERY = 50


@factories.once_per_module
def vocabulary():
    """The Baltic region, its actors and the default mappings."""
    factories.baltic_vocabulary()


def ingest(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest", *map(str, args), stdout=out)
    return out.getvalue()


def candidate(dataset: str, dataset_id: str) -> Candidate:
    return Candidate.objects.select_related("proposed_type", "initiator", "target", "country").get(
        dataset=dataset, dataset_id=dataset_id
    )


def test_gdelt_rows_of_the_region_become_candidates_and_the_summary_says_why_others_did_not(vocabulary, db):
    out = ingest("gdelt", GDELT)
    assert f"300 row(s) read, {BALTIC_GDELT_ROWS} kept as new candidates, 0 updated." in out
    assert "skipped, outside the region: 270" in out
    assert Candidate.objects.filter(dataset=Dataset.GDELT, status=Candidate.Status.NEW).count() == BALTIC_GDELT_ROWS


def test_a_gdelt_row_is_mapped_to_our_type_actors_and_escalation(vocabulary, db):
    ingest("gdelt", GDELT)
    deployment = candidate(Dataset.GDELT, "9000000001")
    assert deployment.proposed_type.slug == "force-deployment"  # CAMEO 154
    assert (deployment.initiator.slug, deployment.target.slug) == ("russia", "lithuania")  # RUSMIL is RUS
    assert deployment.escalation == deployment.proposed_type.default_escalation
    assert deployment.country.iso2 == "LT" and deployment.source_url == "https://example.org/gdelt-test/deployment-0"
    assert deployment.raw["SOURCEURL"] == deployment.source_url and len(deployment.raw) == 61
    assert str(deployment.date) == "2024-03-08" and deployment.date_precision == "day"
    assert candidate(Dataset.GDELT, "9000000024").proposed_type.slug == "defence-pledge"  # 0334, the longest prefix


def test_unmapped_codes_are_reported_and_left_empty_never_guessed(vocabulary, db):
    out = ingest("gdelt", GDELT)
    assert "CAMEO 020: 5 row(s)" in out
    assert "CAMEO 171 (ambiguous: airspace-incident, hybrid-incident): 5 row(s)" in out
    assert "actor XYZ (TEST XYZ): 10 row(s)" in out
    assert candidate(Dataset.GDELT, "9000000016").proposed_type is None  # 020
    assert candidate(Dataset.GDELT, "9000000021").initiator is None  # XYZ


def test_rows_with_no_actor_are_kept_without_actors(vocabulary, db):
    ingest("gdelt", GDELT)
    statement = candidate(Dataset.GDELT, "9000000008")
    assert (statement.actor1_code, statement.initiator, statement.target) == ("", None, None)
    assert statement.proposed_type.slug == "statement"


def test_off_a_terminal_there_is_no_progress_bar(vocabulary, db, capsys):
    ingest("gdelt", GDELT)
    assert capsys.readouterr().err == ""


def test_ingesting_a_file_again_or_its_zip_adds_nothing(vocabulary, db):
    ingest("gdelt", GDELT)
    again = ingest("gdelt", GDELT_ZIP)
    assert "300 row(s) read, 0 kept as new candidates, 0 updated." in again
    assert f"skipped, already in the inbox: {BALTIC_GDELT_ROWS}" in again
    assert Candidate.objects.count() == BALTIC_GDELT_ROWS


def test_the_zip_gives_the_plain_files_candidates(vocabulary, db):
    ingest("gdelt", GDELT_ZIP)
    assert Candidate.objects.count() == BALTIC_GDELT_ROWS


def test_cameo_roots_narrow_the_rows_kept(vocabulary, db):
    out = ingest("gdelt", GDELT, "--cameo-roots", "15,13")
    assert "7 kept" in out and "skipped, not among the CAMEO roots asked for: 23" in out


def test_acled_strategic_developments_of_the_region_become_candidates(vocabulary, db):
    out = ingest("acled", ACLED)
    assert "8 row(s) read, 7 kept as new candidates" in out and "skipped, outside the region: 1" in out
    base = candidate(Dataset.ACLED, "TEST-LTU-0001")
    assert base.proposed_type.slug == "force-deployment"  # Headquarters or base established
    assert (base.initiator.slug, base.target.slug) == ("russia", "lithuania")  # by the actors' names
    assert base.country.iso2 == "LT" and base.place == "Vilnius" and base.source_text == "Example Test Source"
    assert base.upstream_timestamp == 1700000000 and base.notes.startswith("Synthetic test row")
    assert candidate(Dataset.ACLED, "TEST-LVA-0002").proposed_type.slug == "agreement"
    assert "ACLED Strategic developments / Arrests: 1 row(s)" in out
    assert "actor Protesters (Poland): 1 row(s)" in out


def test_acled_types_narrow_the_rows_kept(vocabulary, db):
    out = ingest("acled", ACLED, "--acled-types", "Strategic developments")
    assert "6 kept" in out and "skipped, not among the ACLED event types asked for: 1" in out


def changed_upstream(tmp_path, **replacements: str):
    text = ACLED.read_text(encoding="utf-8")
    for old, new in replacements.items():
        text = text.replace(old, new)
    path = tmp_path / "acled-later.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_acled_row_changed_upstream_updates_its_candidate_while_new(vocabulary, db, tmp_path):
    ingest("acled", ACLED)
    later = changed_upstream(tmp_path, **{"1700000000": "1700000500", "in Vilnius.": "in Vilnius (corrected)."})
    out = ingest("acled", later)
    assert "0 kept as new candidates, 7 updated." in out
    assert candidate(Dataset.ACLED, "TEST-LTU-0001").notes.endswith("in Vilnius (corrected).")
    assert candidate(Dataset.ACLED, "TEST-LTU-0001").upstream_timestamp == 1700000500
    assert "0 kept as new candidates, 0 updated." in ingest("acled", later)


def test_an_acled_update_leaves_a_reviewed_candidate_as_decided(vocabulary, db, tmp_path):
    ingest("acled", ACLED)
    Candidate.objects.filter(dataset_id="TEST-LTU-0001").update(status="dismissed", dismiss_reason="Not ours.")
    out = ingest("acled", changed_upstream(tmp_path, **{"1700000000": "1700000500", "in Vilnius.": "Changed."}))
    assert "skipped, already reviewed (its update is not taken): 1" in out
    assert candidate(Dataset.ACLED, "TEST-LTU-0001").notes.endswith("in Vilnius.")


def write_bytes(tmp_path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def refused(*args) -> str:
    before = Candidate.objects.count()
    with pytest.raises(CommandError) as error:
        ingest(*args)
    assert Candidate.objects.count() == before, "nothing of a bad file is kept"
    return str(error.value)


def test_a_gdelt_file_with_a_short_line_is_refused_whole_naming_the_line(vocabulary, db, tmp_path):
    lines = GDELT.read_bytes().split(b"\n")
    lines[250] = lines[250].replace(b"\t", b" ", 1)
    message = refused("gdelt", write_bytes(tmp_path, "short.tsv", b"\n".join(lines)))
    assert "line 251: 60 columns where a GDELT 2.0 Event row has 61 (tab-separated)." in message
    assert "Nothing of this file was kept." in message


def test_a_binary_file_is_refused(vocabulary, db, tmp_path):
    message = refused("gdelt", write_bytes(tmp_path, "image.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00"))
    assert "line 1: a NUL byte: this is a binary file" in message


def test_a_file_not_in_utf8_is_refused_naming_the_line(vocabulary, db, tmp_path):
    text = ACLED.read_text(encoding="utf-8").replace("Narva", "Närva")
    message = refused("acled", write_bytes(tmp_path, "latin1.csv", text.encode("latin-1")))
    assert "line 4: not UTF-8 text" in message


def test_an_acled_file_without_its_columns_or_with_a_short_row_is_refused(vocabulary, db, tmp_path):
    text = ACLED.read_text(encoding="utf-8")
    message = refused("acled", write_bytes(tmp_path, "no-id.csv", text.replace("event_id_cnty", "id").encode()))
    assert "line 1: the header lacks ACLED's column(s) event_id_cnty." in message
    lines = text.splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0]
    message = refused("acled", write_bytes(tmp_path, "short.csv", "\n".join(lines).encode()))
    assert "line 6: 30 columns where the header has 31." in message


def test_a_missing_file_an_unknown_region_and_a_private_url_are_clear_errors(vocabulary, db, tmp_path):
    assert "No such file or directory" in refused("gdelt", tmp_path / "missing.tsv")
    assert "No region 'nowhere'" in refused("gdelt", GDELT, "--region", "nowhere")
    assert "127.0.0.1 is a loopback address" in refused("gdelt", "http://127.0.0.1:9/export.CSV.zip")


def test_the_zip_of_several_files_is_refused(vocabulary, db, tmp_path):
    path = tmp_path / "two.zip"
    shutil.make_archive(str(path.with_suffix("")), "zip", root_dir=INBOX_FIXTURES, base_dir=".")
    assert "a dataset's zip holds one" in refused("gdelt", path)


def test_a_zipped_gdelt_file_is_fetched_from_its_url_through_the_guarded_fetch(vocabulary, db, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True  # the test's server is on loopback
    with PageServer() as server:
        server.pages["/20240308120000.export.CSV.zip"] = Answer(GDELT_ZIP.read_bytes(), content_type="application/zip")
        server.pages["/page.html"] = Answer(b"<html></html>")
        out = ingest("gdelt", server.url("/20240308120000.export.CSV.zip"))
        assert f"{BALTIC_GDELT_ROWS} kept as new candidates" in out
        assert "is text/html, not one of the types read here" in refused("gdelt", server.url("/page.html"))


def generated_gdelt(tmp_path, rows: int):
    """The fixture's rows again and again under new ids, up to `rows`, one in KEPT_EVERY in the region
    (the fixture's first BALTIC_GDELT_ROWS lines are)."""
    lines = GDELT.read_text(encoding="utf-8").splitlines()
    baltic, elsewhere = lines[:BALTIC_GDELT_ROWS], lines[BALTIC_GDELT_ROWS:]
    path = tmp_path / f"gdelt-{rows}.tsv"
    with path.open("w", encoding="utf-8") as file:
        for n in range(rows):
            line = baltic[n % len(baltic)] if n % KEPT_EVERY == 0 else elsewhere[n % len(elsewhere)]
            cells = line.split("\t")
            cells[0] = str(9_100_000_000 + n)
            file.write("\t".join(cells) + "\n")
    return path


def peak_memory_of_ingest(path) -> int:
    tracemalloc.start()
    ingest("gdelt", path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_memory_stays_bounded_as_the_file_grows(vocabulary, db, tmp_path, monkeypatch):
    """Rows are read one at a time and written a batch at a time: a file ten times longer holds no more."""
    monkeypatch.setattr(inbox_ingest, "BATCH_SIZE", 10)
    small = peak_memory_of_ingest(generated_gdelt(tmp_path, 2_000))  # 40 kept: four batches
    large = peak_memory_of_ingest(generated_gdelt(tmp_path, 8_000))  # 160 kept: sixteen
    assert large < small * 1.5, f"peak {small} → {large} bytes"


def test_the_queries_do_not_grow_with_the_rows(vocabulary, db, tmp_path, monkeypatch, django_assert_max_num_queries):
    """A batch costs two queries (the ids held, the new rows), whatever its rows; the rest is eight: the
    region and its countries, the mappings (types, ACLED types, actor codes, actors), the savepoint."""
    monkeypatch.setattr(inbox_ingest, "BATCH_SIZE", 20)
    path = generated_gdelt(tmp_path, 3_000)  # 60 kept: three batches
    with django_assert_max_num_queries(8 + 2 * 3):
        ingest("gdelt", path)
    assert Candidate.objects.count() == 60


def test_a_mapping_added_later_applies_to_new_candidates_by_remap_inbox(vocabulary, db):
    ingest("acled", ACLED)
    AcledTypeMapping.objects.create(
        acled_event_type="Strategic developments",
        acled_sub_event_type="Arrests",
        event_type=factories.event_type("hybrid-incident"),
    )
    Candidate.objects.filter(dataset_id="TEST-LVA-0002").update(status="dismissed", dismiss_reason="Not ours.")
    out = io.StringIO()
    call_command("remap_inbox", stdout=out)
    assert "6 new candidate(s) mapped again." in out.getvalue()
    assert "ACLED Strategic developments / Arrests" not in out.getvalue()
    arrests = candidate(Dataset.ACLED, "TEST-EST-0003")
    assert arrests.proposed_type.slug == "hybrid-incident" and arrests.escalation == Decimal("7.0")
    assert (arrests.initiator.slug, arrests.target.slug) == ("estonia", "russia")
