"""No lost update, for real: analysts saving the same commitment at the same moment, in threads
with their own database connections, on the same database (SQLite file or PostgreSQL).

Each attempt is either stored whole or refused with ConflictError; the commitment's version,
status and follow-ups always agree with the attempts that were acknowledged.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from dataclasses import dataclass

import pytest
from django.db import DatabaseError, connection, transaction

from commitments import services
from commitments.models import Commitment, FollowUp, Meeting, Status, WorkingGroup
from commitments.services.commitments import current_version, current_version_with_leads
from tests import factories
from tests.factories import Role

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 30
STATUSES = [Status.IN_PROGRESS, Status.STALLED, Status.COMPLETED, Status.NOT_STARTED, ""]


@dataclass
class Attempt:
    note: str
    status: str
    outcome: str = ""  # "stored" or "conflict"
    follow_up_id: int | None = None
    started: float = 0.0
    finished: float = 0.0
    error: BaseException | None = None


def run_at_once(jobs) -> None:
    """Run the callables in threads released together by a barrier; each thread closes its own
    database connection when it is done."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def worker(job):
        try:
            job(barrier)
        except BaseException as exc:  # reported by the test, not lost in a thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a writer hung"
    assert not errors, errors


def save(commitment_id: int, author, expected_version: int, attempt: Attempt):
    def job(barrier: threading.Barrier) -> None:
        commitment = Commitment.objects.get(pk=commitment_id)  # this thread's own read
        barrier.wait()
        attempt.started = time.perf_counter()
        try:
            follow_up = services.follow_up_record(
                commitment=commitment,
                author=author,
                note=attempt.note,
                status=attempt.status or None,
                expected_version=expected_version,
            )
        except services.ConflictError:
            attempt.outcome = "conflict"
        else:
            attempt.outcome = "stored"
            attempt.follow_up_id = follow_up.pk
        finally:
            attempt.finished = time.perf_counter()

    return job


def assert_consistent(commitment: Commitment, stored: list[Attempt], refused: list[Attempt]):
    """What the database holds is exactly what was acknowledged, nothing more, nothing less."""
    commitment.refresh_from_db()
    follow_ups = list(commitment.follow_ups.order_by("commitment_version"))
    assert len(follow_ups) == len(stored)
    assert commitment.version == 1 + len(stored)
    assert [f.commitment_version for f in follow_ups] == list(range(2, 2 + len(stored)))
    by_id = {f.pk: f for f in follow_ups}
    for attempt in stored:
        follow_up = by_id[attempt.follow_up_id]  # stored whole: its own note and status
        assert follow_up.note == attempt.note
        if follow_up.status_after:
            assert follow_up.status_after == attempt.status
    refused_notes = {a.note for a in refused}
    assert not FollowUp.objects.filter(note__in=refused_notes).exists()
    # The commitment's state is the one its follow-ups describe.
    status = Status.NOT_STARTED
    progress = 0
    for follow_up in follow_ups:
        if follow_up.status_after:
            assert follow_up.status_before == status
            status = follow_up.status_after
        if follow_up.progress_after is not None:
            assert follow_up.progress_before == progress
            progress = follow_up.progress_after
    assert commitment.status == status
    assert commitment.progress == progress
    last_change = next((f for f in reversed(follow_ups) if f.status_after), None)
    if last_change is not None:
        assert commitment.status == last_change.status_after


@pytest.fixture
def analysts(group):
    return [factories.member(group, Role.ANALYST, f"analyst{i}") for i in range(4)]


def test_it_lets_exactly_one_of_two_simultaneous_saves_win(group, analysts):
    commitment = factories.commitment(group)
    first, second = analysts[:2]
    statuses = itertools.cycle(STATUSES)
    stored, refused = [], []
    overlapped = 0
    for round_ in range(ROUNDS):
        version = Commitment.objects.values_list("version", flat=True).get(pk=commitment.pk)
        attempts = [
            Attempt(note=f"round {round_} by {who.username}", status=next(statuses))
            for who in (first, second)
        ]
        run_at_once(
            [
                save(commitment.pk, first, version, attempts[0]),
                save(commitment.pk, second, version, attempts[1]),
            ]
        )
        outcomes = sorted(a.outcome for a in attempts)
        assert outcomes == ["conflict", "stored"], (round_, outcomes)
        winner = next(a for a in attempts if a.outcome == "stored")
        loser = next(a for a in attempts if a.outcome == "conflict")
        overlapped += loser.started < winner.finished
        stored.append(winner)
        refused.append(loser)
    # The two really ran at the same time (the loser started before the winner had finished),
    # at least in most rounds: the barrier releases them together.
    assert overlapped >= ROUNDS // 2, overlapped
    assert_consistent(commitment, stored, refused)


