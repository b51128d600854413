"""English dates and times: one form for every screen ("Dec. 7, 2026", "Dec. 7, 2026, 3:04
p.m."). Django's own English formats mix "Dec. 7, 2026" and "12/07/2026"; the rest of its
formats (input formats, separators) still apply."""

DATE_FORMAT = "N j, Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "N j, Y, P"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
