"""Find candidate commitments in the text of a readout or joint statement.

Plain Python: no Django, no database. The caller passes the action areas and parties to suggest
from (`AreaHint`, `PartyHint`) and the readout's date (`today`, which relative due dates such
as "within six months" count from), and gets `Candidate`s back, in text order.

How a sentence becomes candidates (all rules, no model; see `find_candidates`):

1. `readouts.segment` splits the text into paragraphs and sentences with offsets.
2. Cues of an agreed or intended action are looked for: "agreed to/that", "committed to",
   "decided to", "resolved to", "undertook to", "it was agreed that", "were tasked with",
   "will/shall" (with an actor, or a passive such as "shall be established"), "plan to",
   "offered to", "proposed to", "look forward to", "Next meeting: ...", "Action: X to ...".
   A cue that is negated ("did not agree to", "will not") is dropped; a "will" inside a relative
   clause ("which will meet") or inside an agreement ("agreed that X will ...") is not a cue of
   its own.
3. A sentence with several cues is cut between them (at "; ", ", and ", ", while ", ...), and
   "agreed to X, to Y and to Z" is cut before each coordinated "to". A lead-in that ends in a
   colon ("the two sides agreed to:") hands its cue to the list items that follow it.
4. Each clause gets a confidence from its cue and from what surrounds it, with the reasons:
   discussion frames ("stressed that ... will"), predictions ("will require"), background
   (pluperfect, "previously", a year before the readout's), vague objects ("agreed on the
   importance of") lower it; a named actor, a due date, a concrete action verb and a matching
   area raise it.
5. Parties come from the clause's subject (names and aliases of the parties, "both sides",
   agencies passed as aliases), the area from the areas' keywords and names, the due date from
   `readouts.dates`, the title from the action the cue introduces, in the imperative.

Candidates under `min_confidence` are not returned; pass `min_confidence=0` to see everything
the cues found (with the reasons for the low scores).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from readouts.dates import find_due
from readouts.segment import LIST_MARKER, Paragraph, Sentence, segment, wordset

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "AreaHint",
    "Candidate",
    "PartyHint",
    "find_candidates",
]

DEFAULT_MIN_CONFIDENCE = 0.45
TITLE_MAX = 80


@dataclass(frozen=True)
class AreaHint:
    """An action area to suggest: its slug, its name and the keywords that point to it."""

    slug: str
    name: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartyHint:
    """A party (a country or organisation) and the names that refer to it in a text.

    Names may include aliases and the acronyms of its agencies, e.g. ("India", "Indian",
    "New Delhi", "NCB"). Names written in capitals or with dots ("US", "U.S.") match only as
    written, so the pronoun "us" is not the United States; other names ignore case.
    """

    code: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """A proposed commitment, for a coordinator to accept, edit or reject.

    `start` and `end` are the offsets of `text` within the paragraph's text (the same frame as
    `sentence.start`); `text` is the action clause, equal to `sentence.text` unless the
    sentence carried several actions (or is a list item under a lead-in, when it is the item).
    """

    paragraph: int
    sentence: Sentence
    start: int
    end: int
    text: str
    area: str | None
    parties: tuple[str, ...]
    title: str
    due_date: date | None
    due_text: str
    due_note: str
    confidence: float
    reasons: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Text helpers

_TRANSLATE = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u2011": "-"}
)


def lowered(text: str) -> str:
    """Lower-cased text with straight quotes, of exactly the same length as `text`."""
    text = text.translate(_TRANSLATE)
    if text.isascii():
        return text.lower()
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+", text))


def _mostly_foreign(text: str) -> bool:
    if text.isascii():
        return False
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    ascii_letters = sum(1 for c in letters if c.isascii())
    return ascii_letters < 0.6 * len(letters)


# --------------------------------------------------------------------------------------------
# Cues

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

_DISCUSSION_FRAME = re.compile(
    r"\b(?:stressed|stress|underlined|underline|underscored|underscore|emphasi[sz]ed|"
    r"emphasi[sz]e|noted|note|highlighted|observed|recogni[sz]ed|acknowledged|believed|believe|"
    r"felt|warned|cautioned|recalled|reiterated|predicted|considered|concluded|expressed\s+"
    r"(?:the\s+|their\s+|its\s+)?(?:hope|confidence|belief|view|concern|expectation|"
    r"conviction)|(?:was|were|are|is)\s+(?:confident|convinced|hopeful)|agreed\s+on\s+"
    + VAGUE_ON
    + r"(?:\s+of)?)\b"
)
_PREDICTION = re.compile(
    r"^(?:(?:also|further|continue\s+to|only)\s+)?(?:remain|require|need|depend|deliver|yield|"
    r"lead|result|help|benefit|grow|rise|worsen|improve|pay\s+off|take\s+time|matter|mean|"
    r"be\s+(?:needed|required|necessary|essential|important|crucial|critical|key|vital|"
    r"difficult|possible|able|likely|unlikely|a\s+priority|discussed\s+further))\b"
)
_CONTINUE = re.compile(r"^(?:continue|keep)\s+(?:to\s+)?\w+")
_VAGUE_OBJECT = re.compile(
    r"^(?:continued|continuing|further|deeper|deepening|closer|stronger|strengthening|"
    r"enhanced|enhancing|expanding|the\s+continued|the\s+further|working\s+together|"
    r"cooperat\w+\s+(?:closely|together)|building\s+on)\b"
)
_BACKGROUND = re.compile(
    r"\b(?:had\s+(?:\w+\s+)?(?:agreed|decided|committed|been|signed|pledged|resolved|undertaken|"
    r"planned|proposed)|previously|earlier\s+(?:this|that|last)\s+(?:year|month)|last\s+year|"
    r"in\s+the\s+past|at\s+the\s+(?:last|previous|inaugural|earlier)\s+(?:meeting|session)|"
    r"since\s+then|at\s+the\s+time|once\s+again\s+recalled|historically)\b"
)
_BACKGROUND_CAP = 0.3
_COURTESY = wordset(
    "thank thanks congratulate welcome commend appreciate express acknowledge recall note "
    "reiterate reaffirm underline stress emphasise emphasize applaud salute praise"
)
_THAT_ACTION = re.compile(
    r"\b(?:will|shall|would|should|must|to\s+be|be\s+[a-z]+(?:ed|en|t)|is\s+to|are\s+to)\b"
)


def _that_has_action(low: str, clause: Clause) -> bool:
    """Whether "agreed that ..." goes on to an action ("X will ...", "X be established")."""
    cue = clause.cue
    if any(c.kind in {"modal", "intend", "to_be"} for c in cue.absorbed):
        return True
    return bool(_THAT_ACTION.search(low, cue.end, min(clause.end, cue.end + 200)))


_PAST_YEAR = re.compile(
    r"\b(?:in|since|during|from|until|through|of|by)\s+(?:(?:early|mid|late|the\s+year)\s+|"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\s+)?(?P<year>(?:19|20)\d\d)\b"
)
_ACTION_VERBS = wordset(
    "establish set create form launch hold host convene organise organize conduct carry "
    "run share exchange provide send second deploy fund finance publish prepare draft develop "
    "draw sign designate nominate appoint train review revise update issue introduce adopt "
    "implement finalise finalize complete submit report brief present pilot test add list "
    "schedule expand extend increase strengthen tighten intensify invite study respond inform "
    "notify circulate coordinate target dismantle seize monitor inspect verify build upgrade "
    "install deliver supply donate meet reconvene visit explore examine assess evaluate map "
    "identify track trace harmonise harmonize align amend enact ratify"
)


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


# --------------------------------------------------------------------------------------------
# Parties


@dataclass(frozen=True)
class PartyMatcher:
    code: str
    pattern: re.Pattern[str] | None


_JOINT = re.compile(
    r"\b(?:both|the\s+two|all\s+(?:the\s+)?|each|either)\s+(?:sides?|countries|governments?|"
    r"delegations?|nations?|parties|partners?|co-?chairs?|leaders|ministers|heads\s+of\s+"
    r"delegation|teams?|agencies|administrations|capitals|authorities|participants)\b|"
    r"\bthe\s+(?:sides|delegations|parties|participants|co-?chairs|two)\b|"
    r"\b(?:the\s+)?(?:working\s+group|sub-?group|expert\s+group|dialogue|group)\b(?!\s+of)|"
    r"\bwe\b|\bjointly\b|\btogether\b|\bmutually\b|\bbilaterally\b|\beach\s+side\b"
)
GENERIC_ACTOR = re.compile(
    r"\b(?:experts|officials|participants|agencies|authorities|regulators|officers|"
    r"representatives|ministries|members|counterparts|investigators|they|it)\b"
)
_LOCATIVE = re.compile(
    r"\b(?:in|at|to|across|into|towards?|within|near|around|for|against|from|via|through|"
    r"outside|inside|on|about|with|than)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?$"
)
_REPORTING = re.compile(
    r"\b(?:said|stated|announced|announces|confirmed|informed\s+\w+|told\s+\w+|"
    r"indicated|explained|added|reported|declared|noted|stressed|underlined|emphasi[sz]ed|"
    r"highlighted|welcomed|discussed|reviewed|presented|briefed|recalled|reiterated|"
    r"expressed|thanked|recogni[sz]ed|acknowledged|that)\b"
)


def party_matchers(parties: Sequence[PartyHint]) -> list[PartyMatcher]:
    out = []
    for party in parties:
        exact, loose = [], []
        for name in sorted({n.strip() for n in party.names if n and n.strip()}, key=len)[::-1]:
            (exact if (name.isupper() or "." in name) else loose).append(re.escape(name))
        parts = []
        if exact:
            parts.append(r"(?<![\w.])(?:" + "|".join(exact) + r")(?![\w]|\.\w)")
        if loose:
            parts.append(r"(?i:(?<![\w.])(?:" + "|".join(loose) + r")(?!\w))")
        out.append(PartyMatcher(party.code, re.compile("|".join(parts)) if parts else None))
    return out


def named_parties(
    orig: str,
    low: str,
    start: int,
    end: int,
    matchers: list[PartyMatcher],
    *,
    after_preposition: bool = False,
) -> list[str]:
    """Parties named in orig[start:end]; unless `after_preposition`, those named after a
    preposition ("in Washington", "to India") are places or objects, not actors."""
    codes = []
    for matcher in matchers:
        if matcher.pattern is None:
            continue
        for mo in matcher.pattern.finditer(orig, start, end):
            if not after_preposition and _LOCATIVE.search(
                low[max(0, mo.start() - 20) : mo.start()]
            ):
                continue
            codes.append(matcher.code)
            break
    return codes


def subject_segments(low: str, start: int, end: int) -> list[tuple[int, int]]:
    """orig[start:end] cut at reporting verbs and "that", nearest to the cue first."""
    cuts = [start]
    for mo in _REPORTING.finditer(low, start, end):
        cuts.extend([mo.start(), mo.end()])
    cuts.append(end)
    segments = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    return [s for s in reversed(segments) if s[1] > s[0]]


@dataclass(frozen=True)
class Actor:
    parties: tuple[str, ...]
    reason: str
    named: bool  # an actor (party, joint phrase or generic actor) was named


def actor_in(orig: str, low: str, start: int, end: int, matchers, all_codes) -> Actor | None:
    for seg_start, seg_end in subject_segments(low, start, end):
        codes = named_parties(orig, low, seg_start, seg_end, matchers)
        if codes:
            names = ", ".join(codes)
            return Actor(tuple(codes), f"names {names} as the actor", True)
        if _JOINT.search(low, seg_start, seg_end):
            return Actor(all_codes, "names both sides", True)
        if GENERIC_ACTOR.search(low, seg_start, seg_end):
            # "it", "they", "officials": look further back for whom they stand for.
            continue
    return None


# --------------------------------------------------------------------------------------------
# Areas


@dataclass(frozen=True)
class AreaMatcher:
    slug: str
    terms: tuple[tuple[str, float], ...]  # (term, weight), longest first
    pattern: re.Pattern[str] | None  # one named group per term, longest first


_NAME_STOP = wordset(
    "and or of the a an for in on to with against control controls oversight cooperation "
    "joint other general matters issues area"
)


_SUFFIXES = r"(?:e|y|ies|s|es|ed|ing|ings|er|ers|ion|ions)?"


def _term_pattern(term: str, *, inflect: bool = True) -> str:
    """A keyword as a pattern that also finds its plural (and, if `inflect`, other common
    inflections: "training" finds "trained", "laboratory" finds "laboratories")."""
    parts = []
    for word in re.split(r"[\s]+", lowered(term).strip()):
        if not word:
            continue
        if inflect and len(word) > 5 and word.isalpha():
            stem = re.sub(r"(?:ing|ed|ies|es|s|y|e)$", "", word)
            parts.append(re.escape(stem) + _SUFFIXES)
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 4:
            parts.append(re.escape(word[:-1]) + r"s?")
        else:
            parts.append(re.escape(word) + r"(?:s|es)?")
    return r"[\s-]+".join(parts) + r"(?![\w])"


def area_matchers(areas: Sequence[AreaHint]) -> list[AreaMatcher]:
    out = []
    for area in areas:
        terms: dict[str, float] = {}
        inflect: dict[str, bool] = {}
        for kw in area.keywords:
            if kw and kw.strip():
                terms[lowered(kw.strip())] = 1.0 + 0.5 * (len(kw.split()) - 1)
                inflect[lowered(kw.strip())] = True
        # Words of the name count a little, as written (and plural): not "sharing" or
        # "building", which say nothing about an area.
        for word in re.findall(r"[A-Za-z][A-Za-z-]+", area.name):
            w = lowered(word)
            if w not in _NAME_STOP and len(w) > 3 and not w.endswith("ing") and w not in terms:
                terms[w] = 0.3
                inflect[w] = False
        ordered = tuple(sorted(terms.items(), key=lambda t: -len(t[0])))
        pattern = (
            re.compile(
                r"(?<![\w-])(?:"
                + "|".join(
                    f"(?P<t{i}>{_term_pattern(t, inflect=inflect[t])})"
                    for i, (t, _w) in enumerate(ordered)
                )
                + ")"
            )
            if ordered
            else None
        )
        out.append(AreaMatcher(area.slug, ordered, pattern))
    return out


_ANAPHORA = re.compile(
    r"\b(?:the|this|that|these|those|such)\s+(?:proposal|plan|arrangement|exercise|initiative|"
    r"pilot|measures?|steps?|mechanism|idea|request|offer|work|efforts?|question|matter|"
    r"issue|project|programme|program|scheme)\b|\b(?:it|them)\b"
)


def _area_scores(text: str, matchers: list[AreaMatcher], factor: float):
    for matcher in matchers:
        score, hits = 0.0, []
        if matcher.pattern is not None:
            # The longest term that matches at a place wins: "precursor chemicals" is not also
            # counted as "precursor".
            for mo in matcher.pattern.finditer(text):
                term, weight = matcher.terms[int(mo.lastgroup[1:])]
                score += weight * factor
                hits.append(term)
        yield matcher.slug, score, hits


_AREA_MIN = 0.3
NEAR = 400  # characters either side of a clause that count as its surroundings


def suggest_area(
    clause_low: str, rest_low: str, context_low: str, matchers: list[AreaMatcher]
) -> tuple[str | None, list[str]]:
    """The best area for a clause and the keywords behind it.

    Keywords in the clause count in full, those in the rest of its sentence for 40%; when the
    clause refers back ("the proposal", "these steps"), so do the sentences before it in the
    paragraph. Words of an area's name count for 30% of a keyword. An area needs a score of
    `_AREA_MIN` (a word of its name in the clause, or a keyword near it) to be suggested.
    """
    texts = [(clause_low, 1.0), (rest_low, 0.4)]
    if context_low and _ANAPHORA.search(clause_low):
        texts.append((context_low, 0.4))
    totals: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    for text, factor in texts:
        if not text:
            continue
        for slug, score, hits in _area_scores(text, matchers, factor):
            totals[slug] = totals.get(slug, 0.0) + score
            found.setdefault(slug, []).extend(hits)
    best = None
    for order, matcher in enumerate(matchers):
        score = totals.get(matcher.slug, 0.0)
        if score >= _AREA_MIN and (best is None or score > best[0]):
            best = (score, order, matcher.slug)
    if best is None:
        return None, []
    hits = found[best[2]]
    return best[2], sorted(set(hits), key=hits.index)


# --------------------------------------------------------------------------------------------
# Titles

_IRREGULAR = {
    "held": "hold", "set": "set", "made": "make", "taken": "take", "given": "give",
    "sent": "send", "built": "build", "drawn": "draw", "written": "write", "led": "lead",
    "run": "run", "met": "meet", "done": "do", "brought": "bring", "sought": "seek",
    "kept": "keep", "found": "find", "chosen": "choose", "put": "put", "shown": "show",
    "begun": "begin", "undertaken": "undertake", "spent": "spend", "paid": "pay",
    "laid": "lay", "told": "tell", "understood": "understand", "funded": "fund",
    "being": "be", "having": "have", "seconded": "second",
}  # fmt: skip
_E_ENDINGS = (
    "at", "iz", "is", "ar", "ur", "uc", "ir", "ov", "iv", "rv", "lv", "dg", "ut", "id",
    "ud", "eas", "ang", "enc", "anc", "rc", "ag", "ok", "ak", "yz", "ys", "rs", "ns", "ps",
    "ap", "ib", "ip", "ot", "in", "ur", "iv", "ul",
)  # fmt: skip
_NO_E = wordset(
    "establish develop review draft launch sign visit limit exhibit open strengthen happen "
    "deepen broaden widen listen target market budget report assist consult convert exert "
    "detect expect protect conduct attend extend expand intend recommend implement supplement "
    "complement document present prevent invent represent contain maintain obtain "
    "train explain remain ordain sustain entertain join sharpen fasten "
    "screen monitor deter"
)


def base_form(word: str) -> str:
    """A rough base form of an English participle or gerund: 'shared' -> 'share'."""
    low = word.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    for suffix in ("ing", "ed"):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            stem = low[: -len(suffix)]
            if suffix == "ed" and stem.endswith("i"):
                return stem[:-1] + "y"
            if (
                len(stem) > 3
                and stem[-1] == stem[-2]
                and stem[-1] not in "lsz"
                and stem[-1] not in "aeiou"
            ):
                return stem[:-1]
            if stem in _NO_E:
                return stem
            if stem.endswith(_E_ENDINGS) and not stem.endswith(("ain", "oin", "een")):
                return stem + "e"
            return stem
    return low


_LEADING_FILLER = re.compile(
    r"^(?:(?:also|further|then|jointly|together|both|each|formally|additionally|subsequently|"
    r"swiftly|promptly|now)\s+)+",
    re.IGNORECASE,
)
_TITLE_CUTS = (
    ", which", " which ", ", so that", " so that", ", including", ", with ", " in order to",
    ", while", " - ", "; ", " in line with", ", in ", ", as ", " that ", ", to ", " and ",
    ", ",
)  # fmt: skip
PASSIVE = re.compile(r"^be\s+(?P<part>[a-z]+(?:ed|en|t|wn|un|ld|de|ne)|held|set|met|run|put)\b")
HOLD = re.compile(
    r"(?:take\s+place|be\s+(?:held|convened|organi[sz]ed|hosted)|convene|meet|happen|occur)\b"
)
EVENT = re.compile(r"\b(?:meeting|session|round|workshop|conference|seminar|dialogue|course)\b")


_DANGLING = re.compile(
    r"(?:[,;]?\s+(?:beginning|starting|from|by|before|in|on|at|during|until|no\s+later\s+than|"
    r"to\s+be\s+(?:held|completed|finished)|to\s+begin|planned\s+for|scheduled\s+for|"
    r"with\s+the\s+first\s+\w+(?:\s+to\s+be\s+held)?))+\s*[,.;]?\s*$",
    re.IGNORECASE,
)


def tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = _DANGLING.sub("", text)
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    text = re.sub(r"\s*,\s*,\s*", " ", text)
    text = re.sub(r"\(\s*\)", "", text)
    return text.strip(" ,;:.-–—\"'“”‘’")


def shorten(text: str, limit: int = TITLE_MAX) -> str:
    for cut in (", which ", ", who ", ", whose "):
        pos = text.find(cut, 15)
        if pos > 0:
            text = tidy(text[:pos])
    if len(text) <= limit:
        return text
    for cut in _TITLE_CUTS:
        pos = text.find(cut, 25)
        if 0 < pos <= limit:
            return tidy(text[:pos])
    head = text[: limit - 1]
    head = head[: head.rfind(" ")] if " " in head else head
    return tidy(re.sub(r"\s+(?:and|or|of|the|a|an|to|for|in|on|with|by)$", "", head)) + "…"


def make_title(
    orig: str, low: str, action_start: int, end: int, subject: str, due_text: str
) -> str:
    action = orig[action_start:end]
    action_low = low[action_start:end]
    if due_text:
        pos = action.find(due_text)
        if pos >= 0:
            action = action[:pos] + action[pos + len(due_text) :]
            action_low = action_low[:pos] + action_low[pos + len(due_text) :]
    action = LIST_MARKER.sub("", action, count=1) if LIST_MARKER.match(action) else action
    action = _LEADING_FILLER.sub("", action.strip())
    action_low = lowered(action)
    subject = tidy(re.sub(r"^(?:and|but|while|whereas|that)\s+", "", subject.strip(), flags=re.I))
    passive = PASSIVE.match(action_low)
    if passive:
        verb = base_form(passive.group("part"))
        rest = action[passive.end() :]
        rest = re.sub(r"^\s*(?:up|out|off)\b", lambda m: m.group(0), rest)
        particle = re.match(r"^\s*(up|out|off|down)\b", rest)
        if particle:
            verb += " " + particle.group(1)
            rest = rest[particle.end() :]
        rest = re.sub(r"^\s*by\s+[^,;]*?(?=\s+and\s+|,|;|$)", "", rest)
        rest = re.sub(
            r"^(\s*and\s+)([a-z]+ed)\b", lambda m: m.group(1) + base_form(m.group(2)), rest
        )
        subject = re.sub(r"^(?:it\s+was\s+\w+\s+that\s+)", "", subject, flags=re.I)
        action = f"{verb} {_lower_first(subject)} {rest}"
    elif EVENT.search(lowered(subject)) and HOLD.match(action_low):
        rest = re.sub(r"^\S+(?:\s+place)?", "", action).strip()
        action = f"hold {_lower_first(subject)} {rest}"
    else:
        first = re.match(r"([A-Za-z]+)(ing)\b", action)
        if first and first.group(1).lower() not in {"br", "s", "th", "k", "r", "w"}:
            action = base_form(first.group(0)) + action[first.end() :]
    title = tidy(action)
    title = shorten(title)
    return title[:1].upper() + title[1:] if title else title


def _lower_first(text: str) -> str:
    if not text:
        return text
    first = text.split()[0]
    if (first.isupper() and len(first) > 1) or first in {"U.S.", "India"}:
        return text
    if first in {"A", "An", "The", "Each", "Both", "All", "Its", "Their"}:
        return text[:1].lower() + text[1:]
    return text


# --------------------------------------------------------------------------------------------
# Clauses


@dataclass
class Clause:
    start: int  # within the sentence
    end: int
    cue: Cue
    action_start: int  # where the action words begin (for the title)
    subject_start: int
    subject_end: int
    pieces: int = 1  # how many candidates the sentence was split into


_BOUNDARIES = (
    re.compile(r";\s*(?:and\s+|while\s+|whereas\s+|but\s+)?"),
    re.compile(r",\s*(?:and|while|whereas|but|as\s+well\s+as)\s+"),
    re.compile(r"\s+(?:and|while|whereas|but)\s+"),
    re.compile(r",\s+"),
)
_COORD_TO = re.compile(
    r"(?:,\s*(?:and\s+|or\s+|as\s+well\s+as\s+)?|;\s*(?:and\s+)?|\s+and\s+|\s+as\s+well\s+as\s+)"
    r"(?=to\s+(?:also\s+|further\s+|jointly\s+)?(?!the\b|a\b|an\b|its\b|their\b|his\b|her\b|"
    r"our\b|this\b|these\b|those\b|all\b|each\b|both\b|other\b|be\b)[a-z])"
)
_ENUM = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[;:,]))\(?(?:[a-h]|i{1,3}|iv|vi{0,3}|\d)\)\s+")


def _split_between_cues(low: str, cues: list[Cue]) -> list[tuple[int, int, Cue]]:
    """Cut the sentence between primary cues; returns (start, end, cue) spans."""
    spans: list[tuple[int, int, Cue]] = []
    start = 0
    current = cues[0]
    last_end = current.end
    for nxt in cues[1:]:
        # Only the words since the last cue can hold the cut (and looking no further back keeps
        # a sentence with thousands of cues linear).
        region_start, region_end = last_end, nxt.start
        last_end = max(last_end, nxt.end)
        cut = None
        for pattern in _BOUNDARIES:
            matches = list(pattern.finditer(low, region_start, region_end))
            if matches:
                cut = matches[-1]
                break
        if cut is None:
            current.absorbed.append(nxt)
            continue
        spans.append((start, cut.start(), current))
        start = cut.end()
        current = nxt
    spans.append((start, len(low), current))
    return spans


def _split_coordinated(low: str, orig: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut "to X, to Y and to Z" (or "(a) X; (b) Y") after a cue; returns spans."""
    cuts = []
    for mo in _COORD_TO.finditer(low, start, end):
        to_pos = mo.end()
        nxt = re.match(r"to\s+(?:also\s+|further\s+|jointly\s+)?(\S)", orig[to_pos:end])
        if nxt and nxt.group(1).islower():
            cuts.append((mo.start(), to_pos))
    enums = list(_ENUM.finditer(low, start, end))
    if len(enums) >= 2:
        cuts = [(mo.start(), mo.start()) for mo in enums[1:]]
    if not cuts:
        return [(start, end)]
    spans = []
    pos = start
    for cut_start, next_start in cuts:
        spans.append((pos, cut_start))
        pos = next_start
    spans.append((pos, end))
    # Keep pieces of at least three words; merge shorter ones into the piece before.
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and _words(orig[s:e]) < 3:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _absorb(low: str, cues: list[Cue]) -> list[Cue]:
    """Fold cues that belong to another one into it; return the primary cues."""
    primary: list[Cue] = []
    for cue in cues:
        if primary:
            host = primary[-1]
            near = cue.start - host.end <= 250
            between = low[host.end : cue.start] if near else ""
            in_complement = (
                near
                and host.link in THAT_LINKS
                and cue.kind in {"modal", "intend"}
                and not re.search(r";|,\s*(?:and|while|whereas|but)\s", between)
                and _words(between) <= 25
            )
            # "agreed that X will ...", "... with the course to be held in May", and anything
            # after "Action:" or "Next meeting:" belong to the cue before.
            if in_complement or cue.kind == "to_be" or host.kind in {"action", "next_meeting"}:
                host.absorbed.append(cue)
                continue
        primary.append(cue)
    return primary


