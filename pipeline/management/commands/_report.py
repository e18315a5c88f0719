"""What the batch commands print (SPEC section 9): a line per item, progress on a terminal,
a summary, and the exit status: 0 when every item succeeded, 1 when some failed, 2 on a usage
error (``usage_error``)."""

from __future__ import annotations

import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from pipeline.ingest import CheckReport

EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


def usage_error(message: str) -> CommandError:
    """A command given the wrong arguments: nothing is done, and it exits with status 2."""
    return CommandError(message, returncode=EXIT_USAGE)


def candidate_count(article) -> int:
    """Check-worthy candidates of the article, once the candidates module is installed."""
    for model in apps.get_models():
        if model.__name__ != "Candidate":
            continue
        names = {f.name for f in model._meta.get_fields()}
        if "article" in names:
            return model.objects.filter(article=article).count()
        if "revision" in names:
            return model.objects.filter(revision__article=article).count()
    return 0


def report_line(report: CheckReport, *, position: str = "") -> str:
    article = report.article
    parts = [
        f"{position} " if position else "",
        f"#{article.pk} {article.state}",
        f" revisions={article.revisions.count()}",
        f" candidates={candidate_count(article)}",
        f" {report.outcome}",
        f" {article.canonical_url}",
    ]
    if report.error:
        parts.append(f" — {report.error}")
    return "".join(parts)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds // 60 % 60:02d} min"


def _plain(text: str) -> str:
    # Django styles stderr as errors on a terminal; progress is not an error.
    return text


class Batch:
    """Counts a command's items as they are done. On a terminal (stderr) a progress line
    (done / total, rate, time left) is redrawn under the item lines; elsewhere (cron, logs,
    tests) only the item lines and the summary are written."""

    def __init__(self, command: BaseCommand, *, total: int, noun: str = "items"):
        self.command = command
        self.total = total
        self.noun = noun
        self.ok = 0
        self.failed = 0
        self.started = time.monotonic()
        self.show_progress = command.stderr.isatty()

    @property
    def done(self) -> int:
        return self.ok + self.failed

    def position(self) -> str:
        return f"[{self.done + 1}/{self.total}]"

    def record(self, line: str, *, failed: bool) -> None:
        if failed:
            self.failed += 1
        else:
            self.ok += 1
        self._clear_progress()
        self.command.stdout.write(line)
        self._draw_progress()

    def _clear_progress(self) -> None:
        if self.show_progress:
            self.command.stderr.write("\r\x1b[K", style_func=_plain, ending="")

    def _draw_progress(self) -> None:
        if not self.show_progress or self.done >= self.total:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0
        # The cursor goes back to the start of the line, so a log line written meanwhile (an
        # item's failure) overwrites the progress rather than running on after it.
        self.command.stderr.write(
            f"{self.done}/{self.total} {self.noun}, {rate:.1f}/s, about {_duration(left)} left\r",
            style_func=_plain,
            ending="",
        )
        self.command.stderr.flush()

    def summary(self) -> str:
        elapsed = _duration(time.monotonic() - self.started)
        return f"{self.ok} ok, {self.failed} failed, of {self.done} {self.noun} in {elapsed}."

    def finish(self) -> None:
        """Print the summary; exit with status 1 when any item failed."""
        self._clear_progress()
        self.command.stdout.write(self.summary())
        if self.failed:
            raise CommandError(
                f"{self.failed} of {self.done} {self.noun} failed: each failure is stored on "
                "its item and printed above.",
                returncode=EXIT_SOME_FAILED,
            )


class Progress:
    """The progress line alone (done / total, rate, time left), for a command that reports its
    items in batches and prints only the problems and a summary; drawn on a terminal only."""

    def __init__(self, command: BaseCommand, *, total: int, noun: str = "items"):
        self.command = command
        self.total = total
        self.noun = noun
        self.started = time.monotonic()
        self.show = command.stderr.isatty()

    def elapsed(self) -> str:
        return _duration(time.monotonic() - self.started)

    def update(self, done: int) -> None:
        if not self.show:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        left = (self.total - done) / rate if rate else 0
        self.command.stderr.write(
            f"\r\x1b[K{done}/{self.total} {self.noun}, {rate:.0f}/s, about {_duration(left)} left",
            style_func=_plain,
            ending="",
        )
        self.command.stderr.flush()

    def clear(self) -> None:
        if self.show:
            self.command.stderr.write("\r\x1b[K", style_func=_plain, ending="")
