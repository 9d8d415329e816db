"""apply_retention [--dry-run]: apply the enabled retention rules and empty the bin of what is due."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from archive.models import RetentionRule
from archive.retention import selectors, services


class Command(BaseCommand):
    help = ("Apply every enabled retention rule, then purge binned assets whose grace period is over. "
            "With --dry-run, list what would happen and change nothing.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Say what would happen; change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        rules = RetentionRule.objects.filter(enabled=True).order_by("pk")
        if not rules:
            self.stdout.write("No retention rule is enabled.")
        for rule in rules:
            if dry_run:
                self._dry_run(rule)
                continue
            run = services.rule_run(rule=rule, actor=None)
            if run.refused:
                self.stdout.write(self.style.WARNING(f"{rule.name}: did not run. {run.refused}"))
                continue
            self.stdout.write(f"{rule.name}: {run.acted} changed, {len(run.skipped)} skipped.")
            for skipped in run.skipped:
                self.stdout.write(f"  skipped {skipped['uid']} “{skipped['title']}”: {skipped['reason']}")
        due = selectors.bin_due()
        if dry_run:
            for entry in due:
                state = "kept: under legal hold" if getattr(entry, "held", False) else "would be purged for good"
                self.stdout.write(f"Bin: {entry.asset.uid} “{entry.asset.title}” {state}")
            return
        purged = services.bin_purge_due()
        self.stdout.write(f"Bin: {len(purged)} asset{'s' if len(purged) != 1 else ''} purged for good.")

    def _dry_run(self, rule: RetentionRule) -> None:
        plan = selectors.rule_plan(rule)
        verb = "archive" if rule.action == RetentionRule.Action.ARCHIVE else "move to the bin"
        self.stdout.write(f"{rule.name}: would {verb} {plan.count}, skip "
                          f"{plan.counts[selectors.HELD] + plan.counts[selectors.IN_REVIEW]}.")
        for asset in plan.to_act.iterator():
            self.stdout.write(f"  {verb} {asset.uid} “{asset.title}”")
        for asset in plan.skipped.iterator():
            self.stdout.write(f"  skip {asset.uid} “{asset.title}”: "
                              f"{selectors.SKIP_REASONS[selectors.skip_reason(asset)]}")
