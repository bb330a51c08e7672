"""Safe Exam Browser (SEB): its keys and the check of a request. Pure, no database.

SEB proves itself on every request with two headers, each the SHA-256 (hex) of the
absolute URL it requests (no fragment) followed by a key:

- ``X-SafeExamBrowser-ConfigKeyHash``: with the Config Key, a hash of the settings
  SEB runs with (``config_key_from_seb_file`` computes it from the .seb file);
- ``X-SafeExamBrowser-RequestHash``: with the Browser Exam Key, which also covers
  SEB's own binary (shown in SEB's settings; entered by hand).

The URL is part of the hash so that a header seen on one page cannot be replayed
on another. The Config Key follows SEB's developer documentation ("SEB Config
Key"): the settings dictionary without ``originatorVersion``, written as compact
JSON with every dictionary's keys sorted case-insensitively, empty dictionaries
left out, data as Base64 and dates in ISO 8601, strings unescaped but for their
quotes and control characters; its SHA-256 in hex.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import plistlib
import re
import zlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Protocol

CONFIG_KEY_HEADER = "X-SafeExamBrowser-ConfigKeyHash"
REQUEST_HASH_HEADER = "X-SafeExamBrowser-RequestHash"
KEY_PATTERN = re.compile(r"[0-9a-f]{64}")
# A .seb file is a few dozen kilobytes; a larger one, or one that inflates past
# this, is refused rather than parsed (a gzip bomb is small on the wire).
SEB_FILE_MAX_BYTES = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
# The four-byte prefixes SEB writes before the settings (after the outer gzip):
# "plnd" is plain (gzip-compressed) data; the others are encrypted, with a
# password or a certificate, and their Config Key cannot be computed without it.
PLAIN_PREFIX = b"plnd"
ENCRYPTED_PREFIXES = {
    b"pswd": "a settings password",
    b"pwcc": "a password for configuring the client",
    b"pkhs": "an identity certificate",
    b"phsk": "an identity certificate",
}
# Left out of the Config Key: the SEB version that wrote the file.
IGNORED_KEYS = ("originatorVersion",)


class SebFileError(ValueError):
    """A .seb file whose Config Key cannot be computed; the message says why."""


class SebQuiz(Protocol):
    seb_required: bool
    seb_config_keys: str
    seb_browser_exam_keys: str
    seb_file_config_key: str


def request_hash(url: str, key: str) -> str:
    """The hash SEB sends for ``url`` with ``key``: SHA-256 hex of URL + key."""
    return hashlib.sha256((url + key).encode("utf-8")).hexdigest()


def config_key_from_seb_file(data: bytes) -> str:
    """The Config Key of a .seb file, as SEB computes it (see the module's text).

    Takes plain XML or the gzip-compressed, unencrypted form SEB writes; refuses an
    encrypted or malformed file with a ``SebFileError`` saying why.
    """
    return config_key(seb_settings(data))


def config_key(settings: Mapping) -> str:
    """The Config Key of a settings dictionary."""
    kept = {k: v for k, v in settings.items() if k not in IGNORED_KEYS}
    return hashlib.sha256(canonical_json(kept).encode("utf-8")).hexdigest()


def seb_settings(data: bytes) -> dict:
    """The settings dictionary of a .seb file (plain XML, or compressed)."""
    if len(data) > SEB_FILE_MAX_BYTES:
        raise SebFileError(_too_large())
    if data.startswith(GZIP_MAGIC):
        data = _gunzip(data)
    prefix = data[:4]
    if prefix in ENCRYPTED_PREFIXES:
        raise SebFileError(
            f"This .seb file is encrypted with {ENCRYPTED_PREFIXES[prefix]}: its "
            "Config Key cannot be computed. In SEB's configuration tool, save it "
            "again without encryption (no settings password, no certificate), or "
            "enter its Config Key by hand."
        )
    if prefix == PLAIN_PREFIX:
        data = data[4:]
        if data.startswith(GZIP_MAGIC):
            data = _gunzip(data)
    if not data.lstrip().startswith(b"<"):
        raise SebFileError(
            "This is not a .seb file: it is neither a settings plist (XML) nor "
            "the compressed form SEB saves."
        )
    try:
        settings = plistlib.loads(data, fmt=plistlib.FMT_XML)
    # Untrusted input: whatever the parser raises (expat's error, a bad <date>,
    # an unknown tag) is the file's fault, said on the form.
    except Exception as error:
        raise SebFileError(
            f"This .seb file's settings could not be read ({error})."
        ) from None
    if not isinstance(settings, dict):
        raise SebFileError(
            "This .seb file's settings are not a dictionary (<dict>) at the top."
        )
    return settings


def canonical_json(value) -> str:
    """SEB's JSON of a settings value (the Config Key's input).

    Keys sort case-insensitively, and of two keys equal but for case the
    lower-case one comes first ("allowWlan" before "allowWLAN", as SEB's
    documentation requires). An empty dictionary is left out wherever it stands
    (outdated SEB versions wrote them; current ones never do).
    """
    if isinstance(value, dict):
        items = [
            (k, v) for k, v in value.items() if not (isinstance(v, dict) and _empty(v))
        ]
        items.sort(key=lambda item: (item[0].casefold(), item[0].swapcase()))
        return (
            "{" + ",".join(f"{_string(k)}:{canonical_json(v)}" for k, v in items) + "}"
        )
    if isinstance(value, list):
        kept = [v for v in value if not (isinstance(v, dict) and _empty(v))]
        return "[" + ",".join(canonical_json(v) for v in kept) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bytes):
        return _string(base64.b64encode(value).decode("ascii"))
    if isinstance(value, datetime):
        # plistlib reads <date> as naive UTC.
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        return _string(moment.astimezone(UTC).isoformat(timespec="seconds"))
    raise SebFileError(f"A setting of type {type(value).__name__} is not supported.")


def parse_keys(text: str) -> list[str]:
    """The keys of a text field, one a line (blank lines and spaces ignored),
    lower-cased; a ``ValueError`` names each line that is not 64 hex digits."""
    keys, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        key = line.strip().lower()
        if not key:
            continue
        if KEY_PATTERN.fullmatch(key):
            keys.append(key)
        else:
            bad.append(str(number))
    if bad:
        raise ValueError(
            f"Line{'s' if len(bad) > 1 else ''} {', '.join(bad)}: a key is 64 "
            "hexadecimal digits (0-9, a-f), one a line, as SEB shows it."
        )
    return keys


def request_allowed(*, quiz: SebQuiz, url: str, headers: Mapping[str, str]) -> bool:
    """Whether a request to ``url`` may reach ``quiz`` (the one SEB rule).

    A quiz that does not require SEB allows every request. One that does allows a
    request whose Config Key hash matches one of its Config Keys (those entered and
    the uploaded file's), or whose request hash matches one of its Browser Exam
    Keys, for this very URL. Compared in constant time.
    """
    if not quiz.seb_required:
        return True
    config_keys = _stored_keys(quiz.seb_config_keys)
    if quiz.seb_file_config_key:
        config_keys.append(quiz.seb_file_config_key)
    return _matches(url, headers.get(CONFIG_KEY_HEADER), config_keys) or _matches(
        url, headers.get(REQUEST_HASH_HEADER), _stored_keys(quiz.seb_browser_exam_keys)
    )


def request_admitted(*, quiz: SebQuiz, request) -> bool:
    """``request_allowed`` for a Django request, which the views and the API ask.

    The URL is the one the browser asked for, as SEB hashed it: behind a
    TLS-terminating proxy the scheme comes from ``SECURE_PROXY_SSL_HEADER`` and
    the host from the Host header the proxy passes on. Nothing is computed for a
    quiz that does not require SEB.
    """
    if not quiz.seb_required:
        return True
    return request_allowed(
        quiz=quiz, url=request.build_absolute_uri(), headers=request.headers
    )


def seb_link(url: str) -> str:
    """The link that opens ``url`` (a .seb file's address) in SEB: seb(s)://."""
    if url.startswith("https://"):
        return "sebs://" + url.removeprefix("https://")
    return "seb://" + url.removeprefix("http://")


def _matches(url: str, sent: str | None, keys: Iterable[str]) -> bool:
    if not sent:
        return False
    sent_bytes = sent.strip().lower().encode("ascii", "replace")
    # Every key is tried, whichever matches: the time taken says nothing of which.
    found = False
    for key in keys:
        found |= hmac.compare_digest(sent_bytes, request_hash(url, key).encode())
    return found


def _stored_keys(text: str) -> list[str]:
    """The keys as stored (validated on the way in); a bad line is skipped."""
    return [
        k
        for k in (line.strip().lower() for line in text.splitlines())
        if KEY_PATTERN.fullmatch(k)
    ]


def _string(text: str) -> str:
    # SEB's JSON leaves backslashes (URL filter rules), slashes and non-ASCII
    # characters as they are; only the quote and control characters are escaped.
    out = []
    for char in text:
        if char == '"':
            out.append('\\"')
        elif char in _CONTROL:
            out.append(_CONTROL[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


_CONTROL = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _empty(value: dict) -> bool:
    """A dictionary with nothing but empty dictionaries in it (left out)."""
    return all(isinstance(v, dict) and _empty(v) for v in value.values())


def _gunzip(data: bytes) -> bytes:
    """Inflate gzip data, refusing more than ``SEB_FILE_MAX_BYTES``."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, SEB_FILE_MAX_BYTES + 1)
    except zlib.error as error:
        raise SebFileError(
            f"This .seb file's compressed data is damaged ({error})."
        ) from None
    if len(out) > SEB_FILE_MAX_BYTES:
        raise SebFileError(_too_large())
    if not inflater.eof:
        raise SebFileError("This .seb file's compressed data is cut short.")
    return out


def _too_large() -> str:
    return (
        f"This .seb file is over {SEB_FILE_MAX_BYTES // 1024} KB (inflated): SEB's "
        "settings are a few dozen."
    )
