"""Pattern packs: the shipped ones lint clean; broken ones fail with file and key."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import FIXTURES, assert_no_traceback, assert_one_line_error, flat, run, run_process


def test_shipped_packs_lint_clean():
    result = run("patterns", "lint")
    assert result.code == 0, result.err
    assert result.out.strip().endswith("no problems.")


def test_patterns_list_shows_every_platform():
    out = run("patterns", "list", "--format", "json").json()
    platforms = {r["platform"] for r in out}
    assert {"upwork", "fiverr", "peopleperhour", "toptal", "freelancer", "guru", "*"} <= platforms
    kinds = {r["kind"] for r in out if r["platform"] == "upwork"}
    assert {"submission", "rejection", "approval", "suspension", "other"} <= kinds


PLATFORM = '[platform]\nid = "acme"\nname = "Acme"\ndomains = ["acme.example"]\n'


@pytest.mark.parametrize("body, key, message", [
    (PLATFORM + '[[template]]\nid = "t1"\nkind = "rejection"\ndescription = "d"\nphrases = ["we cannot take you"]\ncolour = "red"\n',
     "template[0].colour", "unknown key"),
    (PLATFORM + '[[template]]\nid = "t1"\nkind = "rejection"\ndescription = "d"\nregexes = ["(unclosed"]\n',
     "template 't1'.regexes[0]", "bad regex"),
    (PLATFORM + '[[template]]\nid = "t1"\nkind = "rejection"\ndescription = "d"\nregexes = ["(?=x)y"]\n',
     "template 't1'.regexes[0]", "lookaround or backreference"),
    (PLATFORM + '[[template]]\nid = "t1"\nkind = "rejection"\ndescription = "d"\nphrases = ["we cannot take you"]\nadvice = ["no-such-advice"]\n',
     "template 't1'.advice[0]", "unknown advice id"),
    (PLATFORM + '[[template]]\nid = "upwork-approval"\nkind = "approval"\ndescription = "d"\nphrases = ["welcome aboard friend"]\n',
     "template[0].id", "duplicate id 'upwork-approval'"),
    (PLATFORM + '[[template]]\nid = "t1"\nkind = "refusal"\ndescription = "d"\nphrases = ["x y z"]\n',
     "template 't1'.kind", "must be one of"),
    ('[platform]\nid = "acme"\nname = "Acme"\n', "platform.domains", "no sender domains"),
    ('[[signal]]\nid = "s1"\ndirection = "sideways"\nweight = 0.5\ndescription = "d"\nphrases = ["x"]\n',
     "signal 's1'.direction", "must be one of automated, human"),
    ('[timing]\nbot_window_seconds = 100\nbot_fade_seconds = 50\n', "timing", "bot_window_seconds <= bot_fade_seconds"),
    ('this is = = not toml', "(syntax)", "not valid TOML"),
    ('[[outcome]]\nid = "o1"\ndescription = "d"\nkinds = {}\nregexes = ["stays put"]\nclears = { profile = ["gig"] }\n',
     "outcome 'o1'.clears.profile", "must be one of"),
])
def test_broken_pack_names_file_and_key(tmp_path, body, key, message):
    (tmp_path / "acme.toml").write_text(body)
    result = run("patterns", "lint", str(tmp_path))
    assert_no_traceback(result)
    assert result.code == 2
    assert f"acme.toml: {key}: " in result.err and message in result.err, result.err


def test_failing_example_is_reported(tmp_path):
    (tmp_path / "acme.toml").write_text(PLATFORM + textwrap.dedent('''
        [[template]]
        id = "acme-rejection"
        kind = "rejection"
        description = "Acme says no"
        phrases = ["we regret that acme cannot take you on"]
        examples.match = ["Sorry, we regret that Acme cannot take you on."]
        examples.no_match = ["We regret that Acme cannot take you on right now."]
    '''))
    result = run("patterns", "lint", str(tmp_path))
    assert result.code == 2
    assert "template 'acme-rejection'.examples.no_match[0]: matches but must not" in result.err


def test_user_pack_is_used_by_analyze(tmp_path):
    """A user's own template recognises drifted wording the shipped packs call unrecognised."""
    (tmp_path / "mine.toml").write_text(textwrap.dedent('''
        [platform]
        id = "upwork"

        [[template]]
        id = "my-upwork-talent-marketplace"
        kind = "rejection"
        description = "Upwork's 2026 'talent marketplace' wording"
        phrases = ["we will not be able to accept your profile into our talent marketplace"]
        evidence = { direction = "automated", weight = 0.7 }
        examples.match = ["we will not be able to accept your profile into our talent marketplace right now"]
    '''))
    fixture = str(FIXTURES / "upwork/drifted-rejection.eml")
    before = run("analyze", fixture, "--format", "json").json()[0]
    after = run("analyze", fixture, "--format", "json", "--patterns", str(tmp_path)).json()[0]
    assert before["template"] is None and before["label"] == "unknown"
    assert after["template"] == "my-upwork-talent-marketplace" and after["label"] == "automated"
    assert run("patterns", "lint", str(tmp_path)).code == 0


