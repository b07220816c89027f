"""The family's studies: tables and figures built from run records or their own measurements."""
