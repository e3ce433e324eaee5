"""Every fixture through the real command, checked against fixtures/expected.toml."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, assert_no_traceback, run
from rejectscan.compat import tomllib

CASES = tomllib.loads((FIXTURES / "expected.toml").read_text(encoding="utf-8"))["case"]
META = {"file", "args", "count", "exit", "index"}


def _id(case):
    return case["file"] + (" " + " ".join(case["args"]) if case.get("args") else "")


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_fixture_verdict(case):
    result = run("analyze", str(FIXTURES / case["file"]), "--format", "json", *case.get("args", []))
    assert_no_traceback(result)
    assert result.code == case.get("exit", 0), result.err
    records = result.json()
    if "count" in case:
        assert len(records) == case["count"], [r["source"] for r in records]
    expected = {k: v for k, v in case.items() if k not in META}
    if not expected:
        return
    record = records[case.get("index", 0)]
    for key, value in expected.items():
        want = None if value == "null" else value
        assert record[key] == want, f"{key}: {record[key]!r} != {want!r}\n{record}"


def test_every_fixture_file_is_covered():
    """A fixture nobody checks is a fixture that can rot."""
    named = {c["file"] for c in CASES}
    for path in FIXTURES.rglob("*"):
        if path.is_file() and path.suffix in (".eml", ".mbox", ".txt") and path.parent.name not in ("cur", "new"):
            rel = path.relative_to(FIXTURES).as_posix()
            if rel.startswith("folder/") or rel.startswith("maildir/"):
                continue  # checked as containers
            assert rel in named, f"{rel} has no case in expected.toml"


def test_error_lines_name_the_input_and_others_still_analysed():
    good = FIXTURES / "upwork/bot-rejection.eml"
    result = run("analyze", str(FIXTURES / "broken/binary.eml"), "/no/such/file.eml", str(good), "--format", "json")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 2
    assert "broken/binary.eml: is not an email" in lines[0]
    assert "/no/such/file.eml: no such file or folder" in lines[1]
    assert [r["source"] for r in result.json()] == [str(good)]
