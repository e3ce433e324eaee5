"""A throwaway Dovecot for the tests: loopback only, free ports, a passwd-file user, a
self-signed certificate for IMAPS and STARTTLS, and XOAUTH2 through Dovecot's oauth2 passdb
against a tiny token endpoint the tests run. Started per test session, stopped after."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

USER = "maria"
PASSWORD = "correct horse battery staple"
TOKEN = "ya29.test-access-token-0123456789"
UNICODE_USER = "mária"  # a second account whose name and password are not ASCII
UNICODE_PASSWORD = "pässwörd1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TokenEndpoint:
    """OAuth2 introspection for Dovecot: TOKEN is active for USER, anything else is not."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                token = (form.get("token") or [""])[0]
                auth = self.headers.get("Authorization", "")
                if not token and auth.lower().startswith("bearer "):
                    token = auth[7:]
                body = {"active": True, "username": USER} if token == TOKEN else {"active": False}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


class Dovecot:
    def __init__(self, extra_conf: str = "") -> None:
        if not shutil.which("dovecot"):
            raise RuntimeError("dovecot is not installed; run the tests with scripts/test.sh")
        # Dovecot's unprivileged processes must reach these files: not under pytest's 0700 tmp.
        self.dir = Path(tempfile.mkdtemp(prefix="rejectscan-dovecot-"))
        os.chmod(self.dir, 0o755)
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.tokens = TokenEndpoint()
        self.cert = self.dir / "cert.pem"
        self.key = self.dir / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", str(self.key), "-out", str(self.cert)], check=True, capture_output=True)
        (self.dir / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n"
                                         f"{UNICODE_USER}:{{PLAIN}}{UNICODE_PASSWORD}::::::\n", encoding="utf-8")
        (self.dir / "oauth2.conf").write_text(
            f"introspection_url = http://127.0.0.1:{self.tokens.port}/introspect\n"
            "introspection_mode = post\nusername_attribute = username\n"
            "active_attribute = active\nactive_value = true\ntokeninfo_url =\n")
        mail = self.dir / "mail"
        mail.mkdir()
        subprocess.run(["chown", "dovecot:dovecot", str(mail)], check=True)
        self.conf = self.dir / "dovecot.conf"
        self.conf.write_text(f"""
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{self.key}
disable_plaintext_auth = no
imap_logout_format = in=%i out=%o fetch_body_count=%{{fetch_body_count}} fetch_body_bytes=%{{fetch_body_bytes}}
auth_mechanisms = plain login xoauth2 oauthbearer
# the default allows only ASCII user names; real servers (Gmail, Microsoft) take any
auth_username_chars =
mail_location = maildir:{self.dir}/mail/%n
default_internal_user = dovecot
default_login_user = dovenull
mail_privileged_group =
namespace inbox {{
  inbox = yes
  mailbox "All Mail" {{
    special_use = \\All
    auto = create
  }}
}}
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {self.dir}/oauth2.conf
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {self.dir}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={self.dir}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
# each IMAP session's commands, written only while that folder exists (Dovecot.commands())
protocol imap {{
  rawlog_dir = {self.dir}/rawlog
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
{extra_conf}
""")
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Dovecot":
        """Start, retrying on fresh ports: a port picked free can be taken before Dovecot binds it."""
        problem = ""
        for _ in range(3):
            problem = self._start_once()
            if not problem:
                return self
            self.stop()
            old = (self.imap_port, self.imaps_port)
            self.imap_port, self.imaps_port = free_port(), free_port()
            self.conf.write_text(self.conf.read_text().replace(f"port = {old[0]}\n", f"port = {self.imap_port}\n")
                                 .replace(f"port = {old[1]}\n", f"port = {self.imaps_port}\n"))
        raise RuntimeError(f"dovecot did not start: {problem}\n--- dovecot.log ---\n{self.log()[-3000:]}")

    def _start_once(self) -> str:
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", str(self.conf)], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return f"exited with {self.proc.returncode}: {self.proc.stdout.read().decode(errors='replace')}"
            try:
                with socket.create_connection(("127.0.0.1", self.imaps_port), timeout=0.5):
                    with socket.create_connection(("127.0.0.1", self.imap_port), timeout=0.5):
                        return ""
            except OSError:
                time.sleep(0.1)
        return "not listening after 20 seconds"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None

    def restart(self) -> None:
        """Like a real server restart: every client session is cut, then the server comes back."""
        subprocess.run(["doveadm", "-c", str(self.conf), "kick", USER], capture_output=True)
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        self.tokens.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def fetched_bodies(self, sessions: int = 1, wait: float = 5.0) -> int:
        """Message bodies the server sent to clients since the log was cleared, from the logout
        lines of at least `sessions` sessions (the server writes them just after the client left)."""
        return self._logout_sum("fetch_body_count", sessions, wait)

    def fetched_body_bytes(self, sessions: int = 1, wait: float = 5.0) -> int:
        """Bytes of message bodies the server sent since the log was cleared (fetched_bodies' lines)."""
        return self._logout_sum("fetch_body_bytes", sessions, wait)

    def _logout_sum(self, name: str, sessions: int, wait: float) -> int:
        """The sum of `name=N` over the logout lines of at least `sessions` sessions."""
        import re
        import time

        deadline = time.monotonic() + wait
        while True:
            counts = re.findall(rf"{name}=(\d+)", self.log())
            if len(counts) >= sessions:
                return sum(int(n) for n in counts)
            if time.monotonic() > deadline:  # a sum of nothing would let "at most N" assertions pass
                raise AssertionError(f"only {len(counts)} of {sessions} session(s) logged {name} within {wait} s")
            time.sleep(0.05)

    def clear_log(self) -> None:
        """Empty the log, once sessions that just ended have written their logout lines."""
        import time

        path = self.dir / "dovecot.log"
        size, deadline = -1, time.monotonic() + 5
        while path.exists() and path.stat().st_size != size and time.monotonic() < deadline:
            size = path.stat().st_size
            time.sleep(0.3)
        path.write_text("")

    def commands(self):
        """Record the commands clients send from here on (Dovecot's rawlog); the returned function
        gives them, one line each, from every session since, and stops recording."""
        import time

        folder = self.dir / "rawlog"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        subprocess.run(["chown", "dovecot:dovecot", str(folder)], check=True)

        def sent() -> list[str]:
            time.sleep(0.3)  # the session that just ended closes its file
            lines = [line for path in sorted(folder.glob("*.in")) for line in path.read_text(errors="replace").splitlines()]
            shutil.rmtree(folder, ignore_errors=True)
            return lines

        return sent

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- helpers the tests use to shape the mailbox -------------------------------------------

    def client(self, timeout: float = 10):
        import imapclient

        c = imapclient.IMAPClient("127.0.0.1", port=self.imap_port, ssl=False, timeout=timeout)
        c.login(USER, PASSWORD)
        c.normalise_times = False
        return c

    def reset(self) -> None:
        """Empty every folder but INBOX and drop INBOX's messages."""
        with self.client() as c:
            for _, _, name in c.list_folders():
                if name != "INBOX":
                    c.delete_folder(name)
            c.select_folder("INBOX")
            uids = c.search(["ALL"])
            if uids:
                c.add_flags(uids, [b"\\Deleted"])
                c.expunge()

    def append(self, data: bytes, when=None, folder: str = "INBOX", flags=()) -> None:
        with self.client() as c:
            if folder != "INBOX" and not c.folder_exists(folder):
                c.create_folder(folder)
            c.append(folder, data, flags=flags, msg_time=when)
