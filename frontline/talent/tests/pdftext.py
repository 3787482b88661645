"""Read the text back out of a PDF written by WeasyPrint (tests only; no PDF library in the project).

WeasyPrint writes text as glyph ids in Type0 fonts, each with a ToUnicode CMap, and packs the
dictionaries into compressed object streams. This reads exactly that: every object (also those
inside object streams), each font's CMap, and the `Tf`/`Tj`/`TJ` operators of the page contents.
"""

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(stream\r?\n|endobj)", re.S)
_LENGTH = re.compile(rb"/Length (\d+)")
_REF = re.compile(rb"/([A-Za-z0-9_.+-]+)\s+(\d+) 0 R")
_TO_UNICODE = re.compile(rb"/ToUnicode\s+(\d+) 0 R")
_FONT_REF = re.compile(rb"/Font\s+(\d+) 0 R")
_FONT_DICT = re.compile(rb"/Font\s*<<(.*?)>>", re.S)
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_CONTENTS = re.compile(rb"/Contents\s+(\d+) 0 R")
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")
_TEXT_OP = re.compile(rb"/([A-Za-z0-9_.+-]+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj|(ET)", re.S)


def _inflate(head: bytes, body: bytes | None) -> bytes | None:
    if body is None:
        return None
    return zlib.decompress(body) if b"/FlateDecode" in head else body


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJECT.finditer(pdf):
        head, body = match.group(2), None
        if match.group(3) != b"endobj":
            length = int(_LENGTH.search(head).group(1))  # type: ignore[union-attr]
            body = _inflate(head, pdf[match.end() : match.end() + length])
        objects[int(match.group(1))] = (head, body)
        if b"/ObjStm" in head and body is not None:
            first = int(re.search(rb"/First (\d+)", head).group(1))  # type: ignore[union-attr]
            numbers = [int(n) for n in body[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for index, (number, offset) in enumerate(pairs):
                end = pairs[index + 1][1] if index + 1 < len(pairs) else len(body) - first
                objects[number] = (body[first + offset : first + end].strip(), None)
    return objects


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be")


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in _BFCHAR.findall(data):
        codes = _HEX.findall(block)
        for code, text in zip(codes[::2], codes[1::2], strict=True):
            mapping[int(code, 16)] = _utf16(text)
    for block in _BFRANGE.findall(data):
        codes = _HEX.findall(block)
        for low, high, start in zip(codes[::3], codes[1::3], codes[2::3], strict=True):
            first = ord(_utf16(start))
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def pdf_text(pdf: bytes) -> str:
    """Return the text of every page, in content order, one line per text object."""
    objects = _objects(pdf)
    fonts: dict[bytes, dict[int, str]] = {}
    for head, _body in objects.values():
        font_dicts = _FONT_DICT.findall(head)
        font_dicts += [objects[int(n)][0] for n in _FONT_REF.findall(head) if int(n) in objects]
        for font_dict in font_dicts:
            for name, number in _REF.findall(font_dict):
                to_unicode = _TO_UNICODE.search(objects.get(int(number), (b"", None))[0])
                if to_unicode:
                    fonts[name] = _cmap(objects[int(to_unicode.group(1))][1] or b"")
    lines: list[str] = []
    current: list[str] = []
    cmap: dict[int, str] = {}
    contents = [int(n) for head, _body in objects.values() for n in _CONTENTS.findall(head)]
    for number in contents:
        body = objects[number][1] or b""
        for font, array, single, end in _TEXT_OP.findall(body):
            if font:
                cmap = fonts.get(font, {})
            elif end:
                if current:
                    lines.append("".join(current))
                current = []
            else:
                for hex_text in [single] if single else _HEX.findall(array):
                    raw = bytes.fromhex(hex_text.decode())
                    current += [cmap.get(int.from_bytes(raw[i : i + 2]), "") for i in range(0, len(raw) - 1, 2)]
    return "\n".join(lines)
