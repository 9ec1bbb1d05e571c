"""A card reader, as GATEWAY.md describes one: signed requests over plain HTTP(S) with the
standard library only, and store-and-forward for postings the server could not take.

No Django in here (like signing.py), so a vendor can read it as a worked example; the
`reader_sim` management command is its command line.

Store-and-forward
-----------------
A posting (purchase, reversal, return) that cannot reach the server (connection refused,
a timeout, a 5xx answer, or 429 "later") is written to the queue directory, one JSON file
per transaction, atomically (a temporary file, fsync, then os.replace), and reported as
queued. `flush()` replays the queue oldest first with the SAME txn_id and body; every
attempt is signed afresh (new nonce and timestamp), so a replay is never taken for a
replayed request. An item leaves the queue only when the server answered it:
- 2xx (a 200 with `Idempotent-Replay: true` included): posted, the file is deleted;
- a final 4xx (400, 404, 409, 422, ...): the server refused this transaction for good;
  the file moves to `refused/` inside the queue with the answer, and flushing goes on;
- anything else (unreachable, 5xx, 429, or 401/403/3xx, which are about the terminal and
  not the transaction): flushing stops and that item and all after it stay queued.
A new posting first flushes a non-empty queue, and queues itself behind whatever is left,
so the server always sees a terminal's postings in the order they were made."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .signing import signed_headers

API_PREFIX = "/gateway/v1/"
POSTINGS = ("purchases", "reversals", "returns")
DEFAULT_TIMEOUT = 10.0
# 4xx answers about the terminal (credentials, clock, switched off, too fast) rather than
# the transaction: a queued posting is kept and retried once that is sorted out.
NOT_FINAL_4XX = frozenset({401, 403, 408, 425, 429})

QUEUE_FILE_RE = re.compile(r"^[0-9]{10}-[A-Za-z0-9_-]*\.json$")

DONE, REFUSED, QUEUED, KEPT = "done", "refused", "queued", "kept"


class QueueError(Exception):
    """A file in the queue directory that is not a readable queued posting."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn a signed POST into an unsigned GET: take it as the answer."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# Direct connections: a reader talks to its gateway, not through the environment's proxy.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


