"""python manage.py load_demo — realistic demo data (idempotent)."""

from typing import Any

from django.utils.module_loading import import_string

from trygg.core import demo
from trygg.core.management.base import TryggCommand

# Each app that has demo data adds its loader here, in dependency order.
DEMO_LOADERS = [
    "trygg.core.demo.load",
    "trygg.incidents.demo.load",
    "trygg.surveys.demo.load",
    "trygg.cases.demo.load",
    "trygg.walks.demo.load",
    "trygg.plan.demo.load",
    "trygg.est.demo.load",
    "trygg.live.demo.load",
]


class Command(TryggCommand):
    help = "Load the demo municipality (Upplands-Bro, 0139) with partners, users and areas."

    def handle(self, *args: Any, **options: Any) -> None:
        for dotted in DEMO_LOADERS:
            import_string(dotted)(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Demo logins (password '{demo.DEMO_PASSWORD}'):")
        )
        for user in demo.USERS:
            self.stdout.write(f"  {user.username:<12} {user.description}")
