"""The agreement status badge tag (``{% status_badge %}``)."""

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize(
    ("status", "css", "label_en", "label_ko"),
    [
        ("confirmed", "text-bg-success", "Confirmed", "확인됨"),
        ("accepted_by_customer", "text-bg-info", "Accepted by customer", None),
        ("not_confirmed", "text-bg-warning", "Not confirmed", None),
        ("<script>", "text-bg-warning", "Not confirmed", None),
    ],
)
def test_the_badge_shows_the_status_label_in_the_readers_language(status, css, label_en, label_ko):
    template = Template("{% load agreement_status %}{% status_badge status %}")
    with translation.override("en"):
        html = template.render(Context({"status": status}))
    assert html == f'<span class="badge {css}">{label_en}</span>'
    if label_ko:
        with translation.override("ko"):
            assert label_ko in template.render(Context({"status": status}))
