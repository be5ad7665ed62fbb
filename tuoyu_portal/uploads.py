"""Hardened content checks shared by every upload (ASVS 5.2, 等保 8.1.4.4).

The feature services already accept only PDF, JPEG and PNG (and WebP for inspection photos) by
their first bytes. A first-bytes check alone lets through files that start right but are
hostile: PDFs carrying JavaScript or launch actions, PDF/ZIP polyglots, truncated files, images
that declare gigapixel dimensions (decompression bombs), HTML or SVG script hidden after an
image header. ``inspect_content`` looks at the whole file (its size is already bounded by the
caller's limit) and names the first problem; ``sniff_and_validate`` does the magic-byte
detection too and raises the api.md error.

XLSX files are ZIP archives: ``zip_is_safe`` refuses archives whose declared uncompressed size
or compression ratio marks them as a zip bomb, before openpyxl inflates anything.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import uuid
import zipfile
import zlib
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from tuoyu_portal.exceptions import DomainError

# A photo of a document needs far less; 40 MP is a generous ceiling that still refuses bombs
# (a 50 000 × 50 000 PNG inflates to ~7.5 GB of pixels).
MAX_IMAGE_PIXELS = 40_000_000
# PDF keys that run code, open other files or smuggle attachments (ISO 32000 §12.6, §7.11.4).
PDF_FORBIDDEN_NAMES = (
    b"/javascript",
    b"/js",
    b"/openaction",
    b"/launch",
    b"/embeddedfile",
    b"/richmedia",
    b"/xfa",
    b"/aa",
    b"/submitform",
    b"/importdata",
)
# Markup that a browser would execute if the file were ever served inline by mistake.
MARKUP_MARKERS = (
    b"<script",
    b"<svg",
    b"<html",
    b"<!doctype html",
    b"<iframe",
    b"javascript:",
    b"<?php",
)
MAX_ZIP_UNCOMPRESSED = 50 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_MEMBERS = 2000

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def read_all(upload: IO[bytes] | Any) -> bytes:
    """The whole upload, leaving its position at 0 for the caller's own reading."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return bytes(data)


