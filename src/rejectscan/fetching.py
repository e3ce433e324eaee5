"""The fetch pipeline, one folder at a time: plan, search, check candidates, download, judge, record.

- plan: from the folder's sync point in the store, what is left to examine (nothing, only new
  UIDs, or the whole window when it is new, wider than before, or after a UIDVALIDITY change);
- search: one server-side SEARCH for the platforms' senders and forwards, SINCE the window, from
  headers alone unless the server has a full-text index (searches.py);
- check candidates: the one stage that decides which found UIDs are downloaded, and how much of
  each, before any body is (UIDs examined by an earlier, interrupted run are skipped here; every
  size and From field is asked first, and a message over models.MAX_MESSAGE_BYTES is fetched
  only up to it: a partial fetch; mail from the user is a forward only once a look at its
  structure and the start of its text confirms it, confirm.py);
- download, judge and record a batch at a time, each batch bounded in messages and in bytes:
  its records commit with the UIDs it examined, so a killed first fetch resumes where it stopped;
- the folder's sync point moves once the pass is complete.

Reporting is not done here: the caller delivers what the store holds unreported (delivery.py).
A verdict, once reported, is never reported again; `history` may judge stored mail again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Iterable, Mapping, Protocol

from rejectscan import confirm, pipeline
from rejectscan.authenticity import Trust
from rejectscan.errors import InputError
from rejectscan.history import History
from rejectscan.models import MAX_MESSAGE_BYTES, ForwardSearch, Probe, RawMessage, Sized
from rejectscan.patterns import PatternSet
from rejectscan.prefilter import Prefilter
from rejectscan.progress import Progress, Silent
from rejectscan.record import Record
from rejectscan.searches import SearchTerms, search_criteria, search_terms, since_day
from rejectscan.store import Saved, Store, SyncPoint
from rejectscan.textout import plural

BATCH = 100
BATCH_BYTES = 16 * 1024 * 1024  # bodies downloaded in one FETCH, whatever the messages' sizes

log = logging.getLogger("rejectscan.fetch")


class FolderInfo(Protocol):
    uidvalidity: int
    uidnext: int | None
    highestmodseq: int | None


class Mailbox(Protocol):
    """What the pipeline needs of a server (sources.imap.ImapMailbox)."""

    def folders(self) -> list[str]: ...

    def select(self, folder: str) -> FolderInfo: ...

    def search(self, criteria: list) -> list[int]: ...

    def capabilities(self) -> set[str]: ...

    def sized(self, folder: str, uids: list[int]) -> dict[int, Sized]: ...  # RFC822.SIZE and From, no body

    def probe(self, folder: str, uids: list[int]) -> dict[int, Probe]: ...  # BODYSTRUCTURE

    def excerpts(self, folder: str, sections: Mapping[int, tuple[str, int]]) -> dict[int, bytes]: ...  # starts of parts

    def fetch(self, folder: str, uids: list[int],
              sizes: Mapping[int, int]) -> Iterable[tuple[int, RawMessage]]: ...  # over the cap: its start


@dataclass(frozen=True)
class FetchRequest:
    account: str
    since: datetime
    rescan: bool = False
    search_forwards: ForwardSearch = ForwardSearch.HEADERS
    own_addresses: tuple[str, ...] = ()  # the login name when it is an address, and `addresses`


@dataclass(frozen=True)
class FetchOutcome:
    rescanned: tuple[str, ...]  # with --rescan: every message in the window, to report again
    errors: tuple[InputError, ...]


@dataclass(frozen=True)
class Candidate:
    """A found message to download: its UID and size (RFC822.SIZE; 0 when the server gave none)."""

    uid: int
    size: int

    @property
    def download_bytes(self) -> int:
        """What fetching it costs: a message over the cap is fetched only up to it."""
        return min(self.size, MAX_MESSAGE_BYTES)


def batches(candidates: list[Candidate], count: int = BATCH, budget: int = BATCH_BYTES) -> list[list[Candidate]]:
    """Consecutive batches of at most `count` messages and `budget` bytes (one message alone may
    take a whole batch): eight 50 MB messages are never downloaded in one response."""
    out: list[list[Candidate]] = []
    current: list[Candidate] = []
    spent = 0
    for c in candidates:
        if current and (len(current) >= count or spent + c.download_bytes > budget):
            out.append(current)
            current, spent = [], 0
        current.append(c)
        spent += c.download_bytes
    if current:
        out.append(current)
    return out


@dataclass(frozen=True)
class SearchPlan:
    since: datetime
    after_uid: int  # 0: the whole window
    skip_examined: bool  # leave out UIDs an earlier (interrupted) run already examined

    @property
    def whole_window(self) -> bool:
        return self.after_uid == 0


def plan(point: SyncPoint | None, uidvalidity: int, uidnext: int | None, since: datetime,
         rescan: bool, modseq: int | None = None) -> SearchPlan | None:
    """What is left to examine in one folder; None when nothing is."""
    same = point is not None and point.uidvalidity == uidvalidity
    if rescan:
        return SearchPlan(since, 0, skip_examined=False)
    if not same or point.since is None or since < point.since:
        return SearchPlan(since, 0, skip_examined=True)  # new, after a UIDVALIDITY change, or wider
    if modseq is not None and modseq == point.modseq:
        return None  # CONDSTORE: nothing at all changed in the folder since the last pass
    if uidnext is not None and uidnext <= point.last_uid + 1:
        return None  # nothing arrived since the last pass: no SEARCH at all
    return SearchPlan(since, point.last_uid, skip_examined=True)


def message_key(data: bytes, message_id: str | None) -> str:
    """Message-ID identifies a message across folders; without one, its bytes do."""
    if message_id and message_id.strip():
        return message_id.strip()
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Fetcher:
    """Runs the pipeline over every configured folder of one mailbox into one store."""

    def __init__(self, mailbox: Mailbox, store: Store, patterns: PatternSet, history: "HistorySource",
                 trust: Trust = Trust(), progress: Progress = Silent(), zone: tzinfo | None = None) -> None:
        self.mailbox = mailbox
        self.zone = zone  # the user's: forwards they made wrote their quoted dates in it
        self.progress = progress
        self._downloaded, self._to_download = 0, 0  # in the folder being read, for the progress line
        self.trust = trust
        self.store = store
        self.patterns = patterns
        self.history = history
        self.prefilter = Prefilter.for_patterns(patterns)

    def run(self, request: FetchRequest) -> FetchOutcome:
        errors: list[InputError] = []
        rescanned: list[str] = []
        seen: set[str] = set()  # the same message in two folders (Gmail labels) is judged once
        gmail = request.search_forwards is not ForwardSearch.OFF and "X-GM-EXT-1" in self.mailbox.capabilities()
        terms = search_terms(self.patterns, request.search_forwards, request.own_addresses, gmail)
        if request.search_forwards is not ForwardSearch.OFF and not terms.forwards:
            log.info("no address of yours is known (the login name is not one and `addresses` is not set): "
                     "forwards are not searched for")
        for folder in self.mailbox.folders():
            rescanned += self._folder(folder, request, terms, seen, errors)
        return FetchOutcome(rescanned=tuple(rescanned), errors=tuple(errors))

    def _folder(self, folder: str, request: FetchRequest, terms: SearchTerms, seen: set[str],
                errors: list[InputError]) -> list[str]:
        state = self.mailbox.select(folder)
        point = self.store.sync_point(request.account, folder)
        search = plan(point, state.uidvalidity, state.uidnext, request.since, request.rescan, state.highestmodseq)
        if search is None:
            return []
        self.progress.show(f"{folder}: searching", now=True)
        found = [u for u in self.mailbox.search(search_criteria(since_day(search.since), search.after_uid, terms))
                 if u > search.after_uid]
        candidates = self._candidates(request, folder, state.uidvalidity, found, search, terms)
        log.info("%s: %s to download (%s found by the search)", folder, plural(len(candidates), "message"),
                 f"{len(found):,}")
        keys: list[str] = []
        self._downloaded, self._to_download = 0, len(candidates)
        for batch in batches(candidates):
            keys += self._batch(folder, state.uidvalidity, batch, request, seen, errors)
        known = point.last_uid if point is not None and point.uidvalidity == state.uidvalidity else 0
        last = max([known, *found, (state.uidnext or 1) - 1])
        window = search.since if search.whole_window else point.since
        if point is not None and point.uidvalidity == state.uidvalidity and point.since is not None:
            window = min(window, point.since)
        self.store.finish_folder(request.account, folder, SyncPoint(state.uidvalidity, last, window,
                                                                    state.highestmodseq))
        return keys

    def _candidates(self, request: FetchRequest, folder: str, uidvalidity: int, found: list[int],
                    search: SearchPlan, terms: SearchTerms) -> list[Candidate]:
        """Which found UIDs to download, and their sizes: the stage that decides before any whole body
        is fetched. Size and From cost a few dozen bytes a message; the size bounds what each batch
        holds, the From field tells the platforms' mail (downloaded) from the user's (a possible
        forward, looked at in part first: confirm.py)."""
        if search.skip_examined:
            done = self.store.examined(request.account, folder, uidvalidity)
            found = [u for u in found if u not in done]
        sized = self.mailbox.sized(folder, found) if found else {}
        own = frozenset(terms.own)
        routes = {uid: confirm.route(sized.get(uid, Sized(uid, 0)), self.prefilter, terms.full_text, own)
                  for uid in found}
        maybe = [uid for uid in found if routes[uid] is confirm.Route.CONFIRM]
        forwards = self._confirmed(folder, maybe) if maybe else set()
        return [Candidate(uid, sized[uid].size if uid in sized else 0) for uid in found
                if routes[uid] is confirm.Route.DOWNLOAD or uid in forwards]

    def _confirmed(self, folder: str, uids: list[int]) -> set[int]:
        """The possible forwards that are forwards of platform mail: by the senders of the messages
        they attach, else by the first bytes of their text (two small FETCHes, no whole body)."""
        probes = self.mailbox.probe(folder, uids)
        kept = {uid for uid, p in probes.items() if confirm.attaches_platform_mail(p, self.prefilter)}
        sections = {uid: (part.section, confirm.EXCERPT_BYTES[part.mime]) for uid, p in probes.items()
                    if uid not in kept and (part := confirm.excerpt_part(p)) is not None}
        excerpts = self.mailbox.excerpts(folder, sections) if sections else {}
        kept |= {uid for uid, data in excerpts.items() if confirm.names_platform(data, self.prefilter)}
        log.info("%s: %s of %s of yours confirmed as forwards of platform mail from their structure and "
                 "first bytes", folder, f"{len(kept):,}", plural(len(uids), "message"))
        return kept

    def _batch(self, folder: str, uidvalidity: int, batch: list[Candidate], request: FetchRequest,
               seen: set[str], errors: list[InputError]) -> list[str]:
        """Download, examine, judge and record one batch; returns the keys to report again on --rescan."""
        examined: list[int] = []
        items: list[tuple[int, RawMessage, str]] = []
        facts = []
        uids = [c.uid for c in batch]
        for uid, raw in self.mailbox.fetch(folder, uids, {c.uid: c.size for c in batch}):
            self._downloaded += 1
            self.progress.show(f"{folder}: {self._downloaded:,} of {self._to_download:,} downloaded",
                               now=self._downloaded in (1, self._to_download))
            if raw.internaldate is not None and raw.internaldate < request.since:
                continue  # SINCE is whole days; the window is exact (and this UID is not examined)
            examined.append(uid)
            found = pipeline.examine_one(raw, self.patterns, False, errors.append, self.trust, self.zone)
            if found is None:
                continue
            key = message_key(raw.data, found.message_id)
            if key in seen:
                continue
            seen.add(key)
            items.append((uid, raw, key))
            facts.append(found)
        reports = pipeline.judge(facts, self.patterns, self.store.all_submissions(), self.history())
        saved = [Saved(key=key, uid=uid, record=Record.from_report(report), raw=raw.data,
                       rules=pipeline.judged_by(self.patterns, self.zone))
                 for (uid, raw, key), report in zip(items, reports)]
        self.store.save_batch(request.account, folder, uidvalidity, saved, examined, replace=request.rescan)
        return [s.key for s in saved] if request.rescan else []


class HistorySource(Protocol):
    def __call__(self) -> History: ...
