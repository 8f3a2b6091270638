"""`python manage.py demo_accounts`: the demo logins described in README.md (development only).

Creates or repairs the accounts of `settings.DEMO_ACCOUNT_LIST`: `admin` (superuser) and a
coordinator, an analyst and a viewer who are members of every working group. Idempotent: running
it again changes nothing. A password is set only when the account is created (or with
--reset-passwords), so a password someone has changed since is kept; the flags and memberships
are put back to what README.md documents. Refused unless settings.DEMO_ACCOUNTS is true (it
defaults to DEBUG), so never in production.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commitments import services
from commitments.models import Affiliation, Agency, Membership, WorkingGroup


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
            for account in settings.DEMO_ACCOUNT_LIST:
                created = self._ensure_account(account, groups, reset_passwords=reset_passwords)
                if created or reset_passwords:
                    state = (
                        f"{'created' if created else 'password reset'}, "
                        f"password {account['password']}"
                    )
                else:
                    state = "already there, password left as it is"
                self.stdout.write(f"{account['username']:<12} {account['description']} ({state})")
        if not groups:
            self.stdout.write(
                self.style.WARNING(
                    "No working groups yet, so no memberships: run `manage.py load_seeds` first."
                )
            )
        self.stdout.write(self.style.SUCCESS("Demo accounts ready (passwords: see README.md)."))

    def _ensure_account(self, account: dict, groups, *, reset_passwords: bool) -> bool:
        first_name, last_name = account.get("name") or ("", "")
        user, created = services.user_ensure(
            username=account["username"],
            password=account["password"],
            is_superuser=account["is_superuser"],
            reset_password=reset_passwords,
            first_name=first_name,
            last_name=last_name,
        )
        if account.get("agency"):
            party, acronym = account["agency"]
            agency = Agency.objects.filter(party__code=party, acronym=acronym).first()
            if agency is not None and not Affiliation.objects.filter(user=user).exists():
                services.affiliation_set(user=user, agency=agency)
        role = account["role"]
        if role is not None:
            roles = dict(
                Membership.objects.filter(user=user).values_list("working_group_id", "role")
            )
            for group in groups:
                if roles.get(group.pk) != role:
                    services.membership_set(user=user, working_group=group, role=role)
        return created
