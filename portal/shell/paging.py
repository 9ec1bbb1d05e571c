"""Pages of a long, joined list: find the page's primary keys first (a narrow query an
index answers alone, however deep the page), then fetch only those rows with their joins.
bench/community_bench.py measured the last page of a 3,378-post topic at 64 ms with one
joined OFFSET query (PostgreSQL joins and sorts every row to keep 20) against under 1 ms
for the keys alone."""

from django.core.paginator import Paginator


class KeysFirstPaginator(Paginator):
    """A Paginator over an ordered queryset whose page() costs two queries: the keys of the
    page, then those rows (select_related and prefetch_related still apply)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys).order_by()}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)
