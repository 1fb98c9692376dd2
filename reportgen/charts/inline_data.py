"""Chart data inlined into the Vega-Lite spec: the values Altair's default transformer writes,
about three times faster.

Altair's default copies each DataFrame, converts it column by column into object columns and
then builds the records cell by cell (``to_dict("records")``); for the week's charts that was
about 0.1 s of every build. Here each column is converted once to a list of JSON values and
the records are zipped from the lists. The values are the default's exactly (tests compare the
two on every chart): floats with NaN and infinities as ``null``, datetimes as full ISO strings
without a zone (Vega-Lite reads them as local time, as Altair intends), missing text as
``null``. A frame with anything else (a zone, sub-second times, categories, object columns)
goes to Altair's own transformer.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd
from altair.vegalite.data import default_data_transformer

NAME = "reportgen_inline"
_ISO_SECONDS = "%Y-%m-%dT%H:%M:%S"


def _column(values: pd.Series) -> list[Any] | None:
    """The column as JSON values, or None where only Altair's transformer knows the rule."""
    kind = values.dtype.kind
    if kind == "f":
        return [None if v != v or v in (math.inf, -math.inf) else v for v in values.tolist()]
    if kind in "iub":
        return values.tolist()
    if kind == "M" and getattr(values.dtype, "tz", None) is None:
        if not (values.dropna().dt.microsecond == 0).all() or \
                not (values.dropna().dt.nanosecond == 0).all():
            return None
        # NaT becomes "" there (Timestamp.isoformat gives "NaT", then replaced).
        return values.dt.strftime(_ISO_SECONDS).fillna("").tolist()
    if str(values.dtype) in ("str", "string"):
        return [v if isinstance(v, str) else None for v in values.astype(object).tolist()]
    return None


def to_values(data: Any) -> dict[str, Any]:
    """``{"values": [records]}`` for a DataFrame, as Altair's default transformer makes it
    (including its row limit and its errors, which the fallback raises)."""
    if not isinstance(data, pd.DataFrame) or isinstance(data.columns, pd.MultiIndex) \
            or isinstance(data.index, pd.MultiIndex) \
            or not all(isinstance(c, str) for c in data.columns) or len(data) > 5000:
        return default_data_transformer(data)
    columns = []
    for name in data.columns:
        converted = _column(data[name])
        if converted is None:
            return default_data_transformer(data)
        columns.append(converted)
    names = list(data.columns)
    return {"values": [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]}


def _transformer(data: Any = None, **_options: Any) -> Any:
    return to_values if data is None else to_values(data)


def enable() -> None:
    """Register the transformer with Altair and make it the one in use."""
    alt.data_transformers.register(NAME, _transformer)
    alt.data_transformers.enable(NAME)
