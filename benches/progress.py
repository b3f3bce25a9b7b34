"""The progress bar the runner draws on stderr while the workers run."""

from __future__ import annotations

import shutil
import sys
import time
from typing import IO


class Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.total, self.done = max(total, 1), 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self.label = ""
        self._last_decile = -1

    def _line(self) -> str:
        frac = min(self.done / self.total, 1.0)
        width = 28
        fill = int(frac * width)
        elapsed = time.monotonic() - self.start
        eta = f" eta {elapsed / frac * (1 - frac):4.0f}s" if 0.02 < frac < 1 else ""
        bar = "#" * fill + "-" * (width - fill)
        return f"[{bar}] {frac:4.0%} {elapsed:4.0f}s{eta}  {self.label}"

    def draw(self) -> None:
        if self.tty:
            cols = shutil.get_terminal_size((100, 24)).columns
            self.stream.write("\r" + self._line()[: cols - 1] + "\x1b[K")
            self.stream.flush()
        else:
            decile = int(10 * self.done / self.total)
            if decile != self._last_decile:
                self._last_decile = decile
                print(self._line(), file=self.stream, flush=True)

    def advance(self, n: int = 1, label: str | None = None) -> None:
        self.done += n
        if label is not None:
            self.label = label
        self.draw()

    def note(self, message: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
        print(message, file=self.stream, flush=True)
        self.draw()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
