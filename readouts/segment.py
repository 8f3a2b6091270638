"""Split a readout into paragraphs and sentences, keeping character offsets.

Sentences come from syntok (a rule-based English segmenter that knows abbreviations such as
"U.S.", "Mr.", "Dr.", "H.E.", "No. 5", "Jan. 20", "approx." and keeps every token's offset), with
three additions for the way readouts are laid out:

- paragraphs are blocks separated by blank lines; a text without blank lines has one paragraph a
  line (a line that starts in lower case continues the paragraph above, as in hard-wrapped text);
- a line that starts a list item ("- ", "• ", "1. ", "(a) ", "ACTION:") or that follows a heading
  (a short line with no closing punctuation) always starts a new sentence;
- sentences are also cut after a Devanagari danda or a CJK full stop, and a sentence that ends in
  a title such as "Lt." or "Jt." is joined to the next.

Every `Sentence.text` is exactly `paragraph.text[sentence.start:sentence.end]`, and every
`Paragraph.text` is exactly `text[paragraph.start:paragraph.end]` of the input.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from syntok import segmenter as _syntok_segmenter
from syntok.tokenizer import Tokenizer as _SyntokTokenizer

__all__ = ["LIST_MARKER", "Paragraph", "Sentence", "lowered", "segment", "wordset"]


@dataclass(frozen=True)
class Sentence:
    """One sentence; `start` and `end` are offsets within its paragraph's text."""

    paragraph: int  # 1-based number of the paragraph
    index: int  # 1-based number of the sentence within its paragraph
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """One paragraph; `start` and `end` are offsets within the whole input text."""

    index: int  # 1-based
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...]


def wordset(words: str) -> frozenset[str]:
    """The words of a space-separated string, as a set (for readable word lists)."""
    return frozenset(words.split())


_TRANSLATE = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u2011": "-"}
)


def lowered(text: str) -> str:
    """Lower-cased text with straight quotes, of exactly the same length as `text`."""
    text = text.translate(_TRANSLATE)
    if text.isascii():
        return text.lower()
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


_BLANK_LINES = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)+")
_LINE = re.compile(r"[^\n]+")

# A list item at the start of a line: bullets, "1.", "1)", "(a)", "a)", "(iv)", "ACTION:".
LIST_MARKER = re.compile(
    r"""[^\S\n]*(?:
        [-*•·▪◦‣–—](?=\s)
      | \(?\d{1,2}[.)](?=\s)
      | \([a-zA-Z]\)(?=\s) | [a-z]\)(?=\s)
      | \((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\)(?=\s)
      | (?i:action(?:\s+point)?s?)\s*:
    )""",
    re.VERBOSE,
)
_CLOSING = ".!?:;,"
_HEADING_MAX = 60
# Titles that do not end a sentence although syntok sometimes ends one there.
_TITLES = wordset(
    "amb hon rep sec lt col maj capt supt insp dy jt addl secy spl dir gov govt dept sect para "
    "nos gen brig cmdr cdr sgt adm prof asst assoc"
)
_TITLE_END = re.compile(r"(?:^|[\s(])([A-Za-z]{2,5})\.$")
_SCRIPT_STOP = re.compile(r"(?<=[।॥。！？])\s*")

_tokenizer = _SyntokTokenizer(replace_not_contraction=False)


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the non-blank paragraphs, trimmed of surrounding whitespace."""
    if _BLANK_LINES.search(text):
        spans, pos = [], 0
        for mo in _BLANK_LINES.finditer(text):
            spans.append((pos, mo.start()))
            pos = mo.end()
        spans.append((pos, len(text)))
    else:
        # One paragraph a line; a line that starts in lower case continues the one above.
        spans = []
        for mo in _LINE.finditer(text):
            line = mo.group().strip()
            if not line:
                continue
            if spans and line[0].islower() and text[spans[-1][1] - 1 : spans[-1][1]] not in ".!?":
                spans[-1] = (spans[-1][0], mo.end())
            else:
                spans.append((mo.start(), mo.end()))
    out = []
    for start, end in spans:
        chunk = text[start:end]
        stripped = chunk.strip()
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        out.append((start + lead, start + lead + len(stripped)))
    return out


def _forced_chunks(para: str) -> list[tuple[int, int]]:
    """Cut a paragraph at list items and after headings: spans that syntok segments apart."""
    lines = [(mo.start(), mo.end()) for mo in _LINE.finditer(para)]
    if len(lines) < 2:
        return [(0, len(para))]
    cuts = [0]
    for (prev_start, prev_end), (start, _end) in itertools.pairwise(lines):
        prev = para[prev_start:prev_end].strip()
        line = para[start:_end].lstrip()
        if not line:
            continue
        heading = (
            prev
            and prev[-1] not in _CLOSING
            and len(prev) <= _HEADING_MAX
            and (line[0].isupper() or line[0].isdigit() or line[0] in "\"'“‘(")
        )
        if heading or prev.endswith(":") or LIST_MARKER.match(para, start):
            cuts.append(start)
    cuts.append(len(para))
    return [(a, b) for a, b in itertools.pairwise(cuts) if para[a:b].strip()]


def _sentence_spans(para: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for chunk_start, chunk_end in _forced_chunks(para):
        chunk = para[chunk_start:chunk_end]
        tokens = list(_tokenizer.tokenize(chunk, chunk_start))
        if not tokens:
            continue
        for sent in _syntok_segmenter.segment(iter(tokens)):
            if not sent:
                continue
            start = sent[0].offset
            end = sent[-1].offset + len(sent[-1].value)
            while start < end and para[start].isspace():
                start += 1
            while end > start and para[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
    spans = _join_after_titles(para, spans)
    return [piece for span in spans for piece in _split_script_stops(para, span)]


def _join_after_titles(para: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            prev_start, prev_end = out[-1]
            mo = _TITLE_END.search(para, max(prev_start, prev_end - 8), prev_end)
            gap = para[prev_end:start]
            if mo and mo.group(1).lower() in _TITLES and "\n" not in gap:
                out[-1] = (prev_start, end)
                continue
        out.append((start, end))
    return out


def _split_script_stops(para: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    start, end = span
    text = para[start:end]
    if not any(ch in text for ch in "।॥。！？"):
        return [span]
    pieces, pos = [], 0
    for mo in _SCRIPT_STOP.finditer(text):
        if mo.start() > pos:
            pieces.append((start + pos, start + mo.start()))
        pos = mo.end()
    if pos < len(text):
        pieces.append((start + pos, end))
    return [(a, b) for a, b in pieces if para[a:b].strip()]


def segment(text: str) -> list[Paragraph]:
    """Split `text` into numbered paragraphs of numbered sentences, with offsets.

    Empty or blank text gives an empty list. Offsets are in characters (Python string indices).
    """
    if not text or not text.strip():
        return []
    paragraphs = []
    for number, (p_start, p_end) in enumerate(_paragraph_spans(text), start=1):
        para = text[p_start:p_end]
        sentences = tuple(
            Sentence(paragraph=number, index=i, start=s, end=e, text=para[s:e])
            for i, (s, e) in enumerate(_sentence_spans(para), start=1)
        )
        paragraphs.append(
            Paragraph(index=number, start=p_start, end=p_end, text=para, sentences=sentences)
        )
    return paragraphs
