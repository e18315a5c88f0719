"""import_claims FILE: an archive of fact-checks (JSON Lines or schema.org ClaimReview JSON-LD)
imported as claims with their external review (SPEC section 6; formats in ``claims.imports``).

Progress on a terminal, then each skipped line (its number and why) and a summary. Exit
status 0 when every fact-check was imported or already present, 1 when some lines were
skipped, 2 on a usage error (no such file, an unknown format): then nothing is imported.

Here rather than in ``claims``: the import tells the pipeline (``core.events.touch_claims``)
which claims are new or changed, and the pipeline matches the open candidates against them.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.imports import FORMATS, ImportFormatError, ImportReport, import_file

from ._report import EXIT_SOME_FAILED, Progress, usage_error

# Archives are read whole; this keeps a mistaken path (a disk image) from filling the memory.
MAX_BYTES = 512 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import an archive of fact-checks: JSON Lines (one fact-check a line) or schema.org "
        "ClaimReview JSON-LD. Importing the same file again creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the archive")
        parser.add_argument(
            "--format",
            dest="fmt",
            default="auto",
            help=f"{', '.join(FORMATS)} or auto (the default: told from the content)",
        )

    def handle(self, *args, file: str, fmt: str, **options):
        if fmt not in (*FORMATS, "auto"):
            raise usage_error(f"Unknown format {fmt!r}: one of {', '.join(FORMATS)} or auto.")
        path = Path(file)
        if not path.is_file():
            raise usage_error(f"No such file: {file}")
        if path.stat().st_size > MAX_BYTES:
            raise usage_error(f"{file} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise usage_error(f"Cannot read {file}: {exc.strerror or exc}") from exc

        progress = Progress(self, total=0, noun="fact-checks")

        def show(report: ImportReport) -> None:
            progress.total = report.total
            progress.update(report.done)

        try:
            report = import_file(data, fmt=fmt, as_operator=True, progress=show)
        except ImportFormatError as exc:
            raise usage_error(str(exc)) from exc
        progress.clear()
        for problem in report.skipped:
            self.stdout.write(f"skipped {problem}")
        self.stdout.write(f"{report.summary()[:-1]} in {progress.elapsed()}.")
        if report.skipped:
            raise CommandError(
                f"{len(report.skipped)} of {report.total} fact-checks skipped: each is printed "
                "above with its line number and the reason.",
                returncode=EXIT_SOME_FAILED,
            )
