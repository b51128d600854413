"""Korean dates and times as Korean Partner Center writes them: "2026. 12. 7.",
"2026. 12. 7. 오후 3:04". Django's own Korean formats mix "2026년 12월 7일" and
"2026-12-7"; the rest of its formats (input formats, separators) still apply."""

DATE_FORMAT = "Y. n. j."
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "Y. n. j. A g:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
