"""A load driver for the reader API: signed readers that behave like real tills, the
Daphne servers they talk to, and the exactly-once checks afterwards. The concurrency and
crash tests (tests/cardgateway/test_gateway_*.py) and the benchmark
(bench/gateway_bench.py) all use this one module.

Readers are threads (`LoadRun`) or, for the benchmark, several processes of threads
(`run_in_processes`), so the client's own GIL need not be the bottleneck on 2 cores.
Each reader:

- signs every attempt with `signing.signed_headers` (a fresh nonce each time);
- sends a realistic mix (`Mix`): purchases (some spending credit), inquiries, partial
  returns and reversals of its own earlier purchases, on cards shared with every other
  reader;
- on a timeout, a broken connection, a 5xx or a 429 sends the SAME txn_id and body again
  (after a short back-off) until it gets a definitive answer, as GATEWAY.md tells readers
  to do;
- records every definitive answer (`Outcome`): 2xx acknowledgements with the answer, and
  4xx refusals with their code.

The part above imports nothing from Django. `check_exactly_once()` (imports Django
lazily) compares what the readers were told with the database."""

from __future__ import annotations

import http.client
import json
import os
import random
import resource
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .signing import signed_headers

API = "/gateway/v1/"
HOST = "127.0.0.1"
TEHRAN = timezone(timedelta(hours=3, minutes=30))
# Business refusals a till meets in normal work; any other 4xx is a client or server bug.
EXPECTED_REFUSALS = frozenset(
    {
        "insufficient_credit",
        "below_redeem_threshold",
        "already_reversed",
        "return_exceeds_purchase",
        "limit_exceeded",
        "card_blocked",
    }
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class TerminalKey:
    terminal_id: str
    secret: str


@dataclass(frozen=True)
class Mix:
    """Shares of each request kind (weights) and the shape of a purchase. A return or a
    reversal needs an earlier purchase of the same reader; until it has one it buys."""

    purchase: int = 70
    inquiry: int = 10
    ret: int = 10
    reversal: int = 10
    redeem_share: float = 0.3  # of purchases, the share that also spends credit
    min_amount: int = 50_000
    max_amount: int = 3_000_000
    max_redeem: int = 200_000
    # Of reversals, the share aimed at any own purchase, reversed already or not (so some
    # meet `already_reversed`, as a confused cashier would).
    blind_reversal_share: float = 0.1

    def choose(self, rng: random.Random) -> str:
        kinds = ("purchase", "inquiry", "return", "reversal")
        weights = (self.purchase, self.inquiry, self.ret, self.reversal)
        return rng.choices(kinds, weights)[0]


@dataclass
class Outcome:
    """The definitive answer to one logical request (after any retries)."""

    reader: int
    kind: str  # purchase, inquiry, return, reversal
    terminal_id: str
    txn_id: str | None
    body: dict
    status: int
    answer: dict
    replay: bool
    attempts: int
    latency: float  # seconds from the first attempt to the definitive answer
    at: float  # time.time() of the answer

    @property
    def acknowledged(self) -> bool:
        return 200 <= self.status < 300

    @property
    def code(self) -> str:
        return "" if self.acknowledged else self.answer.get("error", {}).get("code", "?")


@dataclass
class LoadResult:
    outcomes: list[Outcome] = field(default_factory=list)
    # Attempts that got no definitive answer and were retried, by cause.
    retried: Counter = field(default_factory=Counter)
    # Requests still without a definitive answer when the reader gave up.
    unresolved: list[dict] = field(default_factory=list)
    elapsed: float = 0.0
    client_cpu: float = 0.0  # user + system seconds of the reader process(es)

    def merge(self, other: LoadResult) -> None:
        self.outcomes.extend(other.outcomes)
        self.retried.update(other.retried)
        self.unresolved.extend(other.unresolved)
        self.elapsed = max(self.elapsed, other.elapsed)
        self.client_cpu += other.client_cpu

    @property
    def acknowledged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.acknowledged]

    @property
    def refusals(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.acknowledged]

    @property
    def unexpected(self) -> list[Outcome]:
        """Definitive answers no till should get: 4xx outside EXPECTED_REFUSALS."""
        return [o for o in self.refusals if o.code not in EXPECTED_REFUSALS]

    def summary(self) -> dict:
        """Counts, rates and latency percentiles (ms) of the run."""
        elapsed = self.elapsed or 1e-9
        latencies = sorted(o.latency for o in self.outcomes)
        purchases = [o for o in self.acknowledged if o.kind == "purchase"]
        postings = [o for o in self.acknowledged if o.kind != "inquiry"]
        return {
            "requests": len(self.outcomes),
            "acknowledged": len(self.acknowledged),
            "purchases": len(purchases),
            "postings": len(postings),
            "replays": sum(o.replay for o in self.outcomes),
            "refusals": dict(Counter(o.code for o in self.refusals)),
            "unexpected": len(self.unexpected),
            "retried": dict(self.retried),
            "unresolved": len(self.unresolved),
            "elapsed_s": self.elapsed,
            "requests_per_s": len(self.outcomes) / elapsed,
            "purchases_per_s": len(purchases) / elapsed,
            "postings_per_s": len(postings) / elapsed,
            "p50_ms": percentile(latencies, 0.50) * 1000,
            "p95_ms": percentile(latencies, 0.95) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000,
            "max_ms": (latencies[-1] if latencies else 0.0) * 1000,
            "client_cpu_s": self.client_cpu,
            "client_cpu_ms_per_request": 1000 * self.client_cpu / max(1, len(self.outcomes)),
        }


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- one reader -------------------------------------------------------------------------


