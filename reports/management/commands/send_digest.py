"""`python manage.py send_digest`: the weekly e-mail to each member (run it from cron, e.g.
Mondays at 06:00). Idempotent per ISO week: each member's digest is claimed in the database
before it is sent, so running it twice, or on two servers at once, sends nobody two."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reports import selectors, services


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


class Command(BaseCommand):
    help = "Send this week's digest to every member who has not opted out (once per week)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would get a digest; send nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        now = timezone.now()
        today = timezone.localdate(now)
        week = week_of(today)
        sent = skipped = empty = failed = 0
        for user in selectors.digest_recipients():
            since = selectors.last_digest_at(user=user) or now - datetime.timedelta(days=7)
            digest = selectors.digest_for(user=user, since=since, today=today)
            if digest.empty:  # nothing to say: no mail (and nothing claimed)
                empty += 1
                continue
            if dry_run:
                self.stdout.write(f"{user.username} <{user.email}>: {len(digest.groups)} group(s)")
                continue
            delivery = services.digest_claim(user=user, week=week, since=since)
            if delivery is None:
                skipped += 1
                continue
            context = {
                "digest": digest,
                "site_url": settings.SITE_URL,
                "preferences_url": settings.SITE_URL + reverse("reports:my_feeds"),
            }
            message = EmailMultiAlternatives(
                subject=f"Commitment Tracker: your week of {week:%-d %B %Y}",
                body=render_to_string("reports/digest_email.txt", context),
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string("reports/digest_email.html", context), "text/html"
            )
            try:
                message.send()
            except Exception as error:  # the mail server refused: recorded, not retried
                services.digest_failed(delivery=delivery, error=str(error))
                failed += 1
                self.stderr.write(f"{user.username}: not sent ({error})")
                continue
            services.digest_delivered(delivery=delivery)
            sent += 1
        self.stdout.write(
            f"Week of {week.isoformat()}: {sent} sent, {empty} with nothing to report, "
            f"{skipped} already sent this week, {failed} failed."
        )
