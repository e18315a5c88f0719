"""SPEC section 9: with SQLite, the web server and the worker write at the same time without
"database is locked" (WAL, immediate transactions, a busy timeout)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
from claims import services
from claims.models import Source
source = Source.objects.get(name="Writer test source")
for n in range({count}):
    claim = services.claim_create(statement=f"{name} claim {{n}}", claimant=source)
    services.evidence_create(
        claim=claim, stance="context", source=source,
        url=f"https://example.org/{name}/{{n}}", title="Context",
    )
print("done")
"""


def _env(db_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(
        DATABASE_URL=f"sqlite:///{db_path}",
        DJANGO_SETTINGS_MODULE="factcheck.settings_test",
    )
    return env


def test_two_processes_write_at_once_without_locking_errors(tmp_path):
    db_path = tmp_path / "shared.sqlite3"
    env = _env(db_path)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from claims.services import source_create; "
            "source_create(name='Writer test source', kind='outlet')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    writers = [
        subprocess.Popen(
            [*manage, "shell", "-c", WRITER.format(count=40, name=name)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("web", "worker")
    ]
    results = [w.communicate(timeout=300) for w in writers]
    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert "database is locked" not in err
        assert out.strip().endswith("done")
    count = subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from claims.models import Claim, Evidence; "
            "print(Claim.objects.count(), Evidence.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert count.stdout.split()[-2:] == ["80", "80"]
    journal = subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from django.db import connection; c = connection.cursor(); "
            "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert journal.stdout.split()[-1] == "wal"
