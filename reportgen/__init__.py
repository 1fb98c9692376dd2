"""reportgen: a weekly briefing on Fed balance-sheet policy and Treasury-market plumbing."""

__version__ = "0.1.0"
