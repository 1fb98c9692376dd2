"""Data providers. Each module extracts raw payloads and parses them into tidy frames.

Only this package touches the network. ``records`` holds the shared value parsing;
``csvfiles`` reads local CSV files (the ``data import`` command and the bundled sample).
"""
