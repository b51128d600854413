"""A pager that never counts: its cost is one page, however many rows match."""

from dataclasses import dataclass, field

from django.http import Http404

#: Pages past this are refused (a tampered ``?page=``), before any SQL is built.
MAX_PAGE = 100_000


@dataclass
class SeekPage:
    """One page of a queryset, with ``has_next`` found by fetching one extra row.

    Mirrors the parts of Django's ``Page`` the templates use (``number``,
    ``has_previous``, ``has_next``, ``previous_page_number``,
    ``next_page_number``, iteration), without ``COUNT(*)`` over the whole set.
    """

    object_list: list
    number: int
    has_next: bool
    per_page: int = field(repr=False)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0


def seek_page(queryset, number, *, per_page: int) -> SeekPage:
    """Page ``number`` (1-based; anything not a positive integer means 1) of ``queryset``.

    Raises Http404 for a page past the last one, or past MAX_PAGE (a number too
    large for the database's OFFSET is never sent to it).
    """
    try:
        number = max(1, int(number))
    except (TypeError, ValueError, OverflowError):
        number = 1
    if number > MAX_PAGE:
        raise Http404("No such page.")
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    if not rows and number > 1:
        raise Http404("No such page.")
    return SeekPage(
        object_list=rows[:per_page], number=number, has_next=len(rows) > per_page, per_page=per_page
    )
