"""Messages from an IMAP server. The only module that talks to imapclient.

It never changes the mailbox: folders are opened read-only (EXAMINE) and bodies fetched with
BODY.PEEK, so nothing is marked read, moved or deleted. The server does the filtering (one
SEARCH per folder, searches.py), and only the matching messages are downloaded, in batches of
integer UIDs (imapclient 4.x needs lists), their sizes and From fields asked first so an
oversized one is fetched only in part and a possible forward is first looked at in part
(BODYSTRUCTURE, the start of its text). CONDSTORE is enabled where offered, so each folder's
HIGHESTMODSEQ tells a rerun whether anything changed at all.
"""

from __future__ import annotations

import imaplib
import socket
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterator, Mapping

from rejectscan.config import ALL_MAIL, ImapSettings
from rejectscan.credentials import Credential
from rejectscan.errors import ConnectError, FolderMissingError, LoginError, RejectscanError, TLSVerifyError
from rejectscan.logs import Redactor
from rejectscan.models import MAX_MESSAGE_BYTES, Part, Probe, RawMessage, Sized

BATCH = 100
SIZE_BATCH = 500  # UIDs per RFC822.SIZE request: a few bytes each in the answer


@dataclass(frozen=True)
class FolderState:
    name: str
    uidvalidity: int
    uidnext: int | None
    highestmodseq: int | None = None  # with CONDSTORE: changes whenever anything in the folder does


