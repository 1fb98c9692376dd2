"""The one writer of the static site: safe paths, atomic publish, archive and Atom feed.

Nothing else in reportgen writes into the output folder. See :mod:`reportgen.site.writer`.
"""

from reportgen.site.writer import (
    BriefingEntry,
    PublishResult,
    Site,
    SiteWriter,
    WeekFiles,
    safe_join,
)

__all__ = ["BriefingEntry", "PublishResult", "Site", "SiteWriter", "WeekFiles", "safe_join"]
