"""`python manage.py demo_accounts`: the demo logins described in README.md (development only).

Creates or repairs four accounts: `admin` (superuser) and a coordinator, an analyst and a viewer
who are members of every working group. Idempotent: running it again changes nothing. A password
is set only when the account is created (or with --reset-passwords), so a password someone has
changed since is kept; the flags and memberships are put back to what README.md documents.
Refused unless settings.DEMO_ACCOUNTS is true (it defaults to DEBUG), so never in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commitments import services
from commitments.models import Membership, MembershipRole, WorkingGroup


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str | None  # the membership role in every working group; None for the superuser
    is_superuser: bool = False

    @property
    def description(self) -> str:
        return "superuser (Django admin)" if self.is_superuser else f"{self.role} of every group"


# Keep in step with the "Demo accounts" section of README.md (a test checks it).
DEMO_ACCOUNTS = (
    DemoAccount("admin", "demo-admin-2026", None, is_superuser=True),
    DemoAccount("coordinator", "demo-coordinator-2026", MembershipRole.COORDINATOR),
    DemoAccount("analyst", "demo-analyst-2026", MembershipRole.ANALYST),
    DemoAccount("viewer", "demo-viewer-2026", MembershipRole.VIEWER),
)


class Command(BaseCommand):
    help = (
        "Create the demo accounts (admin, coordinator, analyst, viewer) listed in README.md. "
        "Only when DEMO_ACCOUNTS is on (it defaults to DEBUG); never in production."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set the documented passwords again on accounts that already exist.",
        )

    def handle(self, *args, reset_passwords: bool = False, **options) -> None:
        if not settings.DEMO_ACCOUNTS:
            raise CommandError(
                "Demo accounts are disabled: DEMO_ACCOUNTS is off (it defaults to DEBUG). They "
                "have published passwords, so they are for a development machine only; set "
                "DEBUG=1 (or DEMO_ACCOUNTS=1) there."
            )
        with transaction.atomic():
            groups = list(WorkingGroup.objects.order_by("name"))
            for account in DEMO_ACCOUNTS:
                created = self._ensure_account(account, groups, reset_passwords=reset_passwords)
                if created or reset_passwords:
                    state = (
                        f"{'created' if created else 'password reset'}, password {account.password}"
                    )
                else:
                    state = "already there, password left as it is"
                self.stdout.write(f"{account.username:<12} {account.description} ({state})")
        if not groups:
            self.stdout.write(
                self.style.WARNING(
                    "No working groups yet, so no memberships: run `manage.py load_seeds` first."
                )
            )
        self.stdout.write(self.style.SUCCESS("Demo accounts ready (passwords: see README.md)."))

    def _ensure_account(self, account: DemoAccount, groups, *, reset_passwords: bool) -> bool:
        User = get_user_model()
        user = User.objects.filter(username=account.username).first()
        created = user is None
        if created:
            user = User(username=account.username, email=f"{account.username}@example.org")
        wanted = {
            "is_active": True,
            "is_staff": account.is_superuser,
            "is_superuser": account.is_superuser,
        }
        changed = created or any(getattr(user, name) != value for name, value in wanted.items())
        for name, value in wanted.items():
            setattr(user, name, value)
        if created or reset_passwords:
            user.set_password(account.password)
            changed = True
        if changed:
            user.save()
        if account.role is not None:
            roles = dict(
                Membership.objects.filter(user=user).values_list("working_group_id", "role")
            )
            for group in groups:
                if roles.get(group.pk) != account.role:
                    services.membership_set(user=user, working_group=group, role=account.role)
        return created
