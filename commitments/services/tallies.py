"""Keeping the dashboard's and the sides page's counts (`models.Tally`) true: every service
that creates, changes or deletes a commitment takes its contributions before (`counted`) and
after, and hands both to `tally_change`, in its own transaction.

The change is applied as a difference (after minus before) in one statement, an upsert that
adds to the stored counts (`n = n + excluded.n`): two transactions changing different
commitments of one group never overwrite each other's counts. `tally_rebuild` counts
everything again from the commitments themselves (for bulk loads, and for
`manage.py check_tallies --rebuild`); `tally_differences` says where stored and recounted
differ (the tests compare them after every kind of change).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

from .. import cache
from ..models import Commitment, Tally
from ..models.tallies import FIELDS, contributions

Sides = frozenset


def lead_sides(commitments) -> dict[int, Sides]:
    """The parties whose agencies lead each of `commitments` (a queryset), by id: one query."""
    found: dict[int, set] = {}
    through = Commitment.lead_agencies.through.objects.filter(commitment__in=commitments)
    for commitment_id, party_id in through.values_list("commitment_id", "agency__party_id"):
        found.setdefault(commitment_id, set()).add(party_id)
    return {pk: Sides(parties) for pk, parties in found.items()}


def lead_rows(commitment: Commitment) -> list[tuple[int, int, int]]:
    """The commitment's lead agencies as stored: (row id, agency id, party id), one query.
    Its sides are the parties (`sides_of`); the rows are what its history copies
    (models.known_relations)."""
    through = Commitment.lead_agencies.through.objects.filter(commitment_id=commitment.pk)
    return list(through.values_list("id", "agency_id", "agency__party_id"))


def sides_of(rows: Iterable[tuple[int, int, int]]) -> Sides:
    """The parties of a commitment's `lead_rows`."""
    return Sides(party for _, _, party in rows)


def counted(commitment: Commitment, sides: Iterable[int] | None = None) -> Counter:
    """What the commitment contributes now; its sides are looked up (one query) unless given
    (the parties of its lead agencies)."""
    if sides is None:
        sides = sides_of(lead_rows(commitment))
    return contributions(commitment, Sides(sides))


def _apply(group_id: int, difference: Counter) -> None:
    """Add `difference` ({(kind, key, column): amount}) to the group's stored counts."""
    rows: dict[tuple[str, str], list[int]] = {}
    for (kind, key, column), amount in difference.items():
        if amount:
            rows.setdefault((kind, key), [0, 0])[column == "total"] += amount
    if not rows:
        return
    table, column = (connection.ops.quote_name(name) for name in (Tally._meta.db_table, "key"))
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params: list = []
    for (kind, key), (n, total) in sorted(rows.items()):
        params += [group_id, kind, key, n, total]
    with connection.cursor() as cursor:
        # Names from the model, values as parameters.
        cursor.execute(
            f"INSERT INTO {table} (working_group_id, kind, {column}, n, total) "  # noqa: S608
            f"VALUES {values} ON CONFLICT (working_group_id, kind, {column}) "
            f"DO UPDATE SET n = {table}.n + excluded.n, total = {table}.total + excluded.total",
            params,
        )


def tally_change(group_id: int, before: Counter | None = None, after: Counter | None = None):
    """A commitment of the group changed: `before` and `after` are its contributions
    (`counted`), None when it did not exist or no longer exists."""
    difference = Counter(after or {})
    difference.subtract(before or Counter())
    _apply(group_id, difference)


def recount(commitments) -> Counter:
    """Everything the commitments of a queryset contribute (two queries)."""
    sides = lead_sides(commitments)
    found: Counter = Counter()
    for row in commitments.values("pk", *FIELDS).iterator(2000):
        found.update(contributions(row, sides.get(row["pk"], Sides())))
    return found


def _nonzero(counts: Counter) -> Counter:
    return Counter({k: v for k, v in counts.items() if v})


def stored(group_id: int) -> Counter:
    found: Counter = Counter()
    for kind, key, n, total in Tally.objects.filter(working_group_id=group_id).values_list(
        "kind", "key", "n", "total"
    ):
        found[kind, key, "n"] += n
        found[kind, key, "total"] += total
    return _nonzero(found)


def _recounted(group_id: int) -> Counter:
    return _nonzero(recount(Commitment.objects.filter(working_group_id=group_id)))


@transaction.atomic
def tally_rebuild(*, working_group_id: int) -> None:
    """Count the group's commitments again and store the counts (after a bulk load)."""
    counts = _recounted(working_group_id)
    Tally.objects.filter(working_group_id=working_group_id).delete()
    rows: dict[tuple[str, str], Tally] = {}
    for (kind, key, column), amount in counts.items():
        row = rows.setdefault(
            (kind, key), Tally(working_group_id=working_group_id, kind=kind, key=key)
        )
        setattr(row, column, amount)
    Tally.objects.bulk_create(rows.values(), batch_size=1000)
    cache.changed([working_group_id])


def tally_differences(*, working_group_id: int) -> dict:
    """{(kind, key, column): (stored, recounted)} wherever they differ (empty when true)."""
    have, want = stored(working_group_id), _recounted(working_group_id)
    return {k: (have[k], want[k]) for k in set(have) | set(want) if have[k] != want[k]}


__all__ = [
    "counted",
    "lead_rows",
    "lead_sides",
    "recount",
    "sides_of",
    "tally_change",
    "tally_differences",
    "tally_rebuild",
]