@dataclass(frozen=True)
class Reply:
    """One attempt's answer. `status` is None when the server was not reached at all
    (`problem` then says why)."""

    method: str
    path: str
    status: int | None
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    problem: str = ""

    @property
    def reached(self) -> bool:
        return self.status is not None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def replay(self) -> bool:
        return self.headers.get("idempotent-replay", "").lower() == "true"

    @property
    def error_code(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return str(self.body["error"].get("code", ""))
        return ""

    @property
    def retry_later(self) -> bool:
        """Not reached, a server failure, or "slow down": worth sending again later."""
        return self.status is None or self.status >= 500 or self.status in (408, 425, 429)

    @property
    def final_refusal(self) -> bool:
        """A definitive 4xx about the transaction itself: sending it again cannot help."""
        return (
            self.status is not None
            and 400 <= self.status < 500
            and (self.status not in NOT_FINAL_4XX)
        )


@dataclass(frozen=True)
class QueuedPosting:
    """One file of the queue."""

    path: Path
    endpoint: str
    txn_id: str
    body: dict
    queued_at: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """What became of one posting: DONE, REFUSED or QUEUED for a new posting; DONE,
    REFUSED or KEPT for a queued one replayed by flush. `reply` is None when it was queued
    behind older postings without being sent."""

    kind: str
    endpoint: str
    txn_id: str
    body: dict
    reply: Reply | None = None
    flush: FlushReport | None = None


@dataclass
class FlushReport:
    results: list[Outcome] = field(default_factory=list)
    remaining: int = 0
    # The answer (or failure) that stopped the flush; None when the queue emptied.
    stopped_by: Reply | None = None

    @property
    def posted(self) -> list[Outcome]:
        return [r for r in self.results if r.kind == DONE]

    @property
    def refused(self) -> list[Outcome]:
        return [r for r in self.results if r.kind == REFUSED]


# --- The queue on disk -------------------------------------------------------------------


class Outbox:
    """Postings waiting for the server: `<seq>-<txn_id>.json` files in one directory, in
    order of `seq`. One reader process writes a queue at a time."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    @property
    def refused_directory(self) -> Path:
        return self.directory / "refused"

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(
            path
            for path in self.directory.iterdir()
            if QUEUE_FILE_RE.match(path.name) and path.is_file()
        )

    def __len__(self) -> int:
        return len(self._files())

    def items(self) -> list[QueuedPosting]:
        queued = []
        for path in self._files():
            try:
                data = json.loads(path.read_text("utf-8"))
                queued.append(
                    QueuedPosting(
                        path=path,
                        endpoint=data["endpoint"],
                        txn_id=data["txn_id"],
                        body=data["body"],
                        queued_at=data.get("queued_at", ""),
                        reason=data.get("reason", ""),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError) as problem:
                raise QueueError(f"{path} is not a readable queued posting: {problem}") from None
        return queued

    def append(self, *, endpoint: str, txn_id: str, body: dict, reason: str) -> QueuedPosting:
        files = self._files()
        seq = int(files[-1].name.split("-", 1)[0]) + 1 if files else 1
        record = {
            "endpoint": endpoint,
            "txn_id": txn_id,
            "body": body,
            "queued_at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "reason": reason,
        }
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", txn_id)[:64]
        path = self.directory / f"{seq:010d}-{safe}.json"
        _write_atomically(path, record)
        return QueuedPosting(path=path, endpoint=endpoint, txn_id=txn_id, body=body, reason=reason)

    def remove(self, item: QueuedPosting) -> None:
        item.path.unlink(missing_ok=True)
        _sync_directory(self.directory)

    def set_aside(self, item: QueuedPosting, reply: Reply) -> Path:
        """Keep a refused posting (with the refusal) out of the queue, for whoever settles
        it with the member."""
        record = json.loads(item.path.read_text("utf-8"))
        record["refusal"] = {"status": reply.status, "body": reply.body}
        target = self.refused_directory / item.path.name
        _write_atomically(target, record)
        self.remove(item)
        return target


def _write_atomically(path: Path, record: dict) -> None:
    """Write the whole file or nothing: a crash leaves at most a dot-temp file that the
    queue ignores, never half a posting."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    # The rename itself is durable only once the directory entry is on disk (POSIX).
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- The reader -------------------------------------------------------------------------


def new_txn_id(terminal_id: str) -> str:
    """`<terminal>-<yyyymmddhhmmss>-<random>`, within GATEWAY.md's 64 characters."""
    prefix = re.sub(r"[^A-Za-z0-9_-]", "", terminal_id)[:32] or "T"
    return f"{prefix}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(4)}"


def now_with_offset() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def encode(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Reader:
    """A terminal with its id, secret and queue directory."""

    def __init__(
        self,
        *,
        url: str,
        terminal_id: str,
        secret: str,
        queue_dir: str | os.PathLike,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"{url!r}: the gateway URL must start with http:// or https://")
        self.base_url = url.rstrip("/")
        if self.base_url.endswith(API_PREFIX.rstrip("/")):
            self.base_url = self.base_url[: -len(API_PREFIX.rstrip("/"))]
        self.terminal_id = terminal_id
        self.secret = secret
        self.timeout = timeout
        self.outbox = Outbox(queue_dir)

    # One HTTP exchange --------------------------------------------------------------------

    def send(self, method: str, endpoint: str, body: dict | None = None) -> Reply:
        """One attempt, signed now with a fresh nonce: a retry calls this again."""
        url = f"{self.base_url}{API_PREFIX}{endpoint}"
        path = urllib.parse.urlsplit(url).path
        raw = encode(body) if body is not None else b""
        if endpoint == "health":
            headers = {"Accept": "application/json"}
        else:
            headers = signed_headers(
                terminal_id=self.terminal_id,
                secret=self.secret,
                method=method,
                path=path,
                body=raw,
            )
        # The scheme was checked in __init__: http or https only.
        request = urllib.request.Request(  # noqa: S310
            url, data=raw if method != "GET" else None, headers=headers, method=method
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                return _reply(method, path, response.status, response.headers, response.read())
        except urllib.error.HTTPError as answer:
            with answer:
                return _reply(method, path, answer.code, answer.headers, answer.read())
        except (urllib.error.URLError, OSError, http.client.HTTPException) as failure:
            return Reply(method, path, None, problem=_describe(failure))

    # Reads --------------------------------------------------------------------------------

    def health(self) -> Reply:
        return self.send("GET", "health")

    def inquiry(self, card: str) -> Reply:
        return self.send("POST", "inquiry", {"card": card})

    # Postings -----------------------------------------------------------------------------

    def purchase(
        self,
        *,
        card: str,
        amount: int,
        redeem: int = 0,
        txn_id: str = "",
        occurred_at: str = "",
    ) -> Outcome:
        body = {
            "txn_id": txn_id or new_txn_id(self.terminal_id),
            "card": card,
            "amount": amount,
            "redeem": redeem,
            "occurred_at": occurred_at or now_with_offset(),
        }
        return self.post("purchases", body)

    def reverse(self, *, original_txn_id: str, txn_id: str = "") -> Outcome:
        body = {
            "txn_id": txn_id or new_txn_id(self.terminal_id),
            "original_txn_id": original_txn_id,
        }
        return self.post("reversals", body)

    def return_purchase(self, *, original_txn_id: str, amount: int, txn_id: str = "") -> Outcome:
        body = {
            "txn_id": txn_id or new_txn_id(self.terminal_id),
            "original_txn_id": original_txn_id,
            "amount": amount,
        }
        return self.post("returns", body)

    def post(self, endpoint: str, body: dict) -> Outcome:
        """Send a posting, in order after anything queued, or queue it."""
        if endpoint not in POSTINGS:
            raise ValueError(f"{endpoint!r} is not a posting endpoint")
        txn_id = body["txn_id"]
        report = None
        if len(self.outbox):
            report = self.flush()
            if report.remaining:
                self.outbox.append(
                    endpoint=endpoint,
                    txn_id=txn_id,
                    body=body,
                    reason="queued behind earlier postings",
                )
                return Outcome(QUEUED, endpoint, txn_id, body, None, report)
        reply = self.send("POST", endpoint, body)
        if reply.retry_later:
            self.outbox.append(endpoint=endpoint, txn_id=txn_id, body=body, reason=_reason(reply))
            return Outcome(QUEUED, endpoint, txn_id, body, reply, report)
        return Outcome(DONE if reply.ok else REFUSED, endpoint, txn_id, body, reply, report)

    def flush(self) -> FlushReport:
        """Replay the queue oldest first; see the module docstring for what leaves it."""
        report = FlushReport()
        queued = self.outbox.items()
        for index, item in enumerate(queued):
            reply = self.send("POST", item.endpoint, item.body)
            if reply.ok:
                self.outbox.remove(item)
                report.results.append(Outcome(DONE, item.endpoint, item.txn_id, item.body, reply))
            elif reply.final_refusal:
                self.outbox.set_aside(item, reply)
                report.results.append(
                    Outcome(REFUSED, item.endpoint, item.txn_id, item.body, reply)
                )
            else:
                report.results.append(Outcome(KEPT, item.endpoint, item.txn_id, item.body, reply))
                report.remaining = len(queued) - index
                report.stopped_by = reply
                break
        return report


def _reply(method: str, path: str, status: int, headers, raw: bytes) -> Reply:
    text = raw.decode("utf-8", errors="replace")
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = text
    lowered = {name.lower(): value for name, value in headers.items()}
    return Reply(method, path, status, body, lowered)


def _describe(failure: BaseException) -> str:
    reason = getattr(failure, "reason", failure)
    if isinstance(reason, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return str(reason) or type(reason).__name__


def _reason(reply: Reply) -> str:
    if reply.status is None:
        return reply.problem
    return f"HTTP {reply.status} {reply.error_code}".strip()