def detect(data: bytes, *, allow_webp: bool = False) -> str | None:
    for magic, content_type in MAGIC:
        if data.startswith(magic):
            return content_type
    if allow_webp and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _pdf_names(data: bytes) -> bytes:
    """Lower-cased PDF text with name escapes (``/J#61vaScript``) decoded, so they cannot hide."""
    lowered = data.lower()
    return re.sub(rb"#([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), lowered)


STREAM = re.compile(rb"(<<(?:(?!>>).)*?>>)?\s*stream\r?\n(.*?)endstream", re.S)
MAX_OBJECT_STREAM_BYTES = 20 * 1024 * 1024


def _pdf_object_text(data: bytes) -> bytes:
    """The PDF's objects without the binary stream bodies (compressed page content is random
    bytes and would match names by chance), plus the inflated bodies of object streams, where
    PDF 1.5+ files keep dictionaries — and where an action could hide."""
    parts: list[bytes] = []
    position = 0
    for match in STREAM.finditer(data):
        parts.append(data[position : match.start(2)])
        dictionary = (match.group(1) or b"").lower()
        if b"/objstm" in dictionary:
            try:
                inflater = zlib.decompressobj()
                parts.append(inflater.decompress(match.group(2), MAX_OBJECT_STREAM_BYTES))
            except zlib.error:
                parts.append(b"/JavaScript")  # an object stream we cannot read: assume the worst
        position = match.end()
    parts.append(data[position:])
    return b"\n".join(parts)


def _pdf_problem(data: bytes) -> str | None:
    if b"%%EOF" not in data[-2048:]:
        return "truncated"
    names = _pdf_names(_pdf_object_text(data))
    for name in PDF_FORBIDDEN_NAMES:
        # A name ends at a delimiter; "/js" must not match "/jsomething" ("/aa" not "/aaa").
        if re.search(re.escape(name) + rb"(?![a-z0-9])", names):
            return f"pdf_active_content:{name.decode()}"
    if b"PK\x03\x04" in data and b"PK\x05\x06" in data[-65_600:]:
        return "polyglot_zip"
    return None


def _png_problem(data: bytes) -> str | None:
    if len(data) < 33 or data[12:16] != b"IHDR":
        return "truncated"
    width, height = struct.unpack(">II", data[16:24])
    if width == 0 or height == 0 or width * height > MAX_IMAGE_PIXELS:
        return "image_dimensions"
    if b"IEND" not in data[-32:]:
        return "truncated"
    return None


def _jpeg_dimensions(data: bytes) -> tuple[int, int] | None:
    """Width and height from the first SOFn segment, or None for a file without one."""
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        if marker == 0xDA:  # start of scan before any frame header: malformed
            return None
        position += 2 + length
    return None


def _jpeg_problem(data: bytes) -> str | None:
    dimensions = _jpeg_dimensions(data)
    if dimensions is None:
        return "truncated"
    width, height = dimensions
    if width == 0 or height == 0 or width * height > MAX_IMAGE_PIXELS:
        return "image_dimensions"
    if b"\xff\xd9" not in data[-64:]:
        return "truncated"
    return None


def _webp_problem(data: bytes) -> str | None:
    (riff_size,) = struct.unpack("<I", data[4:8]) if len(data) >= 12 else (0,)
    if riff_size + 8 != len(data) or len(data) < 30:
        return "truncated"
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
    elif chunk == b"VP8 ":
        width, height = (v & 0x3FFF for v in struct.unpack("<HH", data[26:30]))
    elif chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    else:
        return "truncated"
    if width * height > MAX_IMAGE_PIXELS:
        return "image_dimensions"
    return None


def inspect_content(data: bytes, *, allow_webp: bool = False) -> str | None:
    """The first reason the bytes are not an acceptable document, or None when they are."""
    content_type = detect(data, allow_webp=allow_webp)
    if content_type is None:
        return "type"
    if content_type != "application/pdf":
        # Script or markup after an image header (GIFAR/HTML polyglots) never belongs in a photo.
        lowered = data.lower()
        if any(marker in lowered for marker in MARKUP_MARKERS):
            return "markup"
    checks = {
        "application/pdf": _pdf_problem,
        "image/png": _png_problem,
        "image/jpeg": _jpeg_problem,
        "image/webp": _webp_problem,
    }
    return checks[content_type](data)


def is_acceptable(upload: IO[bytes] | Any, *, allow_webp: bool = False) -> bool:
    """True when the whole upload passes ``inspect_content``; the position is left at 0."""
    return inspect_content(read_all(upload), allow_webp=allow_webp) is None


def sniff_and_validate(
    upload: IO[bytes] | Any,
    *,
    field: str = "file",
    code: str = "file_type_not_allowed",
    allow_webp: bool = False,
) -> str:
    """The content type of an acceptable upload, or a 400 ``DomainError`` naming the rule."""
    data = read_all(upload)
    problem = inspect_content(data, allow_webp=allow_webp)
    if problem is None:
        content_type = detect(data, allow_webp=allow_webp)
        assert content_type is not None
        return content_type
    raise DomainError.single(
        code,
        _("只接受完整、无脚本的PDF、JPEG或PNG文件（按文件内容判断，与扩展名无关）。"),
        field,
    )


def safe_basename(name: str | None, *, limit: int = 200) -> str:
    """A display name: no directories, no control or bidi-override characters, no NUL."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C",)).strip(" .")
    return name[-limit:] or "file"


def random_storage_name(content_type: str) -> str:
    """A storage name that never carries the uploader's text; the suffix follows the content."""
    suffix = {
        "application/pdf": ".pdf",
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/webp": ".webp",
    }.get(content_type, "")
    return f"{uuid.uuid4().hex}{suffix}"


def zip_is_safe(content: bytes) -> bool:
    """False for a ZIP (e.g. XLSX) that would inflate past the limits: a zip bomb, or
    something that is not a readable archive at all."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    if len(members) > MAX_ZIP_MEMBERS:
        return False
    total = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    return total <= MAX_ZIP_UNCOMPRESSED and total / packed <= MAX_ZIP_RATIO


def refuse_declared_oversize(request: Any) -> None:
    """Refuse an obviously oversize upload request before Django spools it all to disk: its
    declared length beyond MAX_DOCUMENT_BYTES plus room for the form's other parts."""
    from django.conf import settings

    from tuoyu_portal.exceptions import RuleViolation

    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > int(settings.MAX_DOCUMENT_BYTES) + 1024 * 1024:
        raise DomainError([RuleViolation("file_too_large", _("文件过大。"), "file")])