# --------------------------------------------------------------------------------------------
# Scoring and assembly


@dataclass
class LeadIn:
    """A sentence that ends in a colon after a cue ("the two sides agreed to:"): the list items
    that follow it take its cue and its actor."""

    clause: Clause
    orig: str
    low: str
    para: Paragraph
    sentence: Sentence
    items: int = 0


@dataclass
class Context:
    today: date
    areas: list[AreaMatcher]
    parties: list[PartyMatcher]
    all_codes: tuple[str, ...]


def _action_start(low: str, clause: Clause) -> int:
    cue = clause.cue
    pos = cue.end
    if cue.link in THAT_LINKS:
        inner = [c for c in cue.absorbed if c.kind == "modal"]
        if inner:
            return inner[0].end
        return pos
    if cue.kind == "task" and cue.link == "with":
        return pos
    if cue.kind == "action":
        mo = re.search(r"\bto\s+(?=[a-z])", low[pos : clause.end])
        if mo:
            return pos + mo.end()
    return pos


def score_clause(
    para: Paragraph,
    sentence: Sentence,
    orig: str,
    low: str,
    clause: Clause,
    ctx: Context,
    lead: LeadIn | None = None,
    context_low: str = "",
) -> Candidate:
    """Build the candidate for one clause (or one list item under `lead`)."""
    lead_in = lead is not None
    cue = clause.cue
    reasons: list[str] = []
    confidence = cue.weight
    label = cue.label
    reasons.append(f"cue '{label}'" if not lead_in else f"list item under '{label}'")
    clause_low = low[clause.start : clause.end]
    clause_orig = orig[clause.start : clause.end]

    # Negative signals -----------------------------------------------------------------------
    head_low = low[clause.start : cue.cue_start] if not lead_in else ""
    after_cue = low[cue.end : clause.end].lstrip() if not lead_in else clause_low
    if not lead_in and cue.kind in {"modal", "intend", "look_forward", "to_be"}:
        frame = None
        for mo in _DISCUSSION_FRAME.finditer(low, clause.start, cue.cue_start):
            frame = mo
        if frame:
            confidence -= 0.3
            reasons.append(f"inside a discussion frame '{frame.group().strip()}'")
    if cue.kind == "agree" and cue.weight <= 0.25:
        reasons.append("agrees only on the importance or need of something")
    if cue.kind in {"modal", "to_be"} and not lead_in:
        inner = after_cue
        if _PREDICTION.match(inner):
            confidence -= 0.3
            reasons.append("predicts rather than commits ('" + " ".join(inner.split()[:2]) + "')")
    action_low = low[clause.action_start : clause.end].lstrip() if not lead_in else clause_low
    action_low = LIST_MARKER.sub("", action_low, count=1).lstrip()
    if _CONTINUE.match(action_low):
        confidence -= 0.1
        reasons.append("continues existing work")
    if cue.kind == "look_forward" and _VAGUE_OBJECT.match(action_low):
        confidence -= 0.2
        reasons.append("looks forward to cooperation in general")
    # Background (what was done before this meeting) caps the confidence at the end.
    background = None
    mo = _BACKGROUND.search(low, clause.start, cue.end) if not lead_in else None
    if mo:
        background = f"background ('{mo.group()}')"
    else:
        for mo in _PAST_YEAR.finditer(clause_low):
            if int(mo.group("year")) < ctx.today.year:
                background = f"background (mentions {mo.group('year')})"
                break
    if background:
        reasons.append(background)

    # Actor ----------------------------------------------------------------------------------
    actor = (
        _clause_actor(lead.orig, lead.low, lead.clause, ctx)
        if lead is not None
        else _clause_actor(orig, low, clause, ctx)
    )
    if actor.named:
        confidence += 0.1
    elif cue.kind == "modal" and not (EVENT.search(head_low) and HOLD.match(action_low)):
        passive = PASSIVE.match(action_low)
        if not passive or base_form(passive.group("part")) not in _ACTION_VERBS:
            confidence -= 0.2
    reasons.append(actor.reason)
    if cue.link in THAT_LINKS and not lead_in and not _that_has_action(low, clause):
        confidence = min(confidence, 0.3)
        reasons.append("agrees on a view; states no action")
    head = re.match(r"(?:be\s+)?([a-z]+)", action_low)
    if head and head.group(1) in _COURTESY:
        confidence -= 0.4
        reasons.append(f"a courtesy, not an action ('{head.group(1)}')")

    # Due date ---------------------------------------------------------------------------------
    due = find_due(clause_orig, ctx.today)
    if due.date:
        confidence += 0.05
        reasons.append(f"due '{due.text}' read as {due.date.isoformat()}")
    elif due.note:
        reasons.append(f"'{due.text}': {due.note}")

    # Action verb ------------------------------------------------------------------------------
    first = re.match(r"(?:be\s+)?([a-z]+)", action_low)
    if first:
        verb = (
            base_form(first.group(1)) if first.group(1).endswith(("ed", "ing")) else first.group(1)
        )
        if verb in _ACTION_VERBS:
            confidence += 0.05
            reasons.append(f"action verb '{first.group(1)}'")

    # Area -------------------------------------------------------------------------------------
    rest_low = (
        low[max(0, clause.start - NEAR) : clause.start]
        + " | "
        + low[clause.end : clause.end + NEAR]
        if not lead_in
        else ""
    )
    area, hits = suggest_area(clause_low, rest_low, context_low, ctx.areas)
    if area:
        confidence += 0.05
        keywords = ", ".join(f"'{h}'" for h in hits[:3])
        reasons.append(f"area {area}: keyword {keywords}")
    else:
        reasons.append("no area keyword")

    if clause.pieces > 1:
        reasons.append(f"one of {clause.pieces} actions in the sentence")

    subject_start = clause.subject_start
    segments = subject_segments(low, clause.subject_start, clause.subject_end)
    if segments:
        subject_start = segments[0][0]  # after the last "said that", "noted", ...
    subject = orig[subject_start : clause.subject_end]
    inner = [c for c in cue.absorbed if c.kind == "modal"]
    if cue.link in THAT_LINKS and inner and not lead_in:
        subject = orig[cue.end : inner[0].cue_start]
    title = make_title(
        orig, low, clause.action_start, clause.end, subject, due.text if due.date else ""
    )
    if cue.kind == "next_meeting":
        title = "Hold the next meeting"
    elif cue.kind == "agree" and cue.link == "on":
        title = shorten("Agree on " + tidy(orig[cue.end : clause.end]))
    if background:
        confidence = min(confidence, _BACKGROUND_CAP)
    confidence = round(min(1.0, max(0.0, confidence)), 2)
    start = sentence.start + clause.start
    end = sentence.start + clause.end
    return Candidate(
        paragraph=para.index,
        sentence=sentence,
        start=start,
        end=end,
        text=para.text[start:end],
        area=area,
        parties=actor.parties,
        title=title,
        due_date=due.date,
        due_text=due.text,
        due_note=due.note,
        confidence=confidence,
        reasons=tuple(reasons),
    )