def test_patterns_test_shows_hits_and_signals():
    result = run("patterns", "test", str(FIXTURES / "upwork/human-rejection-ticket.eml"))
    assert result.code == 0
    assert 'signal ticket-number (human 1): "Request #48213377"' in result.out
    assert "signal named-signature" in result.out and "~ Arjay" in result.out
    result = run("patterns", "test", str(FIXTURES / "forwards/gmail-en.eml"))
    assert "template upwork-rejection-no-opportunities [rejection]: MATCH" in result.out
    assert "(forwarded original)" in flat(result.out)


def test_pathological_user_regex_finishes_fast(tmp_path):
    """RE2 runs in linear time: the classic (a+)+$ against a long run of a's cannot hang."""
    (tmp_path / "evil.toml").write_text(PLATFORM.replace("acme.example", "upwork.com.example") + textwrap.dedent('''
        [[template]]
        id = "evil"
        kind = "rejection"
        description = "catastrophic in a backtracking engine"
        regexes = ["(a+)+$"]
        examples.match = ["aaaa"]
    '''))
    big = tmp_path / "big.eml"
    big.write_bytes(b"From: x@upwork.com.example\nSubject: s\nDate: Tue, 24 Nov 2026 15:03:38 +0000\n\n"
                    + b"a" * 25_000 + b"b\n")
    result = run_process("analyze", str(big), "--patterns", str(tmp_path), "--format", "json", timeout=30)
    assert result.code == 0, result.err


def test_reworded_stock_text_still_matches_with_its_score_in_the_evidence():
    rec = run("analyze", str(FIXTURES / "upwork/reworded-rejection.eml"), "--format", "json").json()[0]
    assert rec["template"] == "upwork-rejection-no-opportunities"
    scores = [e["score"] for e in rec["evidence"] if e["id"] == rec["template"]]
    assert scores and 88 <= max(scores) < 100


def _phrase_pack(tmp_path, phrases: list[str]):
    listed = ", ".join(json.dumps(p) for p in phrases)
    (tmp_path / "pack.toml").write_text(PLATFORM + textwrap.dedent(f'''
        [[template]]
        id = "many-words"
        kind = "rejection"
        description = "a user's template"
        phrases = [{listed}]
    '''))
    return tmp_path


@pytest.mark.parametrize("phrases, words", [
    (["we reviewed your profile " * 1300], "at most 500"),  # 32 KB: it once ran for 120 s
    ([f"phrase number {i} of a long list" for i in range(51)], "at most 50"),
])
def test_user_phrases_are_bounded_on_load(tmp_path, phrases, words):
    pack = _phrase_pack(tmp_path, phrases)
    linted = run("patterns", "lint", str(pack))  # a report, flake8-style: file: key: problem
    assert linted.code == 2 and len(linted.err.splitlines()) == 1
    assert "pack.toml: template 'many-words'.phrases" in linted.err and words in linted.err
    result = run("analyze", str(FIXTURES / "upwork"), "--patterns", str(pack))
    assert result.code == 2
    assert_one_line_error(result, "pack.toml", "phrases", words)


def test_the_longest_phrase_allowed_on_the_largest_body_read_is_quick_work(tmp_path):
    """Bounded phrases keep fuzzy matching linear in the text (measured in the README, not timed here)."""
    phrase = ("we have looked at the profile you submitted and we cannot accept it into the marketplace "
              * 6)[:500]
    pack = _phrase_pack(tmp_path, [phrase])
    body = ("your profile was reviewed and the decision is in the email below; " * 600).encode()
    big = tmp_path / "big.eml"
    big.write_bytes(b"From: x@acme.example\nSubject: s\nDate: Tue, 24 Nov 2026 15:03:38 +0000\n\n" + body)
    result = run_process("analyze", str(big), "--patterns", str(pack), "--format", "json", timeout=60)
    assert result.code == 0, result.err


def test_lint_reports_every_problem_not_only_the_first(tmp_path):
    (tmp_path / "a.toml").write_text(PLATFORM + textwrap.dedent('''
        [[template]]
        id = "one"
        kind = "rejection"
        description = "d"
        phrases = ["we cannot take you"]
        colour = "red"

        [[template]]
        id = "two"
        kind = "nonsense"
        description = "d"
        phrases = ["we cannot take you either"]

        [[signal]]
        id = "s1"
        direction = "human"
        weight = 9
        description = "d"
        phrases = ["kind regards"]
    '''))
    (tmp_path / "b.toml").write_text("not = [valid")
    result = run("patterns", "lint", str(tmp_path))
    assert result.code == 2
    problems = result.err.splitlines()
    assert len(problems) == 4, result.err
    for words in ("b.toml: (syntax)", "template[0].colour", "template 'two'.kind", "signal 's1'.weight"):
        assert any(words in line for line in problems), words
    assert "4 problems" in result.out


def test_patterns_test_reads_each_message_of_an_mbox_on_its_own():
    result = run("patterns", "test", str(FIXTURES / "mbox/two-cycles.mbox"))
    assert result.code == 0
    heads = [line for line in result.out.splitlines() if line.startswith(str(FIXTURES))]
    assert len(heads) == 6 and heads[0].endswith(":1: from donotreply@upwork.com")
    blocks = result.out.split("\n\n")
    assert "upwork-submission [submission]: MATCH" in blocks[0] and "rejection" not in blocks[0]
