"""Time the search inside the database: the SQL of each search, as the selector runs it.

    python -m bench.support_search.dbtime QUERIES.json

For each query the search selector (``apps.support.selectors.search.search``) runs in
this process against the benchmark's database; a connection wrapper sums the time spent
executing its statements (the client's view of each statement: planning, execution and
the loopback round trip, no Python around them). The access log row an API call writes
is not part of this figure. Prints one JSON line: per type, the milliseconds per query.
"""

from __future__ import annotations

import json
import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.db import connection

    from apps.accounts.models import User
    from apps.support.selectors.search import search

    queries = json.loads(open(sys.argv[1], encoding="utf-8").read())
    user = User.objects.get(username="bench-support")
    spent = [0.0]

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started

    results: dict[str, list[float]] = {}
    with connection.execute_wrapper(timer):
        for kind, values in queries.items():
            times = []
            for value in values:
                spent[0] = 0.0
                search(user=user, query=value)
                times.append(spent[0] * 1000)
            results[kind] = times
    print(json.dumps(results))


if __name__ == "__main__":
    main()