def _clause_actor(orig: str, low: str, clause: Clause, ctx: Context) -> Actor:
    """Who acts in a clause: an agent ("by the DEA"), the subject of an agreement's complement
    ("agreed that the NCB would"), the clause's subject, or else every party."""
    cue = clause.cue
    codes = ctx.parties
    # Passive with an agent: "shall be prepared by the DEA".
    for inner in [cue, *cue.absorbed]:
        if inner.kind == "modal":
            mo = re.match(r"\s*be\s+[a-z]+\s+(?:\w+\s+){0,2}?by\s+", low[inner.end : clause.end])
            if mo:
                seg_start = inner.end + mo.end()
                seg_end = min(clause.end, seg_start + 60)
                stop = re.search(r"\s+and\s+|,|;", low[seg_start:seg_end])
                if stop:
                    seg_end = seg_start + stop.start()
                named = named_parties(orig, low, seg_start, seg_end, codes)
                if named:
                    return Actor(tuple(named), f"names {', '.join(named)} as the agent", True)
    # "agreed with India to ...": both the subject and the partner.
    partner: list[str] = []
    if cue.link.startswith("with"):
        partner = named_parties(orig, low, cue.cue_end, cue.end, codes, after_preposition=True)
    # The subject of an embedded clause: "agreed that the NCB would ...".
    if cue.link in THAT_LINKS:
        inner = [c for c in cue.absorbed if c.kind in {"modal", "intend"}]
        if inner:
            actor = actor_in(orig, low, cue.end, inner[0].cue_start, codes, ctx.all_codes)
            if actor:
                return actor
    actor = actor_in(orig, low, clause.subject_start, clause.subject_end, codes, ctx.all_codes)
    if actor:
        if partner:
            merged = tuple(c for c in ctx.all_codes if c in set(actor.parties) | set(partner))
            return Actor(merged, f"names {', '.join(merged)} as the actors", True)
        return actor
    if partner:
        return Actor(ctx.all_codes, "names both sides", True)
    if cue.kind in {"passive", "next_meeting"}:
        return Actor(ctx.all_codes, "agreed by the meeting: all parties", True)
    generic = GENERIC_ACTOR.search(low, clause.subject_start, clause.subject_end)
    if generic:
        return Actor(ctx.all_codes, f"actor '{generic.group()}': all parties", True)
    return Actor(ctx.all_codes, "no actor named: all parties assumed", False)


