"""The private calendar feed: its token, and the iCalendar document of a member's groups."""

from __future__ import annotations

import datetime

from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event

SALT = "reports.calendar-feed"


def token_for(user_id: int, key: str) -> str:
    return salted_hmac(SALT, f"{user_id}:{key}", algorithm="sha256").hexdigest()[:40]


def token_matches(user_id: int, key: str, token: str) -> bool:
    return bool(key) and constant_time_compare(token_for(user_id, key), token)


def ics(*, name: str, meetings, commitments, base_url: str, stamp: datetime.datetime) -> bytes:
    """Meetings as all-day events over their days; open commitments as all-day events on their
    due date. UIDs are stable, so a calendar updates an event rather than adding another."""
    calendar = Calendar()
    calendar.add("prodid", "-//Commitment Tracker//calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT6H")
    host = base_url.split("//", 1)[-1].split("/", 1)[0] or "tracker"
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add(
            "summary",
            f"{meeting.working_group.short_name} meeting {meeting.number}: {meeting.title}",
        )
        event.add("dtstart", meeting.start_date)
        event.add("dtend", meeting.end_date + datetime.timedelta(days=1))
        if meeting.location:
            event.add("location", meeting.location)
        event.add("url", base_url + meeting.get_absolute_url())
        calendar.add_component(event)
    for commitment in commitments:
        event = Event()
        event.add("uid", f"commitment-due-{commitment.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", f"Due: {commitment.reference} {commitment.title}")
        event.add("dtstart", commitment.due_date)
        event.add("dtend", commitment.due_date + datetime.timedelta(days=1))
        event.add(
            "description",
            f"{commitment.get_status_display()}, {commitment.progress}% done. "
            f"{commitment.action_area.name}.",
        )
        event.add("url", base_url + commitment.get_absolute_url())
        calendar.add_component(event)
    return calendar.to_ical()