class ImapMailbox:
    """A read-only view of one account, opened as a context manager."""

    def __init__(self, settings: ImapSettings, credential: Callable[[], Credential], redactor: Redactor) -> None:
        self.settings = settings
        self._credential = credential
        self._redactor = redactor
        self.client = None
        self._condstore: bool | None = None  # enabled on this connection (asked at the first EXAMINE)

    def __enter__(self) -> "ImapMailbox":
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def connect(self) -> None:
        import imapclient
        from imapclient.exceptions import LoginError as ImapLoginError

        s = self.settings
        context = ssl.create_default_context(cafile=s.cafile) if s.tls != "none" else None
        try:
            client = imapclient.IMAPClient(
                s.host, port=s.port, ssl=(s.tls == "ssl"), ssl_context=context,
                timeout=imapclient.SocketTimeout(connect=s.timeout, read=s.timeout))
            if s.tls == "starttls":
                client.starttls(context)
        except socket.gaierror:
            raise ConnectError(f"cannot resolve {s.host}: check the host name (--host)") from None
        except ssl.SSLCertVerificationError as exc:
            raise TLSVerifyError(f"the TLS certificate of {s.host} is not trusted ({exc.verify_message}); "
                                 "if your server uses a private certificate authority, pass it with --cafile") from None
        except ssl.SSLError as exc:
            raise TLSVerifyError(f"TLS with {s.host}:{s.port} failed ({exc.reason or exc}); check --tls and --port") from None
        except (socket.timeout, TimeoutError):
            raise ConnectError(f"connecting to {s.host}:{s.port} timed out") from None
        except OSError as exc:
            raise ConnectError(f"cannot connect to {s.host}:{s.port} ({exc.strerror or exc})") from None
        except imaplib.IMAP4.abort:
            raise ConnectError(f"the connection to {s.host}:{s.port} broke while connecting; check --port and "
                               "--tls, and run again") from None
        except Exception as exc:  # imapclient's own errors during greeting/STARTTLS
            raise ConnectError(f"the server at {s.host}:{s.port} did not talk IMAP as expected ({type(exc).__name__})") from None
        client.normalise_times = False  # INTERNALDATE with its zone, not naive local time
        self.client = client
        self._condstore = None
        cred = self._credential()
        self._redactor.add(cred.secret, cred.user)
        try:
            if cred.kind == "oauth2":
                client.oauth2_login(cred.user, cred.secret)
            elif (cred.user + cred.secret).isascii():
                client.login(cred.user, cred.secret)
            elif b"AUTH=PLAIN" in {c.upper() for c in client.capabilities()}:
                client.plain_login(cred.user, cred.secret)  # SASL PLAIN carries UTF-8; LOGIN is ASCII only
            else:
                self.close()
                raise LoginError(f"{s.host} offers no way to log in with a user name or password that is not "
                                 "plain ASCII (it has no AUTH=PLAIN); use an app password or OAuth2 "
                                 "(oauth2_token_cmd)")
        except ImapLoginError as exc:
            self.close()
            if _protocol_failure(exc):
                raise ConnectError(f"{s.host}:{s.port} answered the login with something that is not IMAP; check "
                                   "--host, --port and --tls") from None
            hint = ("; Gmail and Outlook need an app password or OAuth2 (oauth2_token_cmd)"
                    if any(h in s.host for h in ("gmail", "google", "outlook", "office365")) else
                    "; for Gmail and Outlook use an app password or OAuth2")
            raise LoginError(f"login refused for {cred.user} on {s.host} (password from {cred.origin}){hint}") from None
        except (OSError, socket.timeout) as exc:
            self.close()
            raise ConnectError(f"the connection to {s.host} broke during login ({type(exc).__name__})") from None
        except RejectscanError:
            raise
        except Exception as exc:  # imaplib's abort and protocol errors, and never a secret in the message
            self.close()
            raise ConnectError(f"{s.host}:{s.port} answered the login with something that is not IMAP "
                               f"({type(exc).__name__}); check --host, --port and --tls") from None

    def close(self) -> None:
        """A polite LOGOUT; a connection too broken for one is just dropped."""
        if self.client is not None:
            try:
                self.client.logout()
            except Exception:
                self._drop()
            self.client = None

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """A connection that breaks, stalls or talks nonsense after login: one clear error."""
        try:
            yield
        except RejectscanError:
            raise
        except (socket.timeout, TimeoutError):
            self._drop()
            raise ConnectError(f"{self.settings.host} stopped answering while {doing} (timeout "
                               f"{self.settings.timeout:g} s); run again later: nothing was lost") from None
        except Exception as exc:  # imaplib.abort/error, imapclient's errors, OSError, ssl.SSLError
            self._drop()
            raise ConnectError(f"the connection to {self.settings.host} broke while {doing} "
                               f"({type(exc).__name__}); run again: nothing was lost") from None

    def _drop(self) -> None:
        if self.client is not None:
            try:
                self.client.shutdown()
            except Exception:
                pass
            self.client = None

    def folders(self) -> list[str]:
        """The configured folders; the special-use \\All folder is looked up by its flag."""
        with self._guard("listing folders"):
            listed = self.client.list_folders()
        names = [name for _, _, name in listed]
        out = []
        for wanted in self.settings.folders:
            if wanted == ALL_MAIL:
                found = next((name for flags, _, name in listed if b"\\All" in flags), None)
                out.append(found or "INBOX")
            elif wanted in names or wanted.upper() == "INBOX":
                out.append(wanted)
            else:
                shown = ", ".join(sorted(names)[:20])
                raise FolderMissingError(f"folder {wanted!r} does not exist on {self.settings.host}; "
                                         f"folders there: {shown}")
        return list(dict.fromkeys(out))

    def select(self, folder: str) -> FolderState:
        with self._guard(f"opening {folder}"):
            if self._condstore is None:
                self._condstore = self._enable_condstore()
            info = self.client.select_folder(folder, readonly=True)
        modseq = info.get(b"HIGHESTMODSEQ") if self._condstore else None
        return FolderState(folder, int(info[b"UIDVALIDITY"]), int(info[b"UIDNEXT"]) if b"UIDNEXT" in info else None,
                           modseq if isinstance(modseq, int) and modseq > 0 else None)

    def _enable_condstore(self) -> bool:
        """ENABLE CONDSTORE (RFC 7162) where offered, so EXAMINE reports HIGHESTMODSEQ. QRESYNC
        would add only the UIDs expunged since, which a scan that never deletes does not need."""
        offered = {c.upper() for c in self.client.capabilities()}
        if b"CONDSTORE" not in offered or b"ENABLE" not in offered:
            return False
        return b"CONDSTORE" in {c.upper() for c in self.client.enable("CONDSTORE")}

    def search(self, criteria: list) -> list[int]:
        with self._guard("searching"):
            return sorted(int(u) for u in self.client.search(criteria))

    def sized(self, folder: str, uids: list[int]) -> dict[int, Sized]:
        """RFC822.SIZE and the From field of each message (no body is sent): the caller bounds
        what it downloads and tells the platforms' mail from the user's."""
        found: dict[int, Sized] = {}
        for i in range(0, len(uids), SIZE_BATCH):
            with self._guard("asking message sizes"):
                response = self.client.fetch(uids[i:i + SIZE_BATCH], ["RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (FROM)]"])
            for uid, item in response.items():
                if not isinstance(uid, int) or not isinstance(item, dict):
                    continue
                size = item.get(b"RFC822.SIZE")
                field = next((v for k, v in item.items() if k.startswith(b"BODY[HEADER.FIELDS")), b"")
                found[uid] = Sized(uid, size if isinstance(size, int) else 0, _field_value(field))
        return found

    def probe(self, folder: str, uids: list[int]) -> dict[int, Probe]:
        """Each message's MIME structure (BODYSTRUCTURE: no body is sent), attached messages'
        senders included."""
        found: dict[int, Probe] = {}
        for i in range(0, len(uids), SIZE_BATCH):
            with self._guard("asking message structures"):
                response = self.client.fetch(uids[i:i + SIZE_BATCH], ["BODYSTRUCTURE"])
            for uid, item in response.items():
                structure = item.get(b"BODYSTRUCTURE") if isinstance(item, dict) else None
                if isinstance(uid, int) and isinstance(structure, tuple):
                    found[uid] = Probe(uid, tuple(_parts(structure, "", inside=False)))
        return found

    def excerpts(self, folder: str, sections: Mapping[int, tuple[str, int]]) -> dict[int, bytes]:
        """The first bytes of one part of each message (uid: (section, how many)), with
        BODY.PEEK[section]<0.n>, as sent (still in its transfer encoding)."""
        grouped: dict[tuple[str, int], list[int]] = {}
        for uid, wanted in sections.items():
            grouped.setdefault(wanted, []).append(uid)
        found: dict[int, bytes] = {}
        for (section, limit), uids in sorted(grouped.items()):
            for i in range(0, len(uids), BATCH):
                with self._guard("reading the start of possible forwards"):
                    response = self.client.fetch(uids[i:i + BATCH], [f"BODY.PEEK[{section}]<0.{limit}>"])
                for uid, item in response.items():
                    data = next((v for k, v in item.items() if k.startswith(b"BODY[")), None) if isinstance(item, dict) else None
                    if isinstance(uid, int) and isinstance(data, bytes):
                        found[uid] = data
        return found

    def fetch(self, folder: str, uids: list[int], sizes: Mapping[int, int] = {}) -> Iterator[tuple[int, RawMessage]]:
        """The messages, read-only; one over MAX_MESSAGE_BYTES (by `sizes`) only up to it, with a
        partial fetch (BODY.PEEK[]<0.n>): its headers and text come first."""
        partial = f"BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>"
        for i in range(0, len(uids), BATCH):
            batch = uids[i:i + BATCH]
            whole = [u for u in batch if sizes.get(u, 0) <= MAX_MESSAGE_BYTES]
            cut = [u for u in batch if sizes.get(u, 0) > MAX_MESSAGE_BYTES]
            response: dict = {}
            with self._guard("downloading messages"):
                if whole:
                    response.update(self.client.fetch(whole, ["BODY.PEEK[]", "INTERNALDATE"]))
                if cut:
                    response.update(self.client.fetch(cut, [partial, "INTERNALDATE"]))
            for uid in batch:
                item = response.get(uid) or {}
                data = item.get(b"BODY[]", item.get(b"BODY[]<0>"))
                if not isinstance(data, bytes):
                    continue
                when = item.get(b"INTERNALDATE")
                yield uid, RawMessage(data=data, source=f"{folder}/{uid}", in_container=True,
                                      internaldate=when if isinstance(when, datetime) and when.tzinfo else None,
                                      size=sizes[uid] if uid in cut else None)

    def capabilities(self) -> set[str]:
        with self._guard("asking for capabilities"):
            return {c.decode().upper() for c in self.client.capabilities()}

    def idle_wait(self, folder: str, renew_seconds: float, should_stop: Callable[[], bool]) -> bool:
        """IDLE on a folder until the server reports something, renew time passes, or a stop.

        Re-issued well before RFC 2177's 29 minutes. idle_check returns nothing on a dead
        connection (imapclient#565), so the DONE and NOOP at renewal are what detect one: they
        raise, and the caller reconnects. Returns True when the server reported a change.
        """
        import time

        self.client.select_folder(folder, readonly=True)
        self.client.idle()
        started = time.monotonic()
        changed = False
        try:
            while not should_stop() and time.monotonic() - started < renew_seconds:
                responses = self.client.idle_check(timeout=1)
                if any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    changed = True
                    break
                if any(isinstance(r, tuple) and r and r[0] == b"BYE" for r in responses):
                    raise ConnectionResetError("the server said BYE")
        finally:
            self.client.idle_done()
        self.client.noop()
        return changed