def cut_clauses(low: str, orig: str, cues: list[Cue]) -> list[Clause]:
    primary = _absorb(low, cues)
    out: list[Clause] = []
    for start, end, cue in _split_between_cues(low, primary):
        # Trim whitespace and the sentence's closing punctuation off the clause.
        while end > start and (orig[end - 1].isspace() or orig[end - 1] in ".;,"):
            end -= 1
        subject_start = start
        clause = Clause(
            start=start,
            end=end,
            cue=cue,
            action_start=cue.end,
            subject_start=subject_start,
            subject_end=cue.start if cue.kind != "action" else cue.end,
        )
        if cue.kind == "action":
            mo = re.search(r"\bto\s+(?=[a-z])", low[cue.end : end])
            clause.subject_end = cue.end + mo.start() if mo else cue.end
        clause.action_start = _action_start(low, clause)
        if out and not re.search(
            r"[a-z]{2}",
            re.sub(
                r"\b(?:and|but|while|whereas|also|then|"
                r"further|it|they)\b",
                "",
                low[start : cue.start],
            ),
        ):
            # "... and will designate": no subject of its own; inherit the one before.
            clause.subject_start, clause.subject_end = out[-1].subject_start, out[-1].subject_end
        pieces: list[tuple[int, int]] = [(start, end)]
        if cue.link.endswith("to") and cue.kind in {
            "agree", "commit", "decide", "passive", "task", "task_active", "intend",
        }:  # fmt: skip
            pieces = _split_coordinated(low, orig, cue.end, end)
            pieces[0] = (start, pieces[0][1])
        for i, (p_start, p_end) in enumerate(pieces):
            while p_end > p_start and (orig[p_end - 1].isspace() or orig[p_end - 1] in ".;,"):
                p_end -= 1
            piece = Clause(
                start=p_start,
                end=p_end,
                cue=cue,
                action_start=clause.action_start if i == 0 else p_start,
                subject_start=clause.subject_start,
                subject_end=clause.subject_end,
            )
            if i > 0:
                to = re.match(r"to\s+", low[p_start:p_end])
                piece.action_start = p_start + (to.end() if to else 0)
                enum = _ENUM.match(low, p_start)
                if enum:
                    piece.action_start = enum.end()
            out.append(piece)
    total = len(out)
    for clause in out:
        clause.pieces = total
    return out


