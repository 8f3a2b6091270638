from django.db import migrations


def fill(apps, schema_editor):
    """Give existing rows what the services now keep: each follow-up its working group; each
    commitment its last activity (the last follow-up's date, else its meeting's last day) and
    its searchable text."""
    from django.db.models import Max, OuterRef, Subquery

    from commitments.search import search_text

    Commitment = apps.get_model("commitments", "Commitment")
    FollowUp = apps.get_model("commitments", "FollowUp")
    HistoricalCommitment = apps.get_model("commitments", "HistoricalCommitment")
    HistoricalFollowUp = apps.get_model("commitments", "HistoricalFollowUp")
    Meeting = apps.get_model("commitments", "Meeting")

    group_of = Commitment.objects.filter(pk=OuterRef("commitment_id")).values("working_group_id")
    FollowUp.objects.update(working_group_id=Subquery(group_of[:1]))
    HistoricalFollowUp.objects.update(working_group_id=Subquery(group_of[:1]))
    for c in Commitment.objects.select_related("meeting").prefetch_related("lead_agencies"):
        entries = FollowUp.objects.filter(commitment=c)
        last = entries.aggregate(last=Max("occurred_on"))["last"] or c.meeting.end_date
        parts = [c.reference, c.title, c.description, c.source_excerpt]
        parts += [f"{a.acronym} {a.name}" for a in c.lead_agencies.all()]
        for note, reference in entries.values_list("note", "external_reference"):
            parts += [note, reference]
        Commitment.objects.filter(pk=c.pk).update(last_activity_on=last, search_text=search_text(parts))
    current = Commitment.objects.filter(pk=OuterRef("id")).values("last_activity_on")
    agreed = Meeting.objects.filter(pk=OuterRef("meeting_id")).values("end_date")
    HistoricalCommitment.objects.filter(last_activity_on__isnull=True).update(
        last_activity_on=Subquery(current[:1])
    )
    HistoricalCommitment.objects.filter(last_activity_on__isnull=True).update(
        last_activity_on=Subquery(agreed[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("commitments", "0004_entries_activity_search_affiliations")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
