"""Everything a comment cites resolves inside the clone (docs/style.md, habit 15)."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULE_ID = re.compile(r"\b([AUST](?:1[0-3]|[1-9]))\b")


def _source_files():
    listed = subprocess.run(
        ["git", "ls-files", "*.py", "*.html", "*.txt", "*.toml"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if not name.startswith("static/vendor/")]


def _headings() -> dict[str, set[str]]:
    """Each docs file's heading texts."""
    return {
        path.name: {
            line.lstrip("#").strip()
            for line in path.read_text().splitlines()
            if line.startswith("#")
        }
        for path in (ROOT / "docs").glob("*.md")
    }


def test_no_comment_cites_a_ticket_or_a_document_outside_the_repository():
    found = []
    for path in _source_files():
        if path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8").lower()
        for needle in ("issue #", "spec §", "style habit", "developers.md"):
            if needle in text:
                found.append(f"{path.relative_to(ROOT)}: {needle}")
    assert found == []


def test_every_docs_file_cited_exists():
    cited = set()
    for path in _source_files():
        cited |= set(re.findall(r"docs/([a-z-]+\.md)", path.read_text(encoding="utf-8")))
    assert cited, "the code cites docs/"
    assert cited <= set(_headings()), cited - set(_headings())


def test_every_rule_id_cited_in_code_is_a_heading_in_docs():
    headings = " ".join(h for names in _headings().values() for h in names)
    defined = {m.group(1) for m in re.finditer(r"\b([AUST]\d{1,2}) — ", headings)}
    assert {f"A{n}" for n in range(1, 14)} <= defined
    cited = set()
    for path in _source_files():
        if "/migrations/" in str(path) or path.suffix == ".toml":
            continue
        cited |= set(RULE_ID.findall(path.read_text(encoding="utf-8")))
    assert cited - defined == set()


def test_every_source_cited_in_code_has_a_heading_in_docs():
    """ "seed 002", "FAQ 003": Microsoft's pages the product was built from (docs/sources.md)."""
    headings = " ".join(h for names in _headings().values() for h in names).lower()
    cited = set()
    for path in _source_files():
        cited |= set(re.findall(r"\b(seed|faq) (00\d)\b", path.read_text(encoding="utf-8").lower()))
    assert cited, "the code cites its sources"
    missing = {f"{kind} {number}" for kind, number in cited if f"{kind} {number} —" not in headings}
    assert missing == set()
