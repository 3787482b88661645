"""The English catalog is complete: every string has a checked translation that keeps its placeholders.

The UI is Chinese with English available; an untranslated or fuzzy entry shows up in Chinese (or as
a wrong guess) on the English UI. The catalog is read with a small parser of the PO format, so the
test needs no extra dependency.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]|%%|\{\w*\}")


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and not self.obsolete

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """Return the entries of a PO file, the header included, obsolete (#~) ones marked as such."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)  # the field a continuation string ("...") extends
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = "", line
        # A comment, msgctxt or msgid after the msgstr of the current entry begins the next one.
        if entry is None or (entry.msgstr and (line.startswith("#") or keyword in ("msgctxt", "msgid"))):
            entry = Entry(line=number)
            entries.append(entry)
        entry.obsolete = entry.obsolete or obsolete
        if line.startswith("#"):
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        value = ast.literal_eval(rest)
        if not isinstance(value, str):
            raise AssertionError(f"line {number}: not a string")
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            target = (keyword, 0)
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[7:-1]) if keyword != "msgstr" else 0)
            entry.msgstr[target[1]] = ""
        elif keyword != "":
            raise AssertionError(f"line {number}: unknown keyword {keyword!r}")
        kind, index = target
        if kind == "msgid":
            entry.msgid += value
        elif kind == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif kind == "msgstr":
            entry.msgstr[index] += value
    return entries


def catalog_path() -> Path:
    return Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(catalog_path().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not e.obsolete and not e.is_header]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_the_parser_reads_a_plural_a_fuzzy_and_an_obsolete_entry():
    text = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\n#| msgid "旧"\nmsgid ""\n"已保存 "\n"%(n)s 条"\nmsgstr "Saved %(n)s"\n\n'
        '#: b.html:2\nmsgid "%(n)s 个"\nmsgid_plural "%(n)s 个"\nmsgstr[0] "%(n)s item"\nmsgstr[1] ""\n\n'
        '#~ msgid "不用了"\n#~ msgstr "No longer used"\n'
    )
    header, fuzzy, plural, obsolete = parse_po(text)
    assert header.is_header
    assert header.msgstr[0] == "Language: en\n"
    assert (fuzzy.msgid, fuzzy.msgstr[0], "fuzzy" in fuzzy.flags) == ("已保存 %(n)s 条", "Saved %(n)s", True)
    assert plural.msgid_plural == "%(n)s 个"
    assert plural.msgstr == {0: "%(n)s item", 1: ""}
    assert (obsolete.obsolete, obsolete.msgid) == (True, "不用了")


def test_the_english_catalog_is_for_english_with_two_plural_forms(entries: list[Entry]):
    header = next(e for e in entries if e.is_header)
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]


def test_every_string_of_the_english_catalog_is_translated(messages: list[Entry]):
    assert len(messages) > 1000
    untranslated = [str(e) for e in messages if not e.msgstr or any(not s for s in e.msgstr.values())]
    assert untranslated == []


def test_plural_strings_have_both_english_forms(messages: list[Entry]):
    plurals = [e for e in messages if e.msgid_plural is not None]
    assert plurals
    assert [str(e) for e in plurals if sorted(e.msgstr) != [0, 1]] == []


def test_the_english_catalog_has_no_fuzzy_guesses(messages: list[Entry]):
    assert [str(e) for e in messages if "fuzzy" in e.flags] == []


def test_the_english_catalog_keeps_no_obsolete_strings(entries: list[Entry]):
    assert [str(e) for e in entries if e.obsolete] == []


def test_translations_keep_the_placeholders_of_the_chinese(messages: list[Entry]):
    wrong = []
    for e in messages:
        for index, text in e.msgstr.items():
            source = e.msgid if index == 0 or e.msgid_plural is None else e.msgid_plural
            if placeholders(text) != placeholders(source):
                wrong.append(f"{e} → {text!r}")
    assert wrong == []


def test_translations_leave_no_chinese_behind(messages: list[Entry]):
    # “说明” is the name of the instructions sheet in the Excel templates, quoted as it appears there.
    chinese = re.compile(r"[\u4e00-\u9fff]")
    left = [
        f"{e} → {text!r}" for e in messages for text in e.msgstr.values() if chinese.search(text.replace("“说明”", ""))
    ]
    assert left == []
