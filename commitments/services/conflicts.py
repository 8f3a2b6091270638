"""Optimistic locking: the version a caller saw, and what it is told when someone was faster."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import Truncator

from ..models import Commitment, FollowUp


class ConflictError(Exception):
    """Someone else changed the commitment since the caller read it."""

    def __init__(self, *, current: Commitment, expected_version: int):
        self.current = current
        self.expected_version = expected_version
        super().__init__(
            f"{current.reference} was changed by someone else (you saw version "
            f"{expected_version}, it is now at version {current.version})."
        )

    def changes_since(self) -> list[FollowUp]:
        """The entries (follow-ups and edits) recorded after the version the caller saw,
        oldest first."""
        return list(
            self.current.follow_ups.filter(commitment_version__gt=self.expected_version)
            .select_related("author__affiliation__agency__party")
            .order_by("commitment_version")
        )


def describe(entry: FollowUp) -> str:
    """One entry in a line of plain text: its note, or for an edit what changed."""
    if entry.is_edit:
        what = "; ".join(
            f"{c['label'].lower()} {c['before']} → {c['after']}"
            if c.get("before") is not None
            else f"{c['label'].lower()} changed"
            for c in entry.changes
        )
        return f"edited {what}" + (f" ({entry.note})" if entry.note else "")
    return entry.note


@dataclass
class Conflict:
    """What changed since the user loaded a commitment: the one account of a conflict that
    every door shows (the commitment page, the list's quick change, the admin). At most the
    last SHOWN changes are listed; the rest are counted, with a link to the timeline."""

    SHOWN = 5

    reference: str
    changes: list[FollowUp]
    status_label: str
    progress: int
    version: int
    seen_version: int

    @classmethod
    def from_error(cls, error: ConflictError) -> Conflict:
        current = error.current
        return cls(
            reference=current.reference,
            changes=error.changes_since(),
            status_label=current.get_status_display(),
            progress=current.progress,
            version=current.version,
            seen_version=error.expected_version,
        )

    @property
    def recent_changes(self) -> list[FollowUp]:
        """The last SHOWN changes, oldest first."""
        return self.changes[-self.SHOWN :]

    @property
    def earlier_count(self) -> int:
        """How many changes before those are not listed."""
        return max(0, len(self.changes) - self.SHOWN)

    @property
    def authors(self) -> list[str]:
        return sorted({fu.author.get_full_name() or fu.author.username for fu in self.changes})

    @property
    def explanation(self) -> str:
        """The whole account as one plain text (where no page can show the changes as a
        list, e.g. a form error in the admin): versions, and each change."""
        lines = [
            f"{self.reference} was changed by someone else while you were editing it "
            f"(you loaded version {self.seen_version}, it is now at version {self.version}). "
            "Nothing was saved. Open it again to see the current state, then redo your change."
        ]
        if self.earlier_count:
            lines.append(f"{self.earlier_count} earlier change(s), in the commitment's timeline")
        for fu in self.recent_changes:
            author = fu.author.get_full_name() or fu.author.username
            lines.append(f"{author} on {fu.occurred_on}: {Truncator(describe(fu)).chars(80)}")
        return " · ".join(lines)

    @property
    def summary(self) -> str:
        by = f" by {', '.join(self.authors)}" if self.authors else ""
        return (
            f"It was changed{by} since you loaded it: it is now “{self.status_label}”, "
            f"{self.progress}%. Check and try again."
        )
