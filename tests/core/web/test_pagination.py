"""core/_pagination.html: the one previous/next block every paginated page includes."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _render(number: int, count: int = 30, **context) -> str:
    page = Paginator(list(range(count)), 10).get_page(number)
    return render_to_string("core/_pagination.html", {"page": page, **context})


def test_pagination__one_page__renders_nothing():
    assert _render(1, count=10).strip() == ""


def test_pagination__middle_page__links_both_ways_and_keeps_the_filters():
    html = _render(2, query="status=pending&kind=flag")

    assert 'href="?status=pending&amp;kind=flag&amp;page=1"' in html
    assert 'href="?status=pending&amp;kind=flag&amp;page=3"' in html
    assert "Page 2 of 3" in html


def test_pagination__first_page_without_filters__only_next():
    html = _render(1)

    assert 'href="?page=2"' in html
    assert "Previous" not in html
