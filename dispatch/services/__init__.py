"""Dispatch: the recommendation (``ranking``) and technicians' skill records (``skills``)."""

from dispatch.services.ranking import (
    Candidate,
    Ranking,
    haversine_km,
    rank_candidates,
)
from dispatch.services.skills import add_skill, remove_skill, technicians

__all__ = [
    "Candidate",
    "Ranking",
    "add_skill",
    "haversine_km",
    "rank_candidates",
    "remove_skill",
    "technicians",
]
