"""The judgement corpus (benchmarks/judgement/) as a regression guard: every case through the
application core analyze runs (one App per split, so the pattern packs load once), with the few
known misses pinned, so a change that breaks a verdict any writer's wording relied on fails here
and not only in the benchmark (README, "Advice"), which runs the real command per message.

The benchmark (benchmarks/judgement.py) prints the figures; this only says which cases changed.
"""

from __future__ import annotations

import io
import json
import sys

import pytest

from conftest import ROOT, environment

sys.path.insert(0, str(ROOT / "benchmarks"))
from judgement import MAIL, Run, load_cases  # noqa: E402

# Known misses, each argued in the README's "Advice" section: (case id, what is wrong)
KNOWN = {
    ("ot-gu-submission-01", "kind"),  # an ID-verification wait read as an identity check
    ("ot-fl-submission-01", "kind"),
    ("tr-f06", "authentic"),  # sender-written "pass" results are ignored (RFC 8601): null, not false
    ("fb-forg-03", "authentic"),
    ("fa-fv-forge-forgedpass-02", "authentic"),
    ("pub-upwork-rej-01", "label"),  # the article's bot template without a submission time: automated
}


def _judge(app, case: dict) -> Run:
    from rejectscan.render import RecordWriter, Vocabulary

    out = io.StringIO()
    writer = RecordWriter("json", out, Vocabulary(names=app.platform_names, always=app.always_advice))
    result = app.analyze([str(MAIL / case["file"])], writer, submitted_at=case.get("submitted_at"))
    records = json.loads(out.getvalue()) if out.getvalue().strip() else []
    return Run(case, records[0] if records else None, len(records), "" if records else f"{result.errors}")


@pytest.mark.parametrize("split", ["dev", "holdout", "fresh", "blind", "published", "blind-d", "blind-e", "blind-f", "blind-g", "blind-h"])
def test_every_case_keeps_its_verdict(split, tmp_path):
    from rejectscan.app import App, CommonOptions

    cases = load_cases(split)
    assert cases, f"no cases in split {split}: run benchmarks/judgement/build.py"
    app = App(environment(), CommonOptions(db=str(tmp_path / "none.db")))
    runs = [_judge(app, case) for case in cases]
    wrong = {(r.case["id"], what) for r in runs for what in (r.misses() or ([] if r.record else ["error"]))}
    assert wrong == {w for w in KNOWN if any(c["id"] == w[0] for c in cases)}
