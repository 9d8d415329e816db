"""Background jobs of the archive tier: take ids, call a service, safe to run twice."""
from __future__ import annotations

from archive.tier import services


def tier_move_task(asset_id: int) -> str:
    """Move one asset's originals to where its TierMove says (queued after the transaction commits)."""
    move = services.tier_move(asset_id=asset_id)
    return "nothing to do" if move is None else move.state


def tier_resume_task() -> int:
    """Every 10 minutes (migration archive/0001_tier): moves whose job was lost or died."""
    return services.tier_moves_resume()
