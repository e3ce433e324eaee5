"""Is a found message worth downloading whole? Decided before any whole body is fetched. Pure.

The one SEARCH (searches.py) finds the platforms' own mail, the user's mail that looks like a
forward (a subject marker, under a size ceiling) and, where the server has a full-text index,
mail whose text names a platform. From each one's From field and size (asked together):

- mail from a platform, and what a full-text search found that is not the user's own, is
  downloaded as found;
- the rest, the user's possible forwards, are confirmed from a partial look unless they are
  small: the senders of attached messages (the envelopes in BODYSTRUCTURE) and the first bytes
  of the first text part, checked with the pre-filter `analyze` puts every message through (it
  sees platform words through quoted-printable and base64). Only a confirmed one is downloaded
  whole.
"""

from __future__ import annotations

import enum

from rejectscan import headers
from rejectscan.models import Part, Probe, Sized
from rejectscan.prefilter import Prefilter

# How much of a candidate's first text part is read to confirm it: a forward's header block
# ("---------- Forwarded message ---------", "From: Upwork <...>") comes right after the note
# the user wrote above it; an HTML part may first hold a long style sheet (Outlook's does).
EXCERPT_BYTES = {"text/plain": 4 * 1024, "text/html": 16 * 1024}
# A candidate this small costs no more downloaded whole than looked at in part (and a forward
# would then be downloaded twice): it is downloaded at once.
SMALL_BYTES = 8 * 1024


class Route(str, enum.Enum):
    DOWNLOAD = "download"  # a platform's mail, or a full-text hit
    CONFIRM = "confirm"  # a possible forward: look at its structure and first bytes first


def route(found: Sized, prefilter: Prefilter, full_text: bool, own: frozenset[str] = frozenset()) -> Route:
    """Where one found message goes, from its From field and size (`own`: the user's addresses,
    lower case)."""
    if prefilter.from_field_concerns(b"From: " + found.from_field):
        return Route.DOWNLOAD  # a platform's mail
    if full_text and not {box.addr.lower() for box in headers.mailboxes(found.from_field)} & own:
        return Route.DOWNLOAD  # found by a full-text search: its text names a platform
    # What else the SEARCH finds is the user's own mail under a forward marker (or mail its FROM
    # term caught as a substring: notme@example.org for me@example.org): a possible forward,
    # looked at in part first unless it is small. With "body" search too, the user's own mail
    # matched the header terms as often as the body ones: it is confirmed the same way.
    return Route.CONFIRM if found.size > SMALL_BYTES else Route.DOWNLOAD


def excerpt_part(probe: Probe) -> Part | None:
    """The part whose first bytes tell a forward: the message's own first text/plain part, else
    its first text/html part (never one inside an attached message: its sender says enough)."""
    own = [p for p in probe.parts if not p.inside_attached and p.mime in ("text/plain", "text/html")]
    return next((p for p in own if p.mime == "text/plain"), own[0] if own else None)


def attaches_platform_mail(probe: Probe, prefilter: Prefilter) -> bool:
    """Does the candidate attach a message a platform sent (or one pretending to be a platform)?"""
    return any(prefilter.from_field_concerns(b"From: " + sender.encode("utf-8", "surrogatepass"))
               for part in probe.parts for sender in part.attached_from)


def names_platform(excerpt: bytes, prefilter: Prefilter) -> bool:
    """Platform words in the first bytes of a candidate's text: an inline forward's header block,
    a platform's address or name, seen through quoted-printable and base64 as `analyze` sees them."""
    # A header line and a blank line first, so the pre-filter reads the excerpt as a body.
    return bool(excerpt) and prefilter.may_concern(b"X-Excerpt: 1\n\n" + excerpt)
