"""The finder's fourth stage: a clause's confidence, with its reasons, assembled as a `Candidate`.

`score_clause` starts from the cue's weight, lowers it for discussion frames ("stressed that ...
will"), predictions ("will require"), background (pluperfect, "previously", a year before the
readout's), vague objects ("agreed on the importance of") and courtesies ("thank"), raises it
for a named actor, a due date, a concrete action verb and a matching area, and builds the
candidate with the parties (`readouts.parties`), area (`readouts.areas`), due date
(`readouts.dates`) and title (`readouts.titles`) read from the clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from readouts.areas import NEAR, AreaMatcher, suggest_area
from readouts.clauses import Clause, LeadIn
from readouts.cues import THAT_LINKS, VAGUE_ON
from readouts.dates import find_due
from readouts.parties import (
    GENERIC_ACTOR,
    Actor,
    PartyMatcher,
    actor_in,
    named_parties,
    subject_segments,
)
from readouts.segment import LIST_MARKER, Paragraph, Sentence, wordset
from readouts.titles import EVENT, HOLD, PASSIVE, base_form, make_title, shorten, tidy

__all__ = ["Candidate", "Context", "score_clause"]


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
class Context:
    """What clauses are scored against: the readout's date, the areas and parties to suggest."""

    today: date
    areas: list[AreaMatcher]
    parties: list[PartyMatcher]
    all_codes: tuple[str, ...]


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
