"""Pagers that never count: their cost is one page, however many rows match."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q

from partnercenter.web.sealing import opaque_dumps, opaque_loads

# --- Keyset (cursor) paging -----------------------------------------------------------
# A page is found from where the last one ended, through the index on the sort keys, so
# page 1, page 20 000 and the last page cost the same. django-cursor-pagination writes
# its "after" condition as an OR of equalities with no leading bound, which PostgreSQL
# can't turn into an index range; this helper leads with ``key1 >= x``.

_CURSOR_SALT = "partnercenter.paging.keyset"


@dataclass
class KeysetPage:
    """One page of a keyset-paged list, with opaque cursors to its neighbours.

    ``next_cursor`` / ``previous_cursor`` go into ``?cursor=``; ``LAST`` jumps
    to the last page. ``number`` is absent: a keyset page has no position
    without counting, and counting is what it avoids.
    """

    object_list: list
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    #: How many rows the whole list has, when the caller counted (``capped_count``).
    count: "CappedCount | None" = None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


LAST = "last"


def _encode(direction: str, values) -> str:
    # Encrypted, not just signed: the sort keys are company names and dates, which
    # would otherwise be readable in every paged address and access log.
    tagged = [
        ["d", v.isoformat()] if isinstance(v, datetime.datetime) else ["v", v] for v in values
    ]
    return opaque_dumps([direction, tagged], purpose=_CURSOR_SALT)


def _decode(cursor: str):
    """``(direction, values)`` from a cursor; None for a missing, forged or stale one."""
    try:
        direction, tagged = opaque_loads(cursor, purpose=_CURSOR_SALT)
        values = [datetime.datetime.fromisoformat(v) if t == "d" else v for t, v in tagged]
    except (ValueError, TypeError):
        return None
    if direction not in ("after", "before") or len(values) != 2:
        return None
    return direction, values


def cursor_is_valid(cursor: str) -> bool:
    """Whether ``cursor`` is a page cursor this app made (not forged, not another list's
    kind of token): the API refuses a bad continuation token instead of starting over."""
    return _decode(cursor) is not None


def _beyond(queryset, keys, values, *, forward: bool):
    """Rows strictly after (``forward``) or before ``values`` in ``keys`` order.

    ``key1 >= x AND (key1 > x OR key2 > y)``: the first part is an index range,
    the second only decides ties.
    """
    (first, second), (x, y) = keys, values
    descending = first.startswith("-")
    first, second = first.lstrip("-"), second.lstrip("-")
    later = "lt" if descending == forward else "gt"
    bound = "lte" if later == "lt" else "gte"
    return queryset.filter(**{f"{first}__{bound}": x}).filter(
        Q(**{f"{first}__{later}": x}) | Q(**{f"{second}__{later}": y})
    )


#: Lists count at most this many rows, then say "1,000+": a count costs the same at any size.
COUNT_CAP = 1000


@dataclass(frozen=True)
class CappedCount:
    """How many rows a list has, counted up to ``cap`` + 1 (``capped_count``)."""

    count: int
    cap: int = COUNT_CAP

    @property
    def capped(self) -> bool:
        """Whether there are more than ``cap`` (the page says "1,000+")."""
        return self.count > self.cap

    @property
    def shown(self) -> int:
        return min(self.count, self.cap)

    @property
    def exact(self) -> int | None:
        """The number of rows, or None when there are more than ``cap``."""
        return None if self.capped else self.count


def capped_count(queryset, *, cap: int | None = None) -> CappedCount:
    """Count ``queryset``'s rows up to ``cap`` (default ``COUNT_CAP``) + 1: one query that
    stops there (a bounded index walk), so a list of a million costs what one of a
    thousand does."""
    cap = COUNT_CAP if cap is None else cap
    return CappedCount(queryset.order_by()[: cap + 1].count(), cap)


def keyset_page(
    queryset,
    *,
    keys: tuple[str, str],
    cursor: str | None,
    per_page: int,
    total: int | None = None,
):
    """One page of ``queryset`` in ``keys`` order (two fields, e.g. ``("sort_name", "id")``,
    or ``("-created_at", "-id")``; the second must make the order total).

    ``cursor`` is a page's ``next_cursor``/``previous_cursor``, or ``LAST``;
    anything else (missing, forged, from another list) gives the first page.
    ``total``, when the caller knows how many rows there are, makes ``LAST`` the
    page that **Next** ends on (the rows after the last full page: 21 of 71, not
    the last 50), so the two agree; unknown, ``LAST`` is the last ``per_page`` rows.
    Costs one query of ``per_page + 1`` rows through an index on ``keys``,
    wherever the page is.
    """
    flipped = tuple(k[1:] if k.startswith("-") else f"-{k}" for k in keys)
    fields = tuple(k.lstrip("-") for k in keys)
    decoded = _decode(cursor) if cursor and cursor != LAST else None
    backward = cursor == LAST or (decoded is not None and decoded[0] == "before")
    if backward:
        size = per_page
        if cursor == LAST and total:
            size = total % per_page or per_page
        rows = queryset.order_by(*flipped)
        if decoded:
            rows = _beyond(rows, keys, decoded[1], forward=False)
        rows = list(rows[: size + 1])
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        has_next = decoded is not None
    else:
        ordered = queryset.order_by(*keys)
        if decoded:
            ordered = _beyond(ordered, keys, decoded[1], forward=True)
        rows = list(ordered[: per_page + 1])
        has_next = len(rows) > per_page
        rows = rows[:per_page]
        has_previous = decoded is not None
    return _page(rows, fields, has_next=has_next, has_previous=has_previous)


def _page(rows, fields, *, has_next: bool, has_previous: bool) -> KeysetPage:
    page = KeysetPage(object_list=rows, has_next=has_next, has_previous=has_previous)
    if rows:
        page.next_cursor = _encode("after", [getattr(rows[-1], f) for f in fields])
        page.previous_cursor = _encode("before", [getattr(rows[0], f) for f in fields])
    return page


def keyset_page_merged(querysets, *, keys: tuple[str, str], cursor: str | None, per_page: int):
    """``keyset_page`` over the union of ``querysets`` (which share no row), e.g. the rows
    matching ``a = x`` and those matching ``b = x``, each through its own index.

    An ``OR`` of the two would make the database read every matching row and
    sort; instead each queryset gives at most ``per_page + 1`` rows beyond
    the cursor and the page is the first ``per_page`` of their merge: one
    index range per queryset, wherever the page is. Both keys must sort the
    same way (both ascending or both descending).
    """
    if keys[0].startswith("-") != keys[1].startswith("-"):
        raise ValueError("keyset_page_merged needs both keys in the same direction.")
    fields = tuple(k.lstrip("-") for k in keys)
    descending = keys[0].startswith("-")
    flipped = tuple(k[1:] if k.startswith("-") else f"-{k}" for k in keys)
    decoded = _decode(cursor) if cursor and cursor != LAST else None
    backward = cursor == LAST or (decoded is not None and decoded[0] == "before")
    rows = []
    for queryset in querysets:
        ordered = queryset.order_by(*(flipped if backward else keys))
        if decoded:
            ordered = _beyond(ordered, keys, decoded[1], forward=not backward)
        rows.extend(ordered[: per_page + 1])
    # Sort in reading order, reversed while walking backwards, as the database did.
    rows.sort(
        key=lambda row: tuple(getattr(row, f) for f in fields), reverse=descending != backward
    )
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backward:
        return _page(rows[::-1], fields, has_next=decoded is not None, has_previous=more)
    return _page(rows, fields, has_next=more, has_previous=decoded is not None)


class CappedCountPaginator(Paginator):
    """Django admin's paginator without a full-table ``COUNT(*)``.

    Counts at most ``CAP`` rows (``SELECT COUNT(*) FROM (... LIMIT CAP)``), so a
    changelist of a million rows costs what one of ten thousand does; the
    last pages beyond that are reached by filtering or searching.
    """

    CAP = 10_000

    @property
    def count(self):
        return self.object_list[: self.CAP].count()
