"""Which text encoding a file is in: UTF-8 and BOMs first, Western text as cp1252, then charset-normalizer.

Used by `classify.inputs` for whole documents (`decode_bytes`) and for record files read line by line.
"""

from __future__ import annotations

import codecs
import re

from classify.errors import InputError

SNIFF_BYTES = 64 * 1024
CONTROL_SHARE = 0.05  # decoded text with more control characters than this is a binary file


def line_safe(encoding: str) -> bool:
    """True when b"\\n" always ends a line in this encoding, so lines can be split before decoding."""
    name = codecs.lookup(encoding).name
    if name.startswith(("utf-7", "utf_7", "iso2022", "hz")):
        return False
    try:
        return b"a\nb".decode(name) == "a\nb"
    except UnicodeDecodeError:
        return False


def check_encoding(encoding: str) -> str:
    """The codec name for a user's `--encoding`, or an InputError saying what to pass instead."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise InputError(f"unknown text encoding {encoding!r}; try utf-8, cp1252, latin-1 or utf-16")
    return info.name


def label(encoding: str) -> str:
    """The name people know an encoding by, for messages."""
    name = codecs.lookup(encoding).name
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-32": "UTF-32"}.get(name, name)


def binary_file_error(source: str) -> InputError:
    """The one message for a file that is not text."""
    return InputError("looks like a binary file, not text; it was skipped", source=source)


def decode_bytes(data: bytes, source: str, encoding: str | None = None) -> str:
    """Decode a whole file: the forced encoding, else UTF-8, else what charset-normalizer finds."""
    if encoding is not None:
        encoding = check_encoding(encoding)
        if line_safe(encoding) and b"\x00" in data:
            raise binary_file_error(source)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            raise InputError(f"not valid {label(encoding)} (byte 0x{data[error.start:error.start + 1].hex()} at offset "
                             f"{error.start}); try another --encoding", source=source) from None
    else:
        chosen = sniff_encoding(data[:SNIFF_BYTES], source, complete=len(data) <= SNIFF_BYTES)
        try:
            text = data.decode(chosen)
        except UnicodeDecodeError as error:
            if chosen == "utf-8":  # plain ASCII at first, then something else: look where it stops being UTF-8
                start = max(0, error.start - 1024)
                chosen = sniff_encoding(data[start:start + SNIFF_BYTES], source, complete=False, after_utf8=True)
            text = data.decode(chosen, errors="replace")
    if _looks_binary(text):
        raise binary_file_error(source)
    return text.removeprefix("\ufeff")


def _looks_binary(text: str) -> bool:
    sample = text[:SNIFF_BYTES]
    controls = sum(1 for char in sample if (char < " " and char not in "\t\n\r\f\v") or char == "\x7f")
    return controls > CONTROL_SHARE * max(len(sample), 1)


def _ascii_compatible(encoding: str) -> bool:
    try:
        return b"text: A-z 0-9\n".decode(encoding) == "text: A-z 0-9\n" and line_safe(encoding)
    except (UnicodeDecodeError, LookupError):
        return False


def sniff_encoding(sample: bytes, source: str, *, complete: bool, after_utf8: bool = False) -> str:
    """A BOM's encoding; UTF-8 if the bytes are; cp1252 if they read as Western text; else charset-normalizer's guess."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise binary_file_error(source)
    if not after_utf8:
        try:
            sample.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as error:
            if not complete and error.start >= len(sample) - 4 and error.reason == "unexpected end of data":
                return "utf-8"  # a character cut by the sample's end
    try:
        if _looks_western(sample.decode("cp1252")):
            return "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = next((match for match in from_bytes(sample) if _ascii_compatible(match.encoding)), None)
    if best is None:
        raise binary_file_error(source)
    return best.encoding


# letters and typography a Western text in cp1252 is made of (not ¹ ¤ ¦ ¨ ¯ ´ ¸ ¼ and the like)
WESTERN_CHARACTERS = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ"
    "ŠšŽžŒœŸƒ“”‘’‚„–—…€•«»°·§©®™†‡‰‹›¡¿£¥¢ªº±×÷\u00a0"
)


def _looks_western(text: str) -> bool:
    """cp1252's reading is plausible: accented letters and typography, one or two at a time.

    charset-normalizer cannot tell cp1252 from cp1250, cp1257 or cp775 on a short text (it guessed
    each for French or German sentences), but Western text has its few non-ASCII characters inside
    ASCII words, while Cyrillic, Greek or Chinese bytes read as cp1252 make long runs of them.
    """
    foreign = [char for char in text if char >= "\x80"]
    if not foreign:
        return True
    if sum(char in WESTERN_CHARACTERS for char in foreign) < 0.95 * len(foreign):
        return False
    runs = [len(run) for run in re.findall("[^\x00-\x7f]+", text)]
    return sum(length for length in runs if length <= 2) >= 0.9 * len(foreign)
