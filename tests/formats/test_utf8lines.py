"""A question file's lines, decoded one at a time (quizzes.formats.utf8lines)."""

from __future__ import annotations

import io

import pytest

from quizzes.formats.utf8lines import NotUtf8Error, utf8_lines


def test_lines_are_numbered_and_keep_their_endings():
    """Each line comes with its 1-based number and its own line ending."""
    lines = list(utf8_lines(io.BytesIO(b"one\r\ntwo\nthree")))
    assert lines == [(1, "one\r\n"), (2, "two\n"), (3, "three")]


def test_byte_order_mark_is_dropped_from_the_first_line_only():
    """Excel's byte-order mark goes; the same character later in the file stays."""
    bom = "\ufeff".encode()
    lines = list(utf8_lines(io.BytesIO(bom + b"a\n" + bom + b"b\n")))
    assert lines == [(1, "a\n"), (2, "\ufeffb\n")]


def test_a_line_that_is_not_utf8_names_its_line_byte_and_column():
    """A Latin-1 byte is reported with its line, value and character column."""
    stream = io.BytesIO("ok\nnaïve é\n".encode() + "café\n".encode("latin-1"))
    lines = utf8_lines(stream, hint=" (hint)")
    assert next(lines) == (1, "ok\n")
    assert next(lines) == (2, "naïve é\n")
    with pytest.raises(NotUtf8Error) as raised:
        next(lines)
    assert raised.value.line == 3
    assert raised.value.message == (
        "not UTF-8: byte 0xE9 at column 4 cannot be read; save the file as UTF-8 (hint)"
    )


def test_a_nul_character_is_refused_like_a_utf16_file():
    """A UTF-16 file without a byte-order mark is valid UTF-8 full of NULs, which no
    database text holds: it is refused at its first line."""
    stream = io.BytesIO("kind,stem\n".encode("utf-16-le"))
    with pytest.raises(NotUtf8Error) as raised:
        list(utf8_lines(stream))
    assert raised.value.line == 1
    assert raised.value.message.startswith("not UTF-8 text: a NUL byte at column 2")


def test_lines_are_read_one_at_a_time():
    """Nothing past a line is read before that line is used (bounded memory)."""
    stream = io.BytesIO(b"first\n" + b"x" * 100_000 + b"\n")
    lines = utf8_lines(stream)
    next(lines)
    assert stream.tell() == len(b"first\n")
