"""Floor 4, what runs leave: the `Cell` and the typed `Record` (`record`), the store of one JSON file per cell,
the records as tidy frames, provenance, the leaderboard and the self-contained results page (`page`).
"""