def test_it_loses_nothing_when_many_analysts_keep_saving_and_retry_on_conflict(group, analysts):
    commitment = factories.commitment(group)
    per_analyst = 10
    attempts: list[Attempt] = []
    lock = threading.Lock()

    def keep_saving(author, offset: int):
        def job(barrier: threading.Barrier) -> None:
            barrier.wait()
            for n in range(per_analyst):
                status = STATUSES[(offset + n) % len(STATUSES)]
                while True:  # like an analyst who reads the conflict message and saves again
                    commitment_now = Commitment.objects.get(pk=commitment.pk)
                    attempt = Attempt(note=f"{author.username} #{n}", status=status)
                    try:
                        follow_up = services.follow_up_record(
                            commitment=commitment_now,
                            author=author,
                            note=f"{attempt.note} try {len(attempts)}",
                            status=status or None,
                            expected_version=commitment_now.version,
                        )
                    except services.ConflictError:
                        attempt.outcome = "conflict"
                    else:
                        attempt.outcome = "stored"
                        attempt.follow_up_id = follow_up.pk
                        attempt.note = follow_up.note
                    with lock:
                        attempts.append(attempt)
                    if attempt.outcome == "stored":
                        break

        return job

    run_at_once([keep_saving(author, i) for i, author in enumerate(analysts)])

    stored = [a for a in attempts if a.outcome == "stored"]
    assert len(stored) == per_analyst * len(analysts)
    assert all(a.outcome in ("stored", "conflict") for a in attempts)
    assert_consistent(commitment, stored, refused=[])
    # Every analyst's every follow-up is there, once.
    notes = sorted(f.note.split(" try ")[0] for f in commitment.follow_ups.all())
    assert notes == sorted(f"{a.username} #{n}" for a in analysts for n in range(per_analyst))


def test_it_keeps_writers_on_different_commitments_out_of_each_others_way(group, analysts):
    commitments = [factories.commitment(group) for _ in analysts]
    attempts = [[] for _ in analysts]

    def write_own(i: int):
        def job(barrier: threading.Barrier) -> None:
            barrier.wait()
            for n in range(ROUNDS // 3):
                current = Commitment.objects.get(pk=commitments[i].pk)
                attempt = Attempt(note=f"own {i} #{n}", status=STATUSES[n % len(STATUSES)])
                save(current.pk, analysts[i], current.version, attempt)(threading.Barrier(1))
                attempts[i].append(attempt)

        return job

    run_at_once([write_own(i) for i in range(len(analysts))])
    for i, commitment in enumerate(commitments):
        # Nobody else touched it, so nothing of this writer's was refused.
        assert [a.outcome for a in attempts[i]] == ["stored"] * (ROUNDS // 3)
        assert_consistent(commitment, attempts[i], refused=[])


@pytest.mark.parametrize(
    "lock",
    [
        lambda c: current_version(c, c.version, lock=True),  # an edit of its details
        lambda c: current_version_with_leads(c, c.version),  # a follow-up
    ],
    ids=["edit", "follow-up"],
)
def test_it_locks_only_the_commitment_a_write_is_about(group, lock):
    """A follow-up or an edit locks its commitment's row, not its group's or meeting's: other
    writers of the group go on meanwhile (PostgreSQL; SQLite has no row locks, one writer at
    a time holds the whole database)."""
    commitment = factories.commitment(group, lead_agencies=list(factories.lead_agencies()))
    other = factories.commitment(group)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        try:
            with transaction.atomic():
                lock(commitment)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()  # the thread's own

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        if connection.vendor == "postgresql":
            with transaction.atomic():
                WorkingGroup.objects.select_for_update(nowait=True).get(pk=group.pk)
                Meeting.objects.select_for_update(nowait=True).get(pk=commitment.meeting_id)
                Commitment.objects.select_for_update(nowait=True).get(pk=other.pk)
            with pytest.raises(DatabaseError), transaction.atomic():
                Commitment.objects.select_for_update(nowait=True).get(pk=commitment.pk)
        else:
            assert not connection.features.has_select_for_update
    finally:
        release.set()
        holder.join(timeout=30)


# --------------------------------------------------------------------------- passkeys


def test_it_accepts_one_passkey_signature_once_when_two_requests_bring_it_at_once(settings):
    """Two requests with the same signed answer and the same challenge (a session's state read
    by both before either used it up): the passkey's row is locked while its sign count is
    checked, so only one gets through; the other sees a count that did not grow. (Without the
    lock both pass on PostgreSQL; SQLite's IMMEDIATE transactions serialize them anyway.)"""
    from django.test import RequestFactory
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse

    from accounts import mfa
    from accounts.passkeys import PasskeyHelper
    from tests.webauthn_device import SoftPasskey, b64url, stored_passkey

    settings.ALLOWED_HOSTS = ["localhost"]
    user = factories.user("keyholder")
    passkey = SoftPasskey(origin="http://localhost", rp_id="localhost")
    stored_passkey(user, soft=passkey)
    for _ in range(ROUNDS):
        challenge = b64url(secrets.token_bytes(32))
        answer = passkey.assertion({"challenge": challenge, "rpId": "localhost"})
        state = {"challenge": challenge, "require_user_verification": False}
        outcomes: list[str] = []

        def verify(barrier, answer=answer, state=state, outcomes=outcomes):
            helper = PasskeyHelper(RequestFactory(SERVER_NAME="localhost").post("/"))
            barrier.wait()
            try:
                mfa.passkey_verify(helper, user=user, state=state, data=answer)
            except InvalidAuthenticationResponse:
                outcomes.append("refused")
            else:
                outcomes.append("accepted")

        run_at_once([verify, verify])
        assert sorted(outcomes) == ["accepted", "refused"]
