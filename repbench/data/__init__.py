"""Floor 2, data on disk: where the data root and results folder are (`paths`), atomic writes, and the public
data files each family registers, pinned by checksum and fetched on demand (`files`).
"""
