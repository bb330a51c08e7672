"""A question file's lines, decoded one at a time, for the line-based formats.

Reading line by line keeps memory bounded by one line, however large the upload.
A byte-order mark (Excel writes one) is dropped from the first line. A line that is
not UTF-8, or holds a NUL character, raises ``NotUtf8Error`` with its line number: a
file in another encoding would otherwise come in garbled, and there is no telling
which encoding it is.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO


class NotUtf8Error(ValueError):
    """A line of the file is not UTF-8; ``line`` is its 1-based number."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def utf8_lines(stream: BinaryIO, *, hint: str = "") -> Iterator[tuple[int, str]]:
    """``(number, text)`` for each line of ``stream``, its line ending kept.

    ``hint`` is added to the message of a line that is not UTF-8 (for CSV: how to
    save a spreadsheet as UTF-8).
    """
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            column = len(raw[: error.start].decode("utf-8", errors="replace")) + 1
            message = (
                f"not UTF-8: byte 0x{raw[error.start]:02X} at column {column} cannot "
                "be read; save the file as UTF-8"
            )
            raise NotUtf8Error(number, message + hint) from None
        if "\x00" in text:
            # Valid UTF-8, but no database text holds it: a UTF-16 file without a
            # byte-order mark reads this way, a NUL after every ASCII character.
            message = (
                f"not UTF-8 text: a NUL byte at column {text.index(chr(0)) + 1} "
                "(a UTF-16 or binary file?); save the file as UTF-8"
            )
            raise NotUtf8Error(number, message + hint)
        yield number, text
