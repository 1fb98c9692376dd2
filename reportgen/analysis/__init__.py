"""Pure analysis: functions of a ``Dataset`` and an explicit ``as_of``. No I/O, no clock."""
