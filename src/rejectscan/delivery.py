"""Exactly-once delivery of new findings, for `fetch` and `watch` alike.

The order is the guarantee the README leads with: print a report (and flush it), then mark it
reported in the store, then notify. A run killed between printing and marking repeats that one
report next time and never loses one; a notifier that fails is logged and the rest go on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from rejectscan.record import Record
from rejectscan.showing import EVERY_KIND, Showing
from rejectscan.store import Store, StoredRecord

log = logging.getLogger("rejectscan.delivery")


class RecordSink(Protocol):
    """Records written one by one as they are made, in any format (render.RecordStream)."""

    def add(self, record: Record) -> None: ...  # writes and flushes

    def close(self) -> None: ...


class RecordWriter(Protocol):
    """Where reports go (render.RecordWriter): one at a time when it streams, else all at once."""

    streams: bool

    def write(self, records: Sequence[Record]) -> None: ...  # writes and flushes

    def sink(self) -> RecordSink: ...

    def nothing_new(self, hidden: int = 0) -> None: ...


Notifier = Callable[[Record], object]


@dataclass(frozen=True)
class Delivery:
    writer: RecordWriter
    notifiers: tuple[Notifier, ...] = ()
    stopping: Callable[[], bool] = lambda: False  # asked to stop: print and mark, notify no more
    showing: Showing = Showing(output=EVERY_KIND, notify=EVERY_KIND)

    def deliver(self, store: Store, pending: list[StoredRecord]) -> list[Record]:
        """Print what is shown, mark everything reported (shown or not, so a later run never dumps
        what was filtered out), notify; returns every record delivered."""
        shown = [item for item in pending if self.showing.shows(item.record)]
        if not shown:
            self.writer.nothing_new(hidden=len(pending))
            if pending:
                store.mark_reported([item.key for item in pending])
            return [item.record for item in pending]
        if self.writer.streams:
            for item in pending:
                if self.showing.shows(item.record):
                    self.writer.write([item.record])
                store.mark_reported([item.key])
                self._notify(item.record)
        else:
            self.writer.write([item.record for item in shown])
            store.mark_reported([item.key for item in pending])
            for item in pending:
                self._notify(item.record)
        return [item.record for item in pending]

    def _notify(self, record: Record) -> None:
        if not self.showing.notifies(record):
            return
        for notifier in self.notifiers:
            if self.stopping():
                return
            try:
                notifier(record)
            except Exception as exc:  # a notifier never stops delivery
                log.error("notifier failed: %s: %s", type(exc).__name__, exc)
