"""Find candidate commitments in the text of a readout or joint statement.

Plain Python: no Django, no database. The caller passes the action areas and parties to suggest
from (`AreaHint`, `PartyHint`) and the readout's date (`today`, which relative due dates such
as "within six months" count from), and gets `Candidate`s back, in text order.

How a sentence becomes candidates (all rules, no model; see `find_candidates`, which runs the
stages, each in a module of its own):

1. `readouts.segment` splits the text into paragraphs and sentences with offsets.
2. `readouts.cues`: cues of an agreed or intended action are looked for: "agreed to/that",
   "committed to", "decided to", "resolved to", "undertook to", "it was agreed that", "were
   tasked with", "will/shall" (with an actor, or a passive such as "shall be established"),
   "plan to", "offered to", "proposed to", "look forward to", "Next meeting: ...", "Action: X to
   ...". A cue that is negated ("did not agree to", "will not") is dropped; a "will" inside a
   relative clause ("which will meet") or inside an agreement ("agreed that X will ...") is not
   a cue of its own.
3. `readouts.clauses`: a sentence with several cues is cut between them (at "; ", ", and ", ",
   while ", ...), and "agreed to X, to Y and to Z" is cut before each coordinated "to". A
   lead-in that ends in a colon ("the two sides agreed to:") hands its cue to the list items
   that follow it.
4. `readouts.scoring`: each clause gets a confidence from its cue and from what surrounds it,
   with the reasons: discussion frames ("stressed that ... will"), predictions ("will
   require"), background (pluperfect, "previously", a year before the readout's), vague objects
   ("agreed on the importance of") lower it; a named actor, a due date, a concrete action verb
   and a matching area raise it.
5. Parties come from the clause's subject (`readouts.parties`: names and aliases of the parties,
   "both sides", agencies passed as aliases), the area from the areas' keywords and names
   (`readouts.areas`), the due date from `readouts.dates`, the title from the action the cue
   introduces, in the imperative (`readouts.titles`).

Candidates under `min_confidence` are not returned; pass `min_confidence=0` to see everything
the cues found (with the reasons for the low scores).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from readouts.areas import AreaHint, area_matchers
from readouts.clauses import Clause, LeadIn, cut_clauses, is_lead_in
from readouts.cues import ANY_CUE, live_cues
from readouts.parties import PartyHint, party_matchers
from readouts.scoring import Candidate, Context, score_clause
from readouts.segment import LIST_MARKER, lowered, segment

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "AreaHint",
    "Candidate",
    "PartyHint",
    "find_candidates",
]

DEFAULT_MIN_CONFIDENCE = 0.45


def _mostly_foreign(text: str) -> bool:
    if text.isascii():
        return False
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    ascii_letters = sum(1 for c in letters if c.isascii())
    return ascii_letters < 0.6 * len(letters)


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
