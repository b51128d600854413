"""The Korean catalogue is complete, and the compiled .mo matches the .po."""

import ast
import gettext
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale/ko/LC_MESSAGES/django.po"


def po_entries():
    """``{msgid: msgstr}`` from the .po (plural entries keyed by their singular)."""
    entries, flags, current, key = {}, [], {}, None
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.get("msgid"):
                entries[current["msgid"]] = (
                    current.get("msgstr", current.get("msgstr[0]", "")),
                    flags,
                )
            flags, current, key = [], {}, None
        elif line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 200
    untranslated = [m for m, (t, _) in entries.items() if not t]
    fuzzy = [m for m, (_, f) in entries.items() if "fuzzy" in f]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_the_compiled_catalogue_matches_the_po_file():
    with PO.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for msgid, (msgstr, _) in po_entries().items():
        assert compiled.gettext(msgid) == msgstr or compiled.ngettext(msgid, msgid, 1) == msgstr, (
            f"{msgid!r}: run `make messages` to compile the Korean catalogue"
        )
