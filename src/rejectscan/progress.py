"""What a long run is doing, for a person watching it: one line on stderr, redrawn in place.

Only a terminal gets it (README "Feedback while it runs"): cron, pipes, `--quiet` and logs get
nothing, so the steps below call a `Progress` that does nothing there. The line is cleared before
anything else is printed (a finding, an error), so it never mixes with the output.
"""

from __future__ import annotations

import time
from typing import Callable, Protocol, TextIO

from rejectscan.safe import field

EVERY = 0.1  # seconds between redraws at most: a fast scan must not spend its time drawing


class Progress(Protocol):
    def show(self, text: str, now: bool = False) -> None: ...  # now: draw even if drawn a moment ago

    def clear(self) -> None: ...


class Silent:
    """No terminal to draw on, or the user asked for quiet."""

    def show(self, text: str, now: bool = False) -> None:
        pass

    def clear(self) -> None:
        pass


class Meter:
    """The line on a terminal's stderr. Text may name folders and files from the mail server or the
    disk, so it is escaped (safe.field) and cut to the width, never wrapped."""

    def __init__(self, stream: TextIO, width: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.width = max(20, width - 1)  # never the last column: some terminals wrap there
        self.clock = clock
        self.drawn = False
        self.last = float("-inf")

    def show(self, text: str, now: bool = False) -> None:
        moment = self.clock()
        if not now and moment - self.last < EVERY:
            return
        self.last = moment
        line = field(text)
        if len(line) > self.width:
            line = line[: self.width - 3] + "..."
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False
            self.last = float("-inf")
