"""File uploads: a view may name the largest file it takes, and a larger one is
refused before it is stored.

Why a handler: every multipart POST is parsed before any view runs (the body guard
and the CSRF check read ``request.POST``), so a view that checked ``upload.size``
would only see a file Django had already streamed to a temporary file. This
handler runs first in that parse. It judges the request's Content-Length before
any part is read, and counts a file's bytes as they arrive (for a body whose
length was not declared, or lied about); over the limit, the file is skipped: the
rest of its bytes are read and dropped, never stored. The other fields are parsed
as usual (the CSRF token included), and the refusal is left on the request for the
view to show on its form (``upload_refusal``).

A view declares its limit with ``upload_limited(view, setting=...)``: the name of
the setting that holds it, read at each request so that tests may override it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.urls import Resolver404, resolve

LIMIT_SETTING = "upload_limit_setting"
REFUSAL = "upload_refusal"
# The form's other fields and the multipart boundaries around the file: a body may
# be this much larger than the file limit before its length alone refuses it.
FORM_ALLOWANCE = 64 * 1024


def upload_limited(view: Callable, *, setting: str) -> Callable:
    """Mark ``view`` as taking files of at most ``settings.<setting>`` bytes."""
    setattr(view, LIMIT_SETTING, setting)
    return view


def upload_refusal(request: HttpRequest) -> str | None:
    """Why the request's file was refused (too large), or None."""
    return getattr(request, REFUSAL, None)


def upload_limit(request: HttpRequest) -> int | None:
    """The file limit the view at this request's URL declares, if any."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    setting = getattr(match.func, LIMIT_SETTING, None)
    return getattr(settings, setting) if setting else None


def size_text(size: int) -> str:
    """A size as people read it: "20.0 MB (20,971,520 bytes)", "900 bytes"."""
    if size < 1024:
        return f"{size:,} bytes"
    unit, scale = ("MB", 1024 * 1024) if size >= 1024 * 1024 else ("KB", 1024)
    return f"{size / scale:.1f} {unit} ({size:,} bytes)"


class UploadLimitHandler(FileUploadHandler):
    """Skips a file over its view's limit; first in ``FILE_UPLOAD_HANDLERS``."""

    def __init__(self, request: HttpRequest | None = None):
        super().__init__(request)
        self.limit = upload_limit(request) if request is not None else None
        self.refused = False

    def handle_raw_input(
        self, input_data, META, content_length, boundary, encoding=None
    ):
        if self.limit is not None and content_length > self.limit + FORM_ALLOWANCE:
            self._refuse(f"The upload is {size_text(content_length)}")
        return None  # the parse goes on: the other fields are still wanted

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.refused:
            raise SkipFile  # before the next handlers open a file for it

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if self.limit is not None and start + len(raw_data) > self.limit:
            self._refuse(f"“{self.file_name}” is over {size_text(self.limit)}")
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) keeps the file

    def _refuse(self, what: str) -> None:
        self.refused = True
        if self.request is not None:
            setattr(
                self.request,
                REFUSAL,
                f"{what}; the limit is {size_text(self.limit)}. Nothing of the file "
                "was kept: split it, or import it with manage.py import_questions.",
            )
