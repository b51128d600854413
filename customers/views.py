"""Customers pages (SPEC §3)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from customers.selectors import customer_relationships_for_user

CUSTOMERS_PER_PAGE = 50


def customer_list(request):
    """**Customers**: the partner's customers, searchable by company name or domain, 50 a page."""
    search = request.GET.get("q", "")
    rows = customer_relationships_for_user(request.user, search=search)
    page = Paginator(rows, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "customers/customer_list.html", {"page_obj": page, "search": search})
