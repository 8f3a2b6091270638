"""Reading an uploaded readout into plain text: .txt, .docx and .html, recognised by their
content (not their name), within limits that keep a hostile file from costing more than a
legitimate one. Plain Python and the standard library; nothing is written to disk.

Each refusal is a `FileRefused` with a message for the person who uploaded the file.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree

MAX_BYTES = 2 * 1024 * 1024  # an uploaded file
MAX_TEXT_CHARS = 1_000_000  # the text it gives, or that is pasted
MAX_DOCX_XML_BYTES = 10 * 1024 * 1024  # word/document.xml once decompressed
MAX_COMPRESSION_RATIO = 100  # a zip whose document decompresses more than this is a bomb

WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class FileRefused(Exception):
    """The file cannot be read as a readout; the message says why, for the uploader."""


def clean_name(name: str) -> str:
    """The file's own name, for display only: no folders, no control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:200]


def read_upload(upload) -> str:
    """The text of an uploaded file (a Django UploadedFile), or FileRefused."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise FileRefused(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; a readout file may be at most "
            f"{MAX_BYTES // 1024 // 1024} MB. Paste its text instead if it is longer."
        )
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FileRefused(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
    return text_of(data)


def text_of(data: bytes) -> str:
    """The text of a file's bytes: a Word document, an HTML page or plain text, told apart by
    their content."""
    if not data.strip():
        raise FileRefused("The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        return _docx_text(data)
    text = _decode(data)
    head = text.lstrip()[:1000].lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(p|div|body|h[1-6])\b", head):
        text = html_text(text)
    return checked_text(text)


def checked_text(text: str) -> str:
    """Pasted or extracted text, refused when there is nothing to read or too much."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise FileRefused("There is no text to read: paste the readout or choose its file.")
    if len(text) > MAX_TEXT_CHARS:
        raise FileRefused(
            f"The text has {len(text):,} characters; a readout may have at most {MAX_TEXT_CHARS:,}."
        )
    return text


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte order mark
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused("This UTF-16 text file is damaged.") from None
    if b"\x00" in data:
        raise FileRefused(
            "This is not a text file (it holds binary data). Upload a .txt, .docx or .html file."
        )
    for encoding in ("utf-8-sig",):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
        if controls > len(text) / 100:
            break
        return text
    raise FileRefused(
        "This file is not readable text (it is not UTF-8). Save it as UTF-8 text, or upload "
        "the .docx or .html."
    )


def _docx_text(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        info = archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        raise FileRefused(
            "This zip file is not a Word document (.docx): it has no word/document.xml."
        ) from None
    if info.file_size > MAX_DOCX_XML_BYTES or (
        info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
    ):
        raise FileRefused(
            "This Word document expands to far more than its size (a “zip bomb”): refused."
        )
    with archive.open(info) as stream:
        xml = stream.read(MAX_DOCX_XML_BYTES + 1)
    if len(xml) > MAX_DOCX_XML_BYTES:
        raise FileRefused("This Word document is too large once opened.")
    try:
        root = ElementTree.fromstring(xml)  # noqa: S314 (no DTD or entities in our parse)
    except ElementTree.ParseError:
        raise FileRefused("This Word document is damaged: its text cannot be read.") from None
    paragraphs = []
    for paragraph in root.iter(f"{WORD}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{WORD}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{WORD}tab":
                parts.append("\t")
            elif node.tag in (f"{WORD}br", f"{WORD}cr"):
                parts.append("\n")
        paragraphs.append("".join(parts))
    return checked_text("\n\n".join(p for p in paragraphs if p.strip()))


_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "article", "header", "footer", "blockquote", "tr", "table", "dd", "dt", "pre",
}  # fmt: skip
_DROPPED = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}


class _TextOfHtml(HTMLParser):
    """The visible text of an HTML page, a blank line between blocks; scripts, styles and the
    head dropped (never run, never kept)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _DROPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in _DROPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping:
            # As a browser shows it: line breaks in the source are spaces.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_text(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