def is_lead_in(orig: str, clause: Clause) -> bool:
    tail = orig[clause.cue.end :].strip()
    return (tail in {":", ""} and orig.rstrip().endswith(":")) or bool(
        re.fullmatch(r"(?:the\s+following|as\s+follows)\s*:", tail, re.IGNORECASE)
    )


def _build_context(areas: Iterable[AreaHint], parties: Iterable[PartyHint], today: date) -> Context:
    party_list = list(parties)
    return Context(
        today=today,
        areas=area_matchers(list(areas)),
        parties=party_matchers(party_list),
        all_codes=tuple(p.code for p in party_list),
    )


def find_candidates(
    text: str,
    *,
    areas: Iterable[AreaHint] = (),
    parties: Iterable[PartyHint] = (),
    today: date,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[Candidate]:
    """The candidate commitments in `text`, in text order.

    `areas` and `parties` are what to suggest from; `today` is the readout's date (relative
    due dates count from it; years before it are background). Candidates whose confidence is
    under `min_confidence` are left out: pass 0 to see every clause with a cue.
    """
    if not text or not text.strip():
        return []
    ctx = _build_context(areas, parties, today)
    out: list[Candidate] = []
    lead: LeadIn | None = None
    for para in segment(text):
        for sentence in para.sentences:
            orig = sentence.text
            is_item = bool(LIST_MARKER.match(orig))
            if lead is not None and not is_item:
                if not lead.items:
                    # The lead-in had no items after all: propose it on its own.
                    out.extend(_lead_alone(lead, ctx, min_confidence))
                lead = None
            if _mostly_foreign(orig):
                continue
            low = lowered(orig)
            cues = live_cues(low) if ANY_CUE.search(low) else []
            if not cues and lead is not None and is_item:
                end = len(re.sub(r"[\s.;,]*(?:\b(?:and|or))?[\s.;,]*$", "", orig))
                item = Clause(
                    start=0, end=end, cue=lead.clause.cue, action_start=0, subject_start=0,
                    subject_end=0,
                )  # fmt: skip
                cand = score_clause(para, sentence, orig, low, item, ctx, lead)
                lead.items += 1
                if cand.confidence >= min_confidence:
                    out.append(cand)
                continue
            if not cues:
                continue
            clauses = cut_clauses(low, orig, cues)
            if len(clauses) == 1 and is_lead_in(orig, clauses[0]):
                lead = LeadIn(clauses[0], orig, low, para, sentence)
                continue
            if not is_item:
                lead = None
            # The sentences just before, for clauses that refer back ("the proposal").
            context = lowered(para.text[max(0, sentence.start - 600) : sentence.start])
            for clause in clauses:
                cand = score_clause(para, sentence, orig, low, clause, ctx, context_low=context)
                if cand.confidence >= min_confidence:
                    out.append(cand)
    if lead is not None and not lead.items:
        out.extend(_lead_alone(lead, ctx, min_confidence))
    return out


def _lead_alone(lead: LeadIn, ctx: Context, min_confidence: float) -> list[Candidate]:
    cand = score_clause(lead.para, lead.sentence, lead.orig, lead.low, lead.clause, ctx)
    return [cand] if cand.confidence >= min_confidence else []


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
