"""Requests that arrive together, each on its own database connection, for the race tests.

Only PostgreSQL can show a race: SQLite lets one writer in at a time and ignores SELECT … FOR
UPDATE, so the tests marked `postgresql_only` are skipped there. CI runs them on PostgreSQL.
"""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="race tests need PostgreSQL's parallel connections and row locks "
    "(set DATABASE_URL=postgres://…); SQLite serialises every writer",
)

# Long enough for PostgreSQL's deadlock detector (1 s) to break a deadlock into an error.
TIMEOUT_SECONDS = 30


def at_once(*calls):
    """Run each call in a thread of its own, all released together; their results in order.

    Django gives every thread its own connection, so the calls are parallel transactions; each
    thread closes its connection when done. Whatever a call raises (an IntegrityError a view let
    through, a deadlock) is raised here, failing the test with its traceback.
    """
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT_SECONDS)
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:  # handed to the test's thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_SECONDS)
    if any(thread.is_alive() for thread in threads):
        pytest.fail(f"a concurrent call did not finish in {TIMEOUT_SECONDS} s (a lock wait?)")
    if errors:
        raise errors[0]
    return results


def tabs(user, n):
    """`n` browser tabs of one logged-in session: a double click sends the same cookie twice."""
    first = Client()
    first.force_login(user)
    others = [Client() for _ in range(n - 1)]
    for tab in others:
        for name, morsel in first.cookies.items():
            tab.cookies[name] = morsel.value
    return [first, *others]


def messages_of(response, level=None):
    """The messages a response queued for the next page, optionally of one level only."""
    return [
        str(message)
        for message in get_messages(response.wsgi_request)
        if level is None or message.level == level
    ]
