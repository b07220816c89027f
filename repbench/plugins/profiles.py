"""Run profiles: how big a run is. Tasks and methods declare their own settings per profile."""

from __future__ import annotations

from dataclasses import dataclass

from repbench.plugins.params import did_you_mean


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    seeds: int  # default number of seeds per cell
    timeout_s: float  # default per-cell wall-clock limit
    tune: int = 0  # default tuning trials per task x method (`repbench run --tune N`); 0: the declared defaults


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("quick", "embedded or generated data; minutes on a laptop (the main job, CI)", 3, 600.0),
        Profile("standard", "the real public datasets; CPU hours", 3, 6 * 3600.0),
        Profile("paper", "the papers' own scale; a GPU or cluster job", 5, 72 * 3600.0),
    )
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown profile {name!r}.{did_you_mean(name, list(PROFILES))} Profiles: {', '.join(PROFILES)}."
        ) from None
