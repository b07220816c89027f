"""Floor 3, what tables and figures share: Student-t intervals, Welch's test with its detectable difference and
Holm's correction (`statistics`), and the figure and table writers (`figures`). Knows nothing of records.
"""
