"""The background job of automation: ids in, one rule carried out on one asset, safe to run twice."""
from __future__ import annotations

from workflows.automation import engine, schedule


def automation_run_task(rule_id: int, asset_id: int, trigger: str, event_key: str,
                        chain: list[list[int]] | None = None) -> int | None:
    run = engine.run_rule(rule_id=rule_id, asset_id=asset_id, trigger=trigger, event_key=event_key, chain=chain)
    return run.pk if run is not None else None


def automation_schedule_tick_task() -> int:
    """Every minute (django-q2 schedule): queue the scheduled rules that are due; how many ran."""
    return len(schedule.schedule_tick())
