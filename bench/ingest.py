"""Benchmark of `manage.py ingest gdelt` (not a test): rows per second and peak memory on a generated
GDELT 2.0 Event file, beside reading the same file with Python's csv module alone, in the same run.

The file (bench/results/gdelt-<rows>.tsv, gitignored, made once per size) has the 61 columns of the Event
codebook; one row in KEEP_EVERY happens in the Baltic region (ActionGeo_CountryCode LH, LG, EN…, with
mapped actors and CAMEO codes), the others elsewhere, as in GDELT's global stream. Each measurement runs
in a fresh process, so ru_maxrss (its peak resident memory) is its own:

  csv     csv.reader over the file (tab-separated, no quoting), every row read: the reference
  django  Django set up, nothing read: the floor of the ingest's memory
  ingest  inbox.ingest.ingest() of the file into a database emptied of candidates first: streamed,
          filtered, mapped and written in one transaction, as the command does

The database is PostgreSQL (tension_bench_ingest unless BENCH_INGEST_DATABASE_URL says otherwise; it
holds the demo record and the inbox's default mappings), or a SQLite file with --sqlite.

    .venv/bin/python bench/ingest.py                   # 1,000,000 rows
    .venv/bin/python bench/ingest.py --rows 200000     # on a busy machine
    .venv/bin/python bench/ingest.py --sqlite
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import RESULTS, ensure_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tension_bench_ingest"
KEEP_EVERY = 100  # one row in a hundred in the region
BALTIC = [("LH", "LTU"), ("LG", "LVA"), ("EN", "EST"), ("PL", "POL"), ("BO", "BLR"), ("RS", "RUS")]
CODES = ["154", "150", "1312", "111", "043", "020", "0334", "190"]
ELSEWHERE = ["US", "FR", "SY", "CH", "IN", "BR"]
MEASURED = ("csv", "django", "ingest")


def generate(path: Path, rows: int) -> None:
    """A GDELT 2.0 Event file of `rows` synthetic rows (ids from 1, URLs on example.org)."""
    with path.open("w", encoding="utf-8") as file:
        for n in range(1, rows + 1):
            day = f"2024{1 + n % 12:02d}{1 + n % 28:02d}"
            code = CODES[n % len(CODES)]
            if n % KEEP_EVERY == 0:
                fips, actor = BALTIC[n // KEEP_EVERY % len(BALTIC)]
                other = BALTIC[(n // KEEP_EVERY + 1) % len(BALTIC)][1]
            else:
                fips, actor, other = ELSEWHERE[n % len(ELSEWHERE)], "USA", "FRA"
            cells = [
                str(n), day, day[:6], day[:4], f"{day[:4]}.5",
                actor, f"BENCH {actor}", actor, "", "", "", "", "GOV", "", "",
                other, f"BENCH {other}", other, "", "", "", "", "", "", "",
                "1", code, code[:3], code[:2], "4", "-7.2", "4", "1", "4", "-3.5",
                *(["1", "BENCH place", fips, "", "", "54.6", "25.2", "-1"] * 3),
                f"{day}120000", f"https://example.org/bench/{n % 50_000}",
            ]  # fmt: skip
            file.write("\t".join(cells) + "\n")


def child(kind: str, path: str, url: str) -> dict:
    """One measurement, in this (fresh) process."""
    started = time.perf_counter()
    if kind == "prepare":
        prepare(url)
        return {}
    if kind == "csv":
        with open(path, newline="", encoding="utf-8") as file:
            read = sum(1 for _ in csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE))
        result = {"rows": read}
    else:
        setup_django(url, static=False)
        if kind == "django":
            result = {"rows": 0}
        else:
            from inbox.ingest import ingest
            from inbox.models import Candidate

            Candidate.objects.all().delete()
            started = time.perf_counter()
            with open(path, "rb") as file:
                summary = ingest(dataset="gdelt", stream=file, size=os.path.getsize(path), region="baltic")
            result = {"rows": summary.read, "kept": summary.kept}
    result["seconds"] = time.perf_counter() - started
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def prepare(url: str) -> None:
    if url.startswith("postgres"):
        ensure_database(url)
    setup_django(url, static=False)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    call_command("load_inbox_mappings", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "PATH", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = (
        f"sqlite:///{RESULTS / 'tension_bench_ingest.sqlite3'}"
        if args.sqlite
        else os.environ.get("BENCH_INGEST_DATABASE_URL", DEFAULT_URL)
    )
    if "tension_bench" not in url:
        sys.exit("The benchmark empties the inbox of its database: use one whose name holds tension_bench.")
    path = RESULTS / f"gdelt-{args.rows}.tsv"
    if not path.exists():
        generate(path, args.rows)
    results = {}
    for kind in ("prepare", *MEASURED):
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(path), url], check=True, capture_output=True, text=True
        ).stdout
        results[kind] = json.loads(out.strip().splitlines()[-1])
    del results["prepare"]
    load = os.getloadavg()[0]
    (RESULTS / f"ingest-{int(time.time())}.json").write_text(json.dumps({"rows": args.rows, "load": load, **results}))
    reference = results["csv"]["rows"] / results["csv"]["seconds"]
    print(f"{args.rows:,} rows ({path.stat().st_size / 2**20:,.0f} MiB), {'SQLite' if args.sqlite else 'PostgreSQL'}, "
          f"load average {load:.1f}\n")  # fmt: skip
    print("| reading | rows/s | × csv alone | peak RSS MiB | kept |")
    print("|---|---:|---:|---:|---:|")
    for kind in MEASURED:
        result = results[kind]
        rate = result["rows"] / result["seconds"] if result["rows"] else 0
        ratio = f"{rate / reference:.2f}" if rate else "—"
        shown = f"{rate:,.0f}" if rate else "—"
        print(f"| {kind} | {shown} | {ratio} | {result['peak_mib']:,.0f} | {result.get('kept', '—')} |")


if __name__ == "__main__":
    main()