def _protocol_failure(exc: Exception) -> bool:
    """A LoginError that is not the server saying no: garbage, a BAD, a dropped connection."""
    cause = exc.__context__
    return isinstance(cause, imaplib.IMAP4.abort) or "command error" in str(exc) or "BAD" in str(exc).split(":")[0]


def _field_value(field: bytes) -> bytes:
    """'From: a <b@c>\r\n\r\n' -> b'a <b@c>' (folds kept: the header reader unfolds)."""
    field = field.strip()
    name, sep, value = field.partition(b":")
    return value.strip() if sep and name.strip().lower() == b"from" else b""


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def _parts(body: tuple, section: str, inside: bool) -> list[Part]:
    """BODYSTRUCTURE's leaves with their section numbers (RFC 3501 6.4.5): a multipart's children
    are n.1, n.2 ...; a message's only part is 1; an attached message's body is n.1 or its parts."""
    if body and isinstance(body[0], list):  # multipart: (children, subtype, ...)
        out: list[Part] = []
        for i, child in enumerate(body[0], 1):
            if isinstance(child, tuple):
                out += _parts(child, f"{section}.{i}" if section else str(i), inside)
        return out
    if len(body) < 7:
        return []
    here = section or "1"
    mime = f"{_text(body[0])}/{_text(body[1])}".lower()
    encoding = _text(body[5]).lower()
    if mime != "message/rfc822" or len(body) < 9 or not isinstance(body[8], tuple):
        return [Part(here, mime, encoding, inside_attached=inside)]
    envelope = body[7] if isinstance(body[7], tuple) else ()
    senders = envelope[2] if len(envelope) > 2 and isinstance(envelope[2], tuple) else ()
    attached_from = tuple(f"{_text(a[0])} <{_text(a[2])}@{_text(a[3])}>" for a in senders
                          if isinstance(a, tuple) and len(a) >= 4)
    inner = body[8]
    inner_section = here if inner and isinstance(inner[0], list) else f"{here}.1"
    return [Part(here, mime, encoding, attached_from, inside), *_parts(inner, inner_section, True)]