class _Reader:
    def __init__(self, run: LoadRun, index: int):
        self.run, self.index = run, index
        self.terminal = run.terminals[index % len(run.terminals)]
        self.address = run.addresses[index % len(run.addresses)]
        self.rng = random.Random(f"{run.seed}:{index}")  # noqa: S311 - a load mix, not a secret
        self.conn: http.client.HTTPConnection | None = None
        self.seq = 0
        # Own acknowledged purchases: txn_id -> [amount, returned, reversed]
        self.purchases: dict[str, list] = {}
        self.result = LoadResult()

    def txn_id(self) -> str:
        self.seq += 1
        return f"{self.run.run_id}-{self.index:03d}-{self.seq:05d}"

    def loop(self) -> None:
        run = self.run
        try:
            while not run.stopping.is_set():
                if run.deadline is not None and time.time() >= run.deadline:
                    break
                if run.requests_per_reader is not None and (
                    len(self.result.outcomes) + len(self.result.unresolved)
                    >= run.requests_per_reader
                ):
                    break
                self.one()
                if run.think:
                    time.sleep(self.rng.uniform(0, 2 * run.think))
        finally:
            if self.conn is not None:
                self.conn.close()

    def one(self) -> None:
        mix, rng = self.run.mix, self.rng
        kind = mix.choose(rng)
        live = [t for t, (_a, _r, reversed_) in self.purchases.items() if not reversed_]
        if kind in ("return", "reversal") and not live:
            kind = "purchase"
        if kind == "purchase":
            amount = rng.randrange(mix.min_amount, mix.max_amount + 1, 1000)
            redeem = 0
            if rng.random() < mix.redeem_share:
                redeem = rng.randrange(1000, min(amount, mix.max_redeem) + 1, 1000)
            body = {
                "txn_id": self.txn_id(),
                "card": rng.choice(self.run.cards),
                "amount": amount,
                "redeem": redeem,
                "occurred_at": datetime.now(TEHRAN).replace(microsecond=0).isoformat(),
            }
            endpoint = "purchases"
        elif kind == "inquiry":
            body, endpoint = {"card": rng.choice(self.run.cards)}, "inquiry"
        elif kind == "return":
            original = rng.choice(live)
            # Up to half the purchase each time: a few returns in a row may exceed it.
            amount = rng.randrange(1000, max(1001, self.purchases[original][0] // 2 + 1), 1000)
            body = {"txn_id": self.txn_id(), "original_txn_id": original, "amount": amount}
            endpoint = "returns"
        else:
            pool = list(self.purchases) if rng.random() < mix.blind_reversal_share else live
            body = {"txn_id": self.txn_id(), "original_txn_id": rng.choice(pool)}
            endpoint = "reversals"
        outcome = self.send(kind, endpoint, body)
        if outcome is None:
            return
        self.result.outcomes.append(outcome)
        self.run.tick()
        self._remember(outcome)

    def _remember(self, outcome: Outcome) -> None:
        body = outcome.body
        if outcome.kind == "purchase" and outcome.acknowledged:
            self.purchases[body["txn_id"]] = [body["amount"], 0, False]
        elif outcome.kind == "return" and outcome.acknowledged:
            self.purchases[body["original_txn_id"]][1] += body["amount"]
        elif outcome.kind == "reversal" and (
            outcome.acknowledged or outcome.code == "already_reversed"
        ):
            self.purchases[body["original_txn_id"]][2] = True

    def send(self, kind: str, endpoint: str, data: dict) -> Outcome | None:
        """POST until a definitive answer: the same body (so the same txn_id) every time,
        a fresh signature and nonce for each attempt."""
        run, rng = self.run, self.rng
        path = API + endpoint
        body = json.dumps(data, separators=(",", ":")).encode()
        first = time.perf_counter()
        attempts, backoff = 0, 0.02
        while True:
            attempts += 1
            lose = attempts == 1 and run.lost_answer_rate and rng.random() < run.lost_answer_rate
            timeout = run.lost_answer_timeout if lose else run.timeout
            cause = None
            try:
                status, replay, raw = self._post(path, body, timeout)
            except TimeoutError:
                cause = "lost_answer" if lose else "timeout"
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                cause = f"connection:{type(exc).__name__}"
            else:
                try:
                    answer = json.loads(raw) if raw else {}
                except ValueError:
                    answer = {"error": {"code": "not_json", "message": raw[:200].decode("latin-1")}}
                if status in RETRY_STATUSES:
                    cause = f"http_{status}"
                elif status == 401 and answer.get("error", {}).get("code") == "replayed_request":
                    cause = "replayed_nonce"  # cannot happen with fresh nonces; retry anyway
                else:
                    return Outcome(
                        reader=self.index,
                        kind=kind,
                        terminal_id=self.terminal.terminal_id,
                        txn_id=data.get("txn_id"),
                        body=data,
                        status=status,
                        answer=answer,
                        replay=replay,
                        attempts=attempts,
                        latency=time.perf_counter() - first,
                        at=time.time(),
                    )
            self.result.retried[cause] += 1
            self._drop_connection()
            if time.perf_counter() - first > run.give_up_after:
                self.result.unresolved.append({"kind": kind, "body": data, "attempts": attempts})
                return None
            if cause != "lost_answer":
                time.sleep(backoff * rng.uniform(0.5, 1.5))
                backoff = min(backoff * 2, run.max_backoff)

    def _post(self, path: str, body: bytes, timeout: float) -> tuple[int, bool, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(*self.address, timeout=timeout)
        else:
            self.conn.timeout = timeout
            if self.conn.sock is not None:
                self.conn.sock.settimeout(timeout)
        headers = signed_headers(
            terminal_id=self.terminal.terminal_id,
            secret=self.terminal.secret,
            method="POST",
            path=path,
            body=body,
        )
        self.conn.request("POST", path, body=body, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        return response.status, response.getheader("Idempotent-Replay") == "true", raw

    def _drop_connection(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# --- a run of many readers --------------------------------------------------------------


class LoadRun:
    """`readers` threads against `addresses` (reader i talks to addresses[i % len]), until
    each made `requests_per_reader` requests or `seconds` passed (whichever is given).

    `timeout` is the client's patience per attempt. `lost_answer_rate` of first attempts
    use `lost_answer_timeout` (a few ms), so the request reaches the server but the
    answer is lost, and the reader must send it again: the idempotency path under load.
    A request without a definitive answer after `give_up_after` seconds is recorded as
    unresolved (a failed run)."""

    def __init__(
        self,
        *,
        addresses: list[tuple[str, int]],
        terminals: list[TerminalKey],
        cards: list[str],
        readers: int,
        requests_per_reader: int | None = None,
        seconds: float | None = None,
        mix: Mix | None = None,
        timeout: float = 5.0,
        lost_answer_rate: float = 0.0,
        lost_answer_timeout: float = 0.003,
        give_up_after: float = 60.0,
        max_backoff: float = 0.5,
        think: float = 0.0,
        seed: int | str = 1,
        run_id: str | None = None,
        first_reader: int = 0,
        deadline: float | None = None,
    ):
        if requests_per_reader is None and seconds is None and deadline is None:
            raise ValueError("give requests_per_reader or seconds")
        self.addresses, self.terminals, self.cards = list(addresses), terminals, cards
        self.readers, self.requests_per_reader = readers, requests_per_reader
        self.seconds, self.mix = seconds, mix or Mix()
        self.timeout, self.lost_answer_rate = timeout, lost_answer_rate
        self.lost_answer_timeout, self.give_up_after = lost_answer_timeout, give_up_after
        self.max_backoff, self.think, self.seed = max_backoff, think, seed
        self.run_id = run_id or f"L{secrets.token_hex(3)}"
        self.first_reader = first_reader
        self.deadline = deadline
        self.stopping = threading.Event()
        self._done = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._readers: list[_Reader] = []
        self._started = 0.0
        self._cpu = 0.0

    def tick(self) -> None:
        with self._lock:
            self._done += 1

    @property
    def completed(self) -> int:
        """Definitive answers so far (all readers)."""
        return self._done

    def start(self) -> LoadRun:
        self._started = time.perf_counter()
        self._cpu = _cpu_seconds()
        if self.deadline is None and self.seconds is not None:
            self.deadline = time.time() + self.seconds
        for offset in range(self.readers):
            reader = _Reader(self, self.first_reader + offset)
            thread = threading.Thread(target=reader.loop, name=f"reader-{reader.index}")
            thread.daemon = True
            self._readers.append(reader)
            self._threads.append(thread)
        for thread in self._threads:
            thread.start()
        return self

    def wait(self, timeout: float | None = None) -> LoadResult:
        limit = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if limit is None else max(0.0, limit - time.monotonic()))
        if any(thread.is_alive() for thread in self._threads):
            self.stopping.set()
            raise TimeoutError("readers still running")
        result = LoadResult(elapsed=time.perf_counter() - self._started)
        for reader in self._readers:
            result.merge(reader.result)
        result.elapsed = time.perf_counter() - self._started
        result.client_cpu = _cpu_seconds() - self._cpu
        return result

    def run(self) -> LoadResult:
        return self.start().wait()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run_slice(kwargs: dict) -> LoadResult:
    return LoadRun(**kwargs).run()


def run_in_processes(*, processes: int, readers: int, seconds: float, **kwargs) -> LoadResult:
    """The same run split over `processes` client processes (readers spread evenly, all
    stopping at one wall-clock deadline), so that the client's GIL is not what is
    measured. Uses `spawn`: nothing of the caller's Django state is inherited."""
    import multiprocessing

    if processes <= 1:
        return LoadRun(readers=readers, seconds=seconds, **kwargs).run()
    deadline = time.time() + seconds + 1.0  # every process started before the clock runs
    run_id = kwargs.pop("run_id", None) or f"L{secrets.token_hex(3)}"
    slices, first = [], 0
    for number in range(processes):
        count = readers // processes + (1 if number < readers % processes else 0)
        if count:
            slices.append(
                dict(kwargs, readers=count, first_reader=first, deadline=deadline, run_id=run_id)
            )
        first += count
    context = multiprocessing.get_context("spawn")
    with context.Pool(len(slices)) as pool:
        parts = pool.map(_run_slice, slices)
    result = LoadResult()
    for part in parts:
        result.merge(part)
    result.elapsed = max(part.elapsed for part in parts) - 1.0
    return result


# --- the servers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(
    *,
    database_url: str,
    redis_url: str = "",
    settings_module: str = "bench.gateway_settings",
    prefix: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment of a Daphne serving the gateway for a test or a benchmark:
    bench/gateway_settings.py (see there why not base.py's settings as they are), debug
    off (debug keeps every query), its own cache and channel-layer prefix, mail and SMS
    kept in memory, Celery tasks run in-process (nothing queued for a worker that does
    not exist)."""
    prefix = prefix or f"load-{secrets.token_hex(4)}"
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DATABASE_URL=database_url,
        DEBUG="0",
        CACHE_KEY_PREFIX=prefix,
        CHANNEL_LAYER_PREFIX=prefix,
        CELERY_TASK_ALWAYS_EAGER="1",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SMS_BACKEND="portal.notifications.sms.LocmemBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def django_server_env(**extra: str) -> dict[str, str]:
    """server_env() for the database this Django process is connected to (under pytest,
    pytest-django's test database: the tests commit their seed with transaction=True so
    the server sees it), with this process's terminal-secret keys and Redis."""
    from urllib.parse import quote

    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    url = (
        f"postgres://{credentials}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/"
        f"{quote(db['NAME'], safe='')}"
    )
    return server_env(
        database_url=url,
        redis_url=settings.REDIS_URL,
        TERMINAL_SECRET_KEYS=",".join(settings.TERMINAL_SECRET_KEYS),
        GATEWAY_SETTINGS_BASE="dev",
        **extra,
    )


class DaphneServer:
    """One Daphne process (`.venv/bin/daphne -b 127.0.0.1 -p PORT portal.asgi:application`)
    serving the portal. Daphne runs one process; `ServerGroup` runs several."""

    def __init__(self, *, port: int, env: dict[str, str], log_path: Path | None = None):
        self.port, self.env, self.log_path = port, env, log_path
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def address(self) -> tuple[str, int]:
        return (HOST, self.port)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> DaphneServer:
        daphne = Path(sys.executable).with_name("daphne")
        command = [str(daphne), "-b", HOST, "-p", str(self.port), "portal.asgi:application"]
        if self.log_path is not None:
            self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own venv's daphne, fixed args
            command,
            cwd=Path(__file__).resolve().parents[1],
            env=self.env,
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if self._log else subprocess.DEVNULL,
        )
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        limit = time.monotonic() + timeout
        while time.monotonic() < limit:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"daphne on port {self.port} exited with {self.process.returncode}"
                    + (f"; see {self.log_path}" if self.log_path else "")
                )
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", API + "health")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"daphne on port {self.port} not ready after {timeout} s")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine loses power."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._close_log()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


class ServerGroup:
    """`workers` Daphne processes, each on its own port; readers are spread over them
    round-robin (LoadRun does that with `addresses`). Separate ports rather than one
    shared socket: Twisted accepts greedily whether or not the process is busy, so a
    shared socket balances connections badly."""

    def __init__(self, *, workers: int, env: dict[str, str], log_dir: Path | None = None):
        self.servers = [
            DaphneServer(
                port=free_port(),
                env=env,
                log_path=(log_dir / f"daphne-{number}.log") if log_dir else None,
            )
            for number in range(workers)
        ]

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [server.address for server in self.servers]

    @property
    def pids(self) -> list[int]:
        return [server.pid for server in self.servers if server.pid]

    def start(self, timeout: float = 60.0) -> ServerGroup:
        for server in self.servers:
            server.start()
        for server in self.servers:
            server.wait_ready(timeout)
        return self

    def kill(self) -> None:
        for server in self.servers:
            server.kill()

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def __enter__(self) -> ServerGroup:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- the checks ---------------------------------------------------------------------------


def check_exactly_once(result: LoadResult, *, run_terminals: list[str]) -> list[str]:
    """Compare what the readers were told with the database. Returns the problems found
    (empty when everything holds). Checks:

    1. `ledger.audit()` is clean: every balance is the sum of its entries and every
       `balance_after` the running total of its account.
    2. Every acknowledged txn_id exists exactly once as a Transaction of its terminal,
       of the right kind, with the receipt and the whole answer the reader got; every
       Transaction of the run's terminals was acknowledged to some reader (nothing
       posted that nobody was told about); a refused txn_id left no Transaction.
    3. Each posting's ledger entries exist exactly once, with the amounts the
       Transaction records: a purchase has one redeem entry iff it spent credit
       (amount -redeemed), one cashback, one purchase-points and one referral-share
       entry iff those are non-zero; a reversal or return has one purchase_reversal
       entry per non-zero part it took back, correcting the purchase's entry.
    4. A purchase has at most one reversal, its returns never exceed its amount, and
       nothing follows a reversal.
    5. Credit below zero only through a reversal: in every credit account, in id order
       (the order the row lock serialised them), every run of entries with
       balance_after < 0 starts with a purchase_reversal entry, and no entry that spends
       (a negative amount other than a purchase_reversal) leaves the balance below zero.
       Points never go below zero.
    6. Every account balance equals the sum of its entries (again, directly)."""
    from django.db.models import Sum

    from cardgateway.models import Transaction, TxnKind
    from gamification import ledger
    from gamification.models import Account, Currency, EntryKind, LedgerEntry

    problems: list[str] = []
    problems += [
        f"audit: account {p.account_id} ({p.currency}): {p.message}" for p in ledger.audit()
    ]

    txns = {
        (t.terminal.terminal_id, t.txn_id): t
        for t in Transaction.objects.filter(terminal__terminal_id__in=run_terminals)
        .select_related("terminal")
        .order_by("pk")
    }
    counts = Counter(
        Transaction.objects.filter(terminal__terminal_id__in=run_terminals).values_list(
            "terminal__terminal_id", "txn_id"
        )
    )
    problems += [f"txn {key} stored {n} times" for key, n in counts.items() if n != 1]
    acknowledged: dict[tuple[str, str], Outcome] = {}
    kind_of = {"purchase": TxnKind.PURCHASE, "return": TxnKind.RETURN, "reversal": TxnKind.REVERSAL}
    for outcome in result.outcomes:
        if outcome.txn_id is None:
            continue
        key = (outcome.terminal_id, outcome.txn_id)
        if outcome.acknowledged:
            first = acknowledged.setdefault(key, outcome)
            if first.answer != outcome.answer:
                problems.append(f"txn {key} answered twice differently")
            txn = txns.get(key)
            if txn is None:
                problems.append(f"acknowledged txn {key} is not in the database")
                continue
            if txn.kind != kind_of[outcome.kind]:
                problems.append(f"txn {key} is a {txn.kind}, acknowledged as {outcome.kind}")
            if txn.receipt != outcome.answer.get("receipt"):
                problems.append(f"txn {key}: receipt {txn.receipt}, told {outcome.answer}")
            if txn.response != outcome.answer:
                problems.append(f"txn {key}: stored answer {txn.response}, told {outcome.answer}")
        elif key in txns:
            problems.append(f"refused txn {key} ({outcome.code}) is in the database")
    problems += [
        f"txn {key} in the database, never acknowledged" for key in txns.keys() - set(acknowledged)
    ]

    entries_by_key = Counter(
        LedgerEntry.objects.filter(idempotency_key__startswith="gw:").values_list(
            "idempotency_key", flat=True
        )
    )
    problems += [f"ledger key {k} used {n} times" for k, n in entries_by_key.items() if n != 1]
    entries = {
        e.idempotency_key: e
        for e in LedgerEntry.objects.filter(idempotency_key__startswith="gw:").select_related(
            "account"
        )
    }
    purchases = {t.pk: t for t in txns.values() if t.kind == TxnKind.PURCHASE}
    followups: dict[int, list] = {}
    for txn in txns.values():
        expected = {
            EntryKind.REDEEM: -txn.redeemed,
            EntryKind.CASHBACK: txn.cashback,
            EntryKind.PURCHASE_POINTS: txn.points,
            EntryKind.REFERRAL_SHARE: txn.referral_share,
        }
        for kind_name, amount in expected.items():
            entry = entries.get(f"gw:{txn.pk}:{kind_name}")
            wanted_kind = kind_name if txn.kind == TxnKind.PURCHASE else EntryKind.PURCHASE_REVERSAL
            if amount == 0:
                if entry is not None:
                    problems.append(f"txn {txn.txn_id}: unexpected {kind_name} entry {entry.pk}")
                continue
            if entry is None:
                problems.append(f"txn {txn.txn_id}: no {kind_name} entry ({amount})")
            elif entry.amount != amount or entry.kind != wanted_kind:
                problems.append(
                    f"txn {txn.txn_id}: {kind_name} entry {entry.kind} {entry.amount}, "
                    f"expected {wanted_kind} {amount}"
                )
            elif txn.kind != TxnKind.PURCHASE:
                original = entries.get(f"gw:{txn.original_id}:{kind_name}")
                if original is None or entry.corrects_id != original.pk:
                    problems.append(f"txn {txn.txn_id}: {kind_name} reversal corrects nothing")
        if txn.kind != TxnKind.PURCHASE:
            followups.setdefault(txn.original_id, []).append(txn)
    for purchase_id, later in followups.items():
        purchase = purchases.get(purchase_id)
        if purchase is None:
            problems.append(f"follow-ups of purchase {purchase_id} outside the run")
            continue
        later.sort(key=lambda t: t.pk)
        reversals = [t for t in later if t.kind == TxnKind.REVERSAL]
        if len(reversals) > 1:
            problems.append(f"purchase {purchase.txn_id} reversed {len(reversals)} times")
        if reversals and later[-1] is not reversals[0]:
            problems.append(f"purchase {purchase.txn_id}: a return after its reversal")
        returned = -sum(t.amount for t in later if t.kind == TxnKind.RETURN)
        if returned > purchase.amount:
            problems.append(f"purchase {purchase.txn_id}: {returned} returned of {purchase.amount}")

    chain = LedgerEntry.objects.order_by("account_id", "pk").values_list(
        "pk", "account_id", "account__currency", "kind", "amount", "balance_after"
    )
    previous_account, negative_run = None, False
    for pk, account_id, currency, kind, amount, balance_after in chain.iterator(chunk_size=5000):
        if account_id != previous_account:
            previous_account, negative_run = account_id, False
        if balance_after < 0:
            if currency == Currency.POINTS:
                problems.append(f"entry {pk}: points balance {balance_after}")
            elif amount < 0 and kind != EntryKind.PURCHASE_REVERSAL:
                problems.append(f"entry {pk}: {kind} {amount} spent credit to {balance_after}")
            elif not negative_run and kind != EntryKind.PURCHASE_REVERSAL:
                problems.append(f"entry {pk}: credit went to {balance_after} by a {kind}")
            negative_run = True
        else:
            negative_run = False

    sums = dict(
        LedgerEntry.objects.values("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    for account in Account.objects.all():
        if account.balance != (sums.get(account.pk) or 0):
            problems.append(
                f"account {account.pk}: balance {account.balance}, entries {sums.get(account.pk)}"
            )
    return problems


# --- seeding ------------------------------------------------------------------------------


def seed_club(
    *,
    members: int,
    terminals: int,
    prefix: str = "load",
    credit: int = 2_000_000,
    credit_every: int = 2,
    referred_every: int = 3,
) -> tuple[list[TerminalKey], list[str]]:
    """Members with one card each, every `credit_every`-th with `credit` rials to spend,
    every `referred_every`-th referred by an earlier member (so purchases pay referral
    shares), all placed in a tier; one branch with `terminals` tills. The till limits
    are lifted: a benchmark reader sends far more than a real till's requests per minute,
    and a few cards take all the purchases of a test. Returns the terminals' keys and the
    card numbers. Imports Django; call it after django.setup()."""
    import importlib

    from django.apps import apps

    from cardgateway import services
    from cardgateway.models import Branch, GatewaySettings
    from gamification import ledger, referrals, tiers
    from gamification.models import Currency, EntryKind, Tier
    from portal.accounts.services import register_member

    if not Tier.objects.exists():
        # Transactional tests flush the rows the data migration made; put them back.
        seed = importlib.import_module("gamification.migrations.0002_seed_rules_tiers_badges")
        seed.seed(apps, None)
    GatewaySettings.objects.update_or_create(
        pk=1, defaults={"requests_per_minute": 1_000_000, "purchases_per_hour": 1_000_000}
    )
    branch = Branch.objects.create(code=f"{prefix}-branch", name=f"{prefix} branch", city="Tehran")
    people, cards = [], []
    for n in range(members):
        person = register_member(
            email=f"{prefix}-{n}@load.example", first_name=f"Reader{n}", last_name="Load"
        )
        people.append(person)
        cards.append(services.issue_card(member=person, branch=branch).number)
        if n % credit_every == 0:
            ledger.post(
                member=person,
                currency=Currency.CREDIT,
                amount=credit,
                kind=EntryKind.ADJUSTMENT,
                idempotency_key=f"{prefix}-seed-credit:{person.pk}",
            )
        if n and n % referred_every == referred_every - 1:
            referrals.register_referral(referrer=people[(n * 7) % n], referee=person)
    for person in people:
        tiers.evaluate(member=person, reason="load seed")
    keys = []
    for number in range(terminals):
        terminal, secret = services.create_terminal(
            branch=branch, name=f"Load till {number}", terminal_id=f"{prefix.upper()}-{number:03d}"
        )
        keys.append(TerminalKey(terminal.terminal_id, secret))
    return keys, cards
