"""`manage.py reader_sim`: a card reader on the command line (cardgateway/simulator.py).

Exit codes: 0 the server took it (2xx), 1 the server refused it (4xx), 3 the server was
not reached (a posting is then queued; a flush left postings in the queue)."""

import json
import os
from http import HTTPStatus

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cardgateway import simulator
from portal.demo import DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET

REFUSED_EXIT = 1
NOT_REACHED_EXIT = 3


def _amount(value: str) -> int:
    # Whole rials; "250,000" and "250_000" read as 250000.
    cleaned = value.replace(",", "").replace("_", "")
    if not cleaned.isdigit():
        raise ValueError(value)
    return int(cleaned)


_amount.__name__ = "amount in whole rials"


class Command(BaseCommand):
    help = (
        "A card reader: signed requests to the gateway (GATEWAY.md), with store-and-forward "
        "of postings the server could not take."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=os.environ.get("READER_URL", "http://127.0.0.1:8000"),
            help="The club's address (env READER_URL; default http://127.0.0.1:8000).",
        )
        parser.add_argument(
            "--terminal",
            default=os.environ.get("READER_TERMINAL_ID", DEMO_TERMINAL_ID),
            help=f"Terminal id (env READER_TERMINAL_ID; default the demo {DEMO_TERMINAL_ID}).",
        )
        parser.add_argument(
            "--secret",
            default=os.environ.get("READER_SECRET", DEMO_TERMINAL_SECRET),
            help="Terminal secret (env READER_SECRET; default the demo terminal's).",
        )
        parser.add_argument(
            "--queue",
            default=os.environ.get("READER_QUEUE", str(settings.BASE_DIR / "var" / "reader-queue")),
            help="Store-and-forward directory (env READER_QUEUE; default var/reader-queue).",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=simulator.DEFAULT_TIMEOUT,
            help="Seconds to wait for an answer before the server counts as unreachable.",
        )
        commands = parser.add_subparsers(dest="reader_command", metavar="COMMAND", required=True)
        commands.add_parser("health", help="GET /gateway/v1/health (no signature).")
        inquiry = commands.add_parser("inquiry", help="The card's status, member and balances.")
        inquiry.add_argument("card")
        purchase = commands.add_parser("purchase", help="Post a purchase.")
        purchase.add_argument("card")
        purchase.add_argument("amount", type=_amount)
        purchase.add_argument("--redeem", type=_amount, default=0, help="Credit to spend.")
        purchase.add_argument("--txn-id", default="", help="Default: a new unique id.")
        purchase.add_argument("--occurred-at", default="", help="ISO 8601; default now.")
        reverse = commands.add_parser("reverse", help="Undo a purchase of this terminal.")
        reverse.add_argument("original_txn_id")
        reverse.add_argument("--txn-id", default="")
        give_back = commands.add_parser("return", help="A partial return of a purchase.")
        give_back.add_argument("original_txn_id")
        give_back.add_argument("amount", type=_amount)
        give_back.add_argument("--txn-id", default="")
        commands.add_parser("flush", help="Send the queued postings, oldest first.")
        commands.add_parser("queue", help="List the queued postings.")

    def handle(self, *args, **options):
        try:
            reader = simulator.Reader(
                url=options["url"],
                terminal_id=options["terminal"],
                secret=options["secret"],
                queue_dir=options["queue"],
                timeout=options["timeout"],
            )
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        command = options["reader_command"]
        try:
            if command in ("health", "inquiry"):
                reply = reader.health() if command == "health" else reader.inquiry(options["card"])
                self._show_reply(reply)
                self._finish_reply(reply)
            elif command == "flush":
                self._finish_flush(reader, reader.flush())
            elif command == "queue":
                self._show_queue(reader)
            else:
                self._finish_posting(reader, self._post(reader, command, options))
        except simulator.QueueError as problem:
            raise CommandError(str(problem)) from None

    # Commands ------------------------------------------------------------------------------

    def _post(self, reader, command: str, options) -> simulator.Outcome:
        if command == "purchase":
            return reader.purchase(
                card=options["card"],
                amount=options["amount"],
                redeem=options["redeem"],
                txn_id=options["txn_id"],
                occurred_at=options["occurred_at"],
            )
        if command == "reverse":
            return reader.reverse(
                original_txn_id=options["original_txn_id"], txn_id=options["txn_id"]
            )
        return reader.return_purchase(
            original_txn_id=options["original_txn_id"],
            amount=options["amount"],
            txn_id=options["txn_id"],
        )

    def _finish_reply(self, reply: simulator.Reply) -> None:
        if not reply.reached:
            raise CommandError("the gateway was not reached", returncode=NOT_REACHED_EXIT)
        if not reply.ok:
            raise CommandError(
                f"refused: {reply.error_code or reply.status}", returncode=REFUSED_EXIT
            )

    def _finish_posting(self, reader, outcome: simulator.Outcome) -> None:
        if outcome.flush is not None:
            self.stdout.write("The queue had postings waiting; flushing it first:")
            self._show_flush(outcome.flush)
        if outcome.reply is not None:
            self._show_reply(outcome.reply)
        if outcome.kind == simulator.QUEUED:
            waiting = len(reader.outbox)
            self.stdout.write(
                self.style.WARNING(
                    f"queued: {outcome.txn_id} waits in {reader.outbox.directory} "
                    f"({waiting} posting{'s' if waiting != 1 else ''} queued); "
                    "`reader_sim flush` sends it."
                )
            )
            raise CommandError("not reached; the posting is queued", returncode=NOT_REACHED_EXIT)
        if outcome.kind == simulator.REFUSED:
            raise CommandError(
                f"refused: {outcome.reply.error_code or outcome.reply.status}",
                returncode=REFUSED_EXIT,
            )
        note = " (already posted: the original answer)" if outcome.reply.replay else ""
        self.stdout.write(self.style.SUCCESS(f"done: {outcome.txn_id}{note}"))

    def _finish_flush(self, reader, report: simulator.FlushReport) -> None:
        if not report.results:
            self.stdout.write("The queue is empty.")
            return
        self._show_flush(report)
        if report.refused:
            raise CommandError(
                f"{len(report.refused)} queued posting(s) refused", returncode=REFUSED_EXIT
            )
        if report.remaining:
            raise CommandError(
                f"{report.remaining} posting(s) still queued", returncode=NOT_REACHED_EXIT
            )

    def _show_queue(self, reader) -> None:
        items = reader.outbox.items()
        if not items:
            self.stdout.write("The queue is empty.")
        for item in items:
            self.stdout.write(
                f"{item.queued_at}  {item.endpoint:<9}  {item.txn_id}  "
                f"{json.dumps(item.body, ensure_ascii=False)}  ({item.reason})"
            )

    # Printing ------------------------------------------------------------------------------

    def _show_reply(self, reply: simulator.Reply) -> None:
        if reply.reached:
            try:
                phrase = HTTPStatus(reply.status).phrase
            except ValueError:
                phrase = ""
            replay = "  Idempotent-Replay: true" if reply.replay else ""
            head = f"{reply.method} {reply.path}  ->  {reply.status} {phrase}{replay}"
            style = self.style.SUCCESS if reply.ok else self.style.ERROR
            self.stdout.write(style(head))
            if isinstance(reply.body, dict | list):
                self.stdout.write(json.dumps(reply.body, indent=2, ensure_ascii=False))
            elif reply.body:
                self.stdout.write(str(reply.body))
        else:
            self.stdout.write(
                self.style.ERROR(f"{reply.method} {reply.path}  ->  not reached ({reply.problem})")
            )

    def _show_flush(self, report: simulator.FlushReport) -> None:
        labels = {simulator.DONE: "posted", simulator.REFUSED: "refused", simulator.KEPT: "kept"}
        for result in report.results:
            reply = result.reply
            answer = reply.status if reply.reached else f"not reached ({reply.problem})"
            extra = " (replay)" if reply.replay else ""
            code = f" {reply.error_code}" if reply.error_code else ""
            self.stdout.write(
                f"  {labels[result.kind]:<7}  {result.endpoint:<9}  {result.txn_id}  "
                f"{answer}{code}{extra}"
            )
            if result.kind == simulator.REFUSED and isinstance(reply.body, dict):
                self.stdout.write(f"           {json.dumps(reply.body, ensure_ascii=False)}")
        if report.remaining:
            self.stdout.write(
                self.style.WARNING(f"  stopped; {report.remaining} posting(s) still queued")
            )
