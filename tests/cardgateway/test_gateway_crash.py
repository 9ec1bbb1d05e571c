"""A crash in the middle of the load: both Daphne processes are killed with SIGKILL (no
clean-up of any kind: the transactions they had open are rolled back by PostgreSQL when
their connections drop) while 32 readers are posting, and started again on the same
ports. The readers keep sending their unanswered requests with the same txn_id until the
servers answer; afterwards the same exactly-once checks hold as without a crash."""

import time

import pytest
from django.core.management import call_command

from cardgateway import loadgen

READERS = 32
REQUESTS_PER_READER = 10


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_killing_the_servers_mid_load_loses_nothing_and_posts_nothing_twice(tmp_path):
    terminals, cards = loadgen.seed_club(members=8, terminals=4, prefix="crash")
    servers = loadgen.ServerGroup(workers=2, env=loadgen.django_server_env(), log_dir=tmp_path)
    with servers:
        run = loadgen.LoadRun(
            addresses=servers.addresses,
            terminals=terminals,
            cards=cards,
            readers=READERS,
            requests_per_reader=REQUESTS_PER_READER,
            timeout=3.0,
            give_up_after=45.0,
        ).start()
        total = READERS * REQUESTS_PER_READER
        limit = time.monotonic() + 30
        while run.completed < total // 3 and time.monotonic() < limit:
            time.sleep(0.05)
        answered_before_the_crash = run.completed
        servers.kill()
        time.sleep(0.5)
        servers.start()
        result = run.wait(timeout=50)

    assert 0 < answered_before_the_crash < total, "the crash did not happen mid-load"
    # Requests were in flight when the servers died: sent, and never answered.
    lost_in_the_crash = ("connection:RemoteDisconnected", "connection:ConnectionResetError")
    assert sum(result.retried[cause] for cause in lost_in_the_crash) > 0
    assert result.unresolved == []
    assert [(o.kind, o.status, o.answer) for o in result.unexpected] == []
    assert len(result.outcomes) == total
    problems = loadgen.check_exactly_once(result, run_terminals=[t.terminal_id for t in terminals])
    assert problems == []
    call_command("audit_ledger")  # raises CommandError on any difference
