"""Readout importer: find candidate commitments in a joint statement or readout.

Plain Python with no Django models, so it can be tested and reused on its own; the web page
that lets a coordinator paste a readout and review the candidates is built on top of it.

    from readouts import AreaHint, PartyHint, find_candidates

    candidates = find_candidates(
        text,
        areas=[AreaHint("precursor-chemicals", "Precursor-chemical control", ("precursor",))],
        parties=[PartyHint("US", ("United States", "U.S.")), PartyHint("IN", ("India",))],
        today=readout_date,
    )
"""

from readouts.dates import Due, find_due
from readouts.finder import (
    DEFAULT_MIN_CONFIDENCE,
    AreaHint,
    Candidate,
    PartyHint,
    find_candidates,
)
from readouts.segment import Paragraph, Sentence, segment

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "AreaHint",
    "Candidate",
    "Due",
    "Paragraph",
    "PartyHint",
    "Sentence",
    "find_candidates",
    "find_due",
    "segment",
]
