"""What every trainer shares: keep the best state by a validation criterion (early stopping's bookkeeping)."""

from __future__ import annotations

import copy
from typing import Any


class BestCheckpoint:
    """Copies of a torch module's state, scored on validation data; `restore` loads the selected one.

    `higher_is_better` gives the score's direction. With `tolerance` > 0 the selected state is the *latest*
    one within `tolerance` of the best score, not the first best: for objectives whose score plateaus while a
    second aim keeps improving (e.g. an adversary's effect on the representation). Every (step, score) is
    kept in `history`, so a record can show the validation curve.
    """

    def __init__(self, higher_is_better: bool = True, tolerance: float = 0.0) -> None:
        if tolerance < 0:
            raise ValueError(f"tolerance must be >= 0, got {tolerance}")
        self.sign = 1.0 if higher_is_better else -1.0
        self.tolerance = tolerance
        self.history: list[tuple[int, float]] = []
        self.stale = 0  # updates since the last strict improvement: what early stopping's patience counts
        self._states: list[tuple[float, int, dict[str, Any]]] = []  # (signed score, step, state)

    def update(self, score: float, step: int, module: Any) -> bool:
        """Score the module's current state at `step`; True when it is the best so far (strictly)."""
        signed = self.sign * float(score)
        improved = not self._states or signed > max(s for s, _, _ in self._states)
        self.history.append((step, float(score)))
        self.stale = 0 if improved else self.stale + 1
        # Only states that can still be selected are kept: one below best - tolerance stays below it (the best only
        # rises), and one scoring no higher than a later one never is (the later one qualifies whenever it does).
        if improved or (self.tolerance > 0 and signed >= self._states[0][0] - self.tolerance):
            self._states = [c for c in self._states if c[0] > signed]
            self._states.append((signed, step, copy.deepcopy(module.state_dict())))
        return improved

    def state_dict(self) -> dict[str, Any]:
        """What a mid-training checkpoint needs to go on scoring as if never interrupted."""
        return {"history": list(self.history), "stale": self.stale, "states": list(self._states)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.history = [tuple(h) for h in state["history"]]
        self.stale = state["stale"]
        self._states = [tuple(s) for s in state["states"]]

    def _selected(self) -> tuple[float, int, dict[str, Any]]:
        if not self._states:
            raise RuntimeError("no checkpoint was scored; call update() at least once before restore()")
        best = max(s for s, _, _ in self._states)
        return next(c for c in reversed(self._states) if c[0] >= best - self.tolerance)

    @property
    def score(self) -> float:
        """The selected state's validation score."""
        return self.sign * self._selected()[0]

    @property
    def step(self) -> int:
        """The step (update, epoch) at which the selected state was saved."""
        return self._selected()[1]

    def restore(self, module: Any) -> None:
        module.load_state_dict(self._selected()[2])
