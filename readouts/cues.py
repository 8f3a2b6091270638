"""The finder's second stage: the cues of an agreed or intended action in a sentence.

`live_cues(low)` finds the cues in a lowered sentence ("agreed to", "committed to", "will",
"were tasked with", "Next meeting:", "Action: X to ..."), each with its weight, its link word
and where the action text after it begins; it drops a negated cue ("did not agree to", "will
not") and a "will" inside a relative clause ("which will meet"). `ANY_CUE` is the cheap test a
sentence must pass first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readouts.segment import wordset

__all__ = ["ANY_CUE", "THAT_LINKS", "VAGUE_ON", "Cue", "live_cues"]


_ADV = (
    r"(?:(?:also|further|jointly|together|both|all|each|formally|unanimously|then|"
    r"subsequently|additionally|mutually|collectively|therefore|hereby|now|fully|firmly|"
    r"strongly|duly|readily|swiftly|promptly|expressly|specifically|again|in principle|"
    r"separately|equally)\s+)*"
)
VAGUE_ON = r"(?:the\s+)?(?:importance|need|value|significance|relevance|urgency|necessity)\b"


@dataclass(frozen=True)
class _CueKind:
    name: str
    weight: float
    pattern: re.Pattern[str]


def _cue(name: str, weight: float, pattern: str) -> _CueKind:
    return _CueKind(name, weight, re.compile(pattern))


_CUES: tuple[_CueKind, ...] = (
    _cue(
        "passive",
        0.8,
        r"\b(?:it\s+)?(?:was|were|is|are|has\s+been|have\s+been|had\s+been)\s+"
        + _ADV
        + r"(?P<cue>agreed|decided|resolved|determined|confirmed)\s+(?P<link>that|to|upon)\b",
    ),
    _cue(
        "agree",
        0.8,
        r"\b(?P<cue>agreed|agree|agrees|concurred)\s+"
        + _ADV
        + r"(?P<link>(?:not\s+)?to|that|upon|on|with\b[^,.;]{1,60}?\b(?:to|that|on))\b",
    ),
    _cue(
        "commit",
        0.8,
        r"\b(?P<cue>committed|commit|commits|pledged|pledge|pledges|undertook|undertake|"
        r"undertakes|resolved|resolve|resolves|vowed|vow)\s+"
        r"(?:themselves\s+|itself\s+|ourselves\s+|herself\s+|himself\s+)?"
        + _ADV
        + r"(?P<link>(?:not\s+)?to)\b",
    ),
    _cue(
        "decide",
        0.8,
        r"\b(?P<cue>decided|decide|decides)\s+" + _ADV + r"(?P<link>(?:not\s+)?to|that|on)\b",
    ),
    _cue(
        "task",
        0.75,
        r"\b(?:was|were|is|are|has\s+been|have\s+been)\s+(?P<cue>tasked|asked|requested|"
        r"instructed|mandated|directed|charged|entrusted|invited)\s+(?P<link>with|to)\b",
    ),
    _cue(
        "task_active",
        0.6,
        r"\b(?P<cue>tasked|asked|requested|instructed|mandated|directed|invited|charged)"
        r"\s+(?!to\b)[^,.;:]{1,60}?\s+(?P<link>to|with)\s+(?=[a-z])",
    ),
    _cue(
        "intend",
        0.6,
        r"\b(?P<cue>plans?|planned|planning|intends?|intended|intending|offered|offers?|"
        r"volunteered|is\s+ready|are\s+ready|stands?\s+ready|stood\s+ready|proposed|proposes?|"
        r"expects?|expected|aims?|aimed|seeks?|sought|hopes?|hoped|wish(?:es)?|wished|"
        r"would\s+like)\s+" + _ADV + r"(?P<link>to)\b(?!\s+(?:the|a|an|this|these|its|their)\b)",
    ),
    _cue(
        "noun",
        0.65,
        r"\b(?P<cue>agreement|decision|consensus|intention|intent|readiness|"
        r"willingness|determination)\s+(?P<link>to|that)\b(?!\s+(?:the|a|an|this|its|their)\b)",
    ),
    _cue(
        "passive_list",
        0.8,
        r"\b(?:was|were|have\s+been|has\s+been)\s+"
        + _ADV
        + r"(?P<cue>agreed|decided)(?:\s+(?:upon|on))?(?P<link>\s*:)",
    ),
    _cue("propose_that", 0.5, r"\b(?P<cue>proposed|proposes|suggested)\s+(?P<link>that)\b"),
    _cue("look_forward", 0.45, r"\b(?P<cue>look|looks|looked|looking)\s+forward\s+(?P<link>to)\b"),
    _cue(
        "modal",
        0.6,
        r"\b(?P<cue>will|shall|would|should|must|(?:is|are)\s+(?:scheduled|set|due|expected|"
        r"planned|going)\s+to|(?:is|are)\s+to(?=\s+(?:be|take|meet|hold|host|convene|submit|"
        r"report|prepare|present|finalise|finalize|complete|provide|share|establish)\b))"
        r"(?:\s+" + _ADV + r"(?=(?:not\s+|never\s+)?[a-z])|(?=\s*:\s*$))(?P<link>)",
    ),
    _cue("to_be", 0.45, r"\b(?P<cue>to\s+be\s+(?:held|convened|organi[sz]ed|hosted))\b(?P<link>)"),
    _cue(
        "next_meeting",
        0.6,
        r"^[^a-z]{0,6}(?:the\s+)?(?P<cue>next\s+(?:meeting|session|round)(?:\s+of\s+[^:,.]+?)?)"
        r"(?P<link>\s*(?::|-|–|—)\s*)",
    ),
    _cue(
        "action",
        0.7,
        r"^[^a-z]{0,6}(?P<cue>(?:action(?:\s+points?|\s+items?)?|follow-up|to\s+do)\s*:)"
        r"(?P<link>)",
    ),
)
# A cheap test a sentence must pass before the cue patterns run.
ANY_CUE = re.compile(
    r"agree|decision|consensus|intention|intent|readiness|willingness|determination|concur|commit|pledg|undert|resol|decid|determin|confirmed\s+that|task|asked|"
    r"request|instruct|mandat|direct|charg|entrust|invit|\bwill\b|shall|would|should|must|"
    r"plan|intend|expect|\baim|seek|sought|hope|wish|ready|offer|volunteer|propos|suggest|"
    r"forward|next\s+(?:meeting|session|round)|action|follow-up|to\s+do|\bis\s+to\b|"
    r"\bare\s+to\b|scheduled|set\s+to|due\s+to|to\s+be\s+|vow"
)

_NEXT_WORD = re.compile(r"\s*([a-z]+|:\s*$)")
_VAGUE_ON_AT = re.compile(r"\s*" + VAGUE_ON)
_NOT_VERB_AFTER_MODAL = wordset(
    "of to and or the a an in for that this these those with from on at as by is are was were like "
    "power"
)
_NEGATION_BEFORE = re.compile(
    r"(?:\bnot|\bnever|\bno|\bno\s+longer|n't|\bdid\s+not\s+reach|\bwithout\s+reaching|\bunable\s+to|\bfailed\s+to|\brefused\s+to|"
    r"\bdeclined\s+to|\byet\s+to|\bwithout|\bneither|\bnor)\s+(?:yet\s+|been\s+|fully\s+|be\s+)*$"
)
_NEGATION_AFTER = re.compile(r"^(?:not|never|no\s+longer)\b(?!\s+only\b)")
_RELATIVE_BEFORE = re.compile(r"\b(?:which|that|who|whom|whose|where)\s+(?:also\s+)?$")
THAT_LINKS = frozenset({"that", "upon"})
_NOUN_WEIGHTS = {"intention": 0.5, "intent": 0.5, "readiness": 0.5, "willingness": 0.45,
                 "determination": 0.35}  # fmt: skip


@dataclass
class Cue:
    kind: str
    weight: float
    start: int  # of the whole match (within the sentence)
    cue_start: int
    cue_end: int
    end: int  # where the action text begins
    link: str
    word: str
    absorbed: list[Cue] = field(default_factory=list)

    @property
    def label(self) -> str:
        text = self.word.strip()
        if self.kind == "look_forward":
            text += " forward"
        if self.link.strip() and self.kind not in {"modal", "action", "next_meeting", "to_be"}:
            link = self.link.strip()
            if link.startswith("with"):
                link = "with ... " + link.split()[-1]
            text = f"{text} {link}"
        return re.sub(r"\s+", " ", text)


def _find_cues(low: str) -> list[Cue]:
    found: list[Cue] = []
    for kind in _CUES:
        for mo in kind.pattern.finditer(low):
            word = mo.group("cue")
            link = mo.group("link") or ""
            weight = kind.weight
            if kind.name == "modal":
                nxt = _NEXT_WORD.match(low, mo.end())
                if not nxt or nxt.group(1) in _NOT_VERB_AFTER_MODAL:
                    continue
                window = low[max(0, mo.start("cue") - 12) : mo.start("cue")]
                if re.search(r"(?:good|political|free|ill|own)\s*$", window):
                    continue
                if word == "would":
                    weight = 0.4
                elif word in {"should", "must"}:
                    weight = 0.3
                elif word.startswith(("is expected", "are expected", "is going", "are going")):
                    weight = 0.45
            elif kind.name == "intend":
                if re.match(r"(?:hope|wish|would)", word):
                    weight = 0.3
                elif re.match(r"(?:expect|aim|seek|sought)", word):
                    weight = 0.4
                elif word.startswith("propos"):
                    weight = 0.55
            elif kind.name == "noun":
                weight = _NOUN_WEIGHTS.get(word, weight)
            elif kind.name == "agree" and link == "on":
                weight = 0.25 if _VAGUE_ON_AT.match(low, mo.end()) else 0.6
            elif kind.name == "agree" and link.endswith("to"):
                nxt = _NEXT_WORD.match(low, mo.end())
                if nxt and nxt.group(1) in {"the", "a", "an", "this", "these", "its", "their"}:
                    weight = 0.6  # "agreed to the proposal": accepted something
            found.append(
                Cue(
                    kind=kind.name,
                    weight=weight,
                    start=mo.start(),
                    cue_start=mo.start("cue"),
                    cue_end=mo.end("cue"),
                    end=mo.end(),
                    link=link,
                    word=word,
                )
            )
    # Resolve overlaps: the earlier, then the stronger, then the longer match wins.
    found.sort(key=lambda c: (c.cue_start, -c.weight, -(c.end - c.start)))
    kept: list[Cue] = []
    reach = -1  # the furthest end of a kept cue; starts are sorted, so this tells overlaps
    for cue in found:
        if cue.cue_start < reach:
            continue
        kept.append(cue)
        reach = max(reach, cue.end)
    return kept


def _negation(low: str, cue: Cue) -> str | None:
    before = low[max(0, cue.cue_start - 30) : cue.cue_start]
    # "did not agree", "were unable to agree", "will not", "no agreement": negations of this cue.
    mo = _NEGATION_BEFORE.search(before)
    if mo and not re.search(r"\bnot\s+only\s*$", before):
        return before[mo.start() :].strip() + " " + cue.word
    if cue.kind == "modal":
        after = low[cue.cue_end :].lstrip()
        mo = _NEGATION_AFTER.match(after)
        if mo:
            return f"{cue.word} {mo.group()}"
    if cue.kind in {"agree", "commit", "decide", "passive"} and cue.link.startswith("not"):
        return None  # "agreed not to ...": a commitment to refrain
    return None


def live_cues(low: str) -> list[Cue]:
    cues = []
    for cue in _find_cues(low):
        if cue.kind == "modal" and _RELATIVE_BEFORE.search(
            low[max(0, cue.cue_start - 20) : cue.cue_start]
        ):
            continue
        if _negation(low, cue):
            continue
        cues.append(cue)
    return cues
