"""The record contract and its renderings: fields pinned, a round trip through the store's JSON,
older stored records read, and each output format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import FIXTURES, run
from rejectscan.models import Kind, Label
from rejectscan.record import Record
from rejectscan.render import CSV_FIELDS, RecordWriter, Vocabulary

GOLDEN = Path(__file__).resolve().parent / "golden" / "record-fields.json"
BOT = str(FIXTURES / "upwork/bot-rejection.eml")
JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object",
              type(None): "null"}


def _record(*args: str) -> dict:
    return run("analyze", BOT, "--format", "json", *args).json()[0]


def test_the_json_fields_are_the_contract():
    """Field names, their order and their JSON types, pinned: a change here breaks other people's tools."""
    golden = json.loads(GOLDEN.read_text())
    rec = _record("--submitted-at", "2026-11-24T15:03:00Z")
    assert list(rec) == list(golden)
    for field, kind in golden.items():
        assert JSON_TYPES[type(rec[field])] in kind.split("|"), (field, rec[field])


def test_a_record_survives_the_store_round_trip():
    data = _record("--submitted-at", "2026-11-24T15:03:00Z")
    record = Record.from_json(data)
    assert record.kind is Kind.REJECTION and record.label is Label.AUTOMATED and record.delay_seconds == 38
    assert record.to_json() == data


def test_a_record_stored_by_an_older_version_is_still_read():
    """Only the fields of the first contract (README, "Output"), as the earliest versions stored them."""
    old = {"source": "INBOX/7", "message_id": "<a@upwork.com>", "from": "donotreply@upwork.com", "subject": "s",
           "forwarded": False, "platform": "upwork", "kind": "rejection", "sent_at": "2026-11-24T15:03:38+00:00",
           "sent_at_source": "date-header", "authentic": True, "template": None, "label": "unknown",
           "confidence": 0.0, "submitted_at": None, "delay_seconds": None, "reasons": ["r"], "advice": []}
    record = Record.from_json(old)
    assert record.label is Label.UNKNOWN and record.evidence == () and record.sent_at_precision_seconds == 1
    assert Record.from_json({**old, "kind": "something-new"}).kind is Kind.OTHER  # never a crash on unknown values


def _write(fmt: str, records: list[Record]) -> str:
    out = io.StringIO()
    RecordWriter(fmt, out, Vocabulary({"upwork": "Upwork"})).write(records)
    return out.getvalue()


def test_every_format_carries_the_same_record():
    record = Record.from_json(_record("--submitted-at", "2026-11-24T15:03:00Z"))
    assert json.loads(_write("json", [record]))[0]["delay_seconds"] == 38
    assert json.loads(_write("jsonl", [record]).splitlines()[0])["label"] == "automated"
    rows = list(csv.DictReader(io.StringIO(_write("csv", [record]))))
    assert list(rows[0]) == list(CSV_FIELDS) and rows[0]["delay_seconds"] == "38"
    text = " ".join(_write("text", [record]).split())
    assert "Upwork rejected your profile. Who decided: the platform's bots (automated), confidence 95%." in text
    assert "Answered 38 seconds after you submitted" in text


def test_nothing_new_is_said_per_format_and_quiet_says_nothing():
    said = {}
    for fmt in ("text", "json", "jsonl", "csv"):
        out = io.StringIO()
        RecordWriter(fmt, out, Vocabulary({})).nothing_new()
        said[fmt] = out.getvalue()
    assert said == {"text": "No new platform email.\n", "json": "[]\n", "jsonl": "", "csv": ",".join(CSV_FIELDS) + "\n"}
    out = io.StringIO()
    RecordWriter("text", out, Vocabulary({}), quiet=True).nothing_new()
    assert out.getvalue() == ""


def test_a_stream_writes_the_same_bytes_as_the_whole_list_and_each_record_at_once():
    records = [Record.from_json(r) for r in run("analyze", str(FIXTURES / "mbox/two-cycles.mbox"), "--format", "json").json()]
    for fmt in ("text", "json", "jsonl", "csv"):
        for some in (records, records[:1], []):
            out = io.StringIO()
            sink = RecordWriter(fmt, out, Vocabulary({"upwork": "Upwork"})).sink()
            for n, record in enumerate(some):
                sink.add(record)
                assert record.source in out.getvalue() and out.getvalue().count(record.source) == 1, fmt  # out at once
            sink.close()
            assert out.getvalue() == _write(fmt, some), (fmt, len(some))
