"""What `fetch` asks the server: one SEARCH per folder, built here. Pure: no I/O.

Three kinds of terms, OR'ed into one SEARCH with the date (and, on a rerun, the new UIDs):

- the platforms: FROM each name, domain and lookalike token (the whole From header is searched,
  display name included, so lookalikes and pretenders are found too);
- the user's own forwards, answerable from headers alone on any server: FROM one of the user's
  addresses, AND a forward marker in the subject in a language the forward parser knows ("Fwd:",
  "WG:", "TR:", "RV:", ...), AND SMALLER than a ceiling. A server without a full-text index
  reads only its header cache for these, never a body;
- full text, only where the server answers it from an index: Gmail's X-GM-RAW (when it offers
  X-GM-EXT-1), or BODY "@domain" when the user says the server is indexed
  (`search_forwards = "body"`). Only these find a forward someone else sent.

Which found message is which is decided afterwards from its From field (fetching's candidate
stage): mail from the user is confirmed by a partial fetch before it is downloaded whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rejectscan.forwards import FORWARD_PREFIXES
from rejectscan.models import ForwardSearch
from rejectscan.patterns import PatternSet
from rejectscan.prefilter import minimal_words

# A forward of a platform email is a few dozen KB, a few hundred with the original attached and a
# screenshot; mail from the user above this is not looked at as a forward.
FORWARD_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class SearchTerms:
    """The terms of one folder's SEARCH, before the date and UID range are put in front."""

    platforms: tuple[str, ...]  # FROM terms
    own: tuple[str, ...] = ()  # the user's addresses: FROM terms of the forward search
    markers: tuple[str, ...] = ()  # SUBJECT terms narrowing the user's mail to forwards
    bodies: tuple[str, ...] = ()  # BODY terms (search_forwards = "body" on a server that is not Gmail)
    gmail_query: str = ""  # X-GM-RAW query, on Gmail
    full_text: bool = False  # full-text hits are downloaded as found (their body names a platform)

    @property
    def forwards(self) -> bool:
        return bool(self.own or self.bodies or self.gmail_query)


def subject_markers() -> tuple[str, ...]:
    """SUBJECT terms for the forward parser's subject prefixes: "fwd:" and "fwd :" (French puts a
    space before the colon). SEARCH is ASCII everywhere (Office 365 takes nothing else), so a
    marker with other letters is left out; IMAP matches them in any case."""
    ascii_only = [p for p in FORWARD_PREFIXES if p.isascii()]
    return minimal_words({f"{p}{gap}:" for p in ascii_only for gap in ("", " ")})


def search_terms(patterns: PatternSet, mode: ForwardSearch, own: tuple[str, ...] = (),
                 gmail: bool = False) -> SearchTerms:
    """The terms for one account: the platforms always; forwards as `mode` says, with Gmail's own
    full-text search where the server offers it (it is indexed: no body is read per search)."""
    platforms = minimal_words({t.strip(".") for p in patterns.platforms for t in (*p.lookalike_tokens, *p.domains)})
    domains = tuple(dict.fromkeys(d for p in patterns.platforms for d in p.domains))
    if mode is ForwardSearch.OFF:
        return SearchTerms(platforms=platforms)
    own = tuple(sorted({a.strip().lower() for a in own if "@" in a and a.isascii()}))
    if gmail:
        query = "{" + " ".join(f'"@{d}"' for d in domains) + "}"
        if mode is ForwardSearch.HEADERS:  # the user's own forwards, found by Gmail's index
            query = "from:{" + " ".join(own) + "} " + query if own else ""
        return SearchTerms(platforms=platforms, gmail_query=query, full_text=True)
    bodies = tuple(f"@{d}" for d in domains) if mode is ForwardSearch.BODY else ()
    return SearchTerms(platforms=platforms, own=own, markers=subject_markers() if own else (), bodies=bodies,
                       full_text=bool(bodies))


def any_of(terms: list[list]) -> list:
    """t1 OR t2 OR ... as IMAP's binary prefix OR: "OR a OR b c" is a OR (b OR c)."""
    flat: list = []
    for i, term in enumerate(terms):
        if i < len(terms) - 1:
            flat.append("OR")
        flat.extend(term)
    return flat


def search_criteria(since_day: date, after_uid: int, terms: SearchTerms) -> list:
    """SINCE day [UID n:*] AND (platform senders OR the user's forwards OR full text), one SEARCH."""
    alternatives: list[list] = [["FROM", t] for t in terms.platforms]
    if terms.own:  # one parenthesised term: (FROM a OR b) (SUBJECT m1 OR m2 ...) SMALLER n
        alternatives.append([[any_of([["FROM", a] for a in terms.own]),
                              any_of([["SUBJECT", m] for m in terms.markers]), "SMALLER", FORWARD_MAX_BYTES]])
    alternatives += [["BODY", b] for b in terms.bodies]
    if terms.gmail_query:
        alternatives.append(["X-GM-RAW", terms.gmail_query])
    criteria: list = ["SINCE", since_day]
    if after_uid:
        criteria += ["UID", f"{after_uid + 1}:*"]
    return criteria + any_of(alternatives)


def since_day(since: datetime) -> date:
    """IMAP SINCE is whole days in the server's zone: ask one day wider, filter exactly afterwards."""
    return (since - timedelta(days=1)).date()
