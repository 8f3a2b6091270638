from commitments import services
from commitments.models import Commitment


def test_it_creates_a_commitment_with_a_generated_reference(group, commitment):
    assert commitment.reference == "DPEWG-1-PC-01"
    second = services.commitment_create(
        working_group=group,
        action_area=commitment.action_area,
        meeting=commitment.meeting,
        title="Another",
    )
    assert second.reference == "DPEWG-1-PC-02"
    assert Commitment.objects.count() == 2


def test_it_records_a_follow_up(commitment, analyst):
    fu = services.follow_up_record(
        commitment=commitment, author=analyst, note="Met", status="in_progress",
        progress=20, expected_version=1,
    )
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("in_progress", 20, 2)
    assert fu.commitment_version == 2
