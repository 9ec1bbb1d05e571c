"""The Persian catalogue is complete and keeps every placeholder."""

import re
from pathlib import Path

import polib
from django.conf import settings

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def catalogue():
    return polib.pofile(str(Path(settings.BASE_DIR) / "locale/fa/LC_MESSAGES/django.po"))


def test_every_string_is_translated_and_none_is_fuzzy():
    po = catalogue()
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_translations_keep_their_placeholders():
    for entry in catalogue():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == expected, entry.msgid
