"""Any size, bounded memory (issue 13): reports go out as they are made, a message is read only up
to the cap (and says so), whatever the source."""

from __future__ import annotations

import errno
import json
import os
import select
import subprocess
import sys
import time

from conftest import FIXTURES, ROOT, assert_no_traceback, isolated_env, run, with_pdf

from rejectscan.models import MAX_MESSAGE_BYTES


def _plain(n: int) -> bytes:
    return (f"From jane@example.com Sat Nov 28 18:{n // 60:02d}:{n % 60:02d} 2026\n"
            f"From: Jane <jane@example.com>\nTo: maria@example.org\nSubject: note {n}\n"
            f"Date: Sat, 28 Nov 2026 18:00:00 +0000\nMessage-ID: <n{n}@example.com>\n\n"
            + "Nothing to do with any platform. " * 40 + "\n\n").encode()


def test_reports_go_out_while_the_mailbox_is_still_being_read(tmp_path):
    """The first report arrives while the writer still holds the pipe open: nothing waits for the end."""
    fifo = tmp_path / "export.mbox"
    os.mkfifo(fifo)
    # unbuffered: readline() below must not pull later lines into a buffer that communicate(),
    # which reads the pipe itself, would never see
    proc = subprocess.Popen([sys.executable, "-m", "rejectscan", "analyze", str(fifo), "--all", "--format", "jsonl"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=isolated_env(), cwd=ROOT, bufsize=0)
    try:
        with _open_writer(fifo, proc) as writer:
            writer.write(b"".join(_plain(n) for n in range(20)))
            writer.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 120)  # a guard against hanging, not a timing
            assert ready, "no report came out before the end of the input"
            first = json.loads(proc.stdout.readline())
            assert first["source"] == f"{fifo}:1" and first["subject"] == "note 0"
            writer.write(b"".join(_plain(n) for n in range(20, 40)))
        # Not communicate(): it reads the pipe's descriptor, past what readline() left in
        # proc.stdout's buffer, and so lost the reports that came out with the first (seen on 3.10).
        out = proc.stdout.read()
        err = proc.stderr.read()
        proc.wait(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err.decode()
    assert len(out.decode().splitlines()) == 39  # the other 39, after the first


def _open_writer(fifo, proc):
    """The FIFO's writing end, once the command has opened its reading end; if the command ends
    first, its error (opening a FIFO with no reader would wait for ever)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO or proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the command never read the FIFO: {proc.stderr.read().decode() if proc.poll() is not None else exc}")
            time.sleep(0.05)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "wb")


def _huge(tmp_path, name: str, size: int) -> tuple:
    data = with_pdf((FIXTURES / "upwork/bot-rejection.eml").read_bytes(), size)
    path = tmp_path / name
    path.write_bytes(data)
    return path, data


def test_a_huge_message_is_read_up_to_the_cap_and_says_so_from_any_source(tmp_path):
    path, data = _huge(tmp_path, "huge.eml", MAX_MESSAGE_BYTES + 2_000_000)
    mbox = tmp_path / "huge.mbox"
    mbox.write_bytes(b"From a@b Tue Nov 24 15:03:40 2026\n" + data + b"\nFrom a@b Tue Nov 24 15:03:41 2026\n"
                     + (FIXTURES / "upwork/submission.eml").read_bytes())
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "huge.eml").write_bytes(data)
    said = f"the message is {len(data) / 1e6:.0f} MB; only its first {MAX_MESSAGE_BYTES / 1e6:.0f} MB were read"
    for args, source in (((str(path),), str(path)), (("-",), "<stdin>"), ((str(mbox),), f"{mbox}:1"),
                         ((str(folder),), str(folder / "huge.eml"))):
        result = run("analyze", *args, "--format", "json", input=data if args == ("-",) else None)
        assert_no_traceback(result)
        rec = next(r for r in result.json() if r["source"] == source)
        assert rec["template"] == "upwork-rejection-no-opportunities"  # the text comes first, and was read
        assert rec["warnings"][0].startswith(said), (source, rec["warnings"])
    small = run("analyze", str(FIXTURES / "upwork/bot-rejection.eml"), "--format", "json").json()[0]
    assert not any("were read" in w for w in small["warnings"])
