"""What a fraud rule reports. Rules (rules.py) only read; services.open_case() turns a
Finding into a case and holds the points and credit it names."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    # One of models.Rule's values.
    rule: str
    # Stable across scans ("referral_device:17"): a finding whose key has a case already
    # opens nothing new, so a rule may report the same thing every run.
    key: str
    # A msgid marked with gettext_noop and its %-parameters: rendered in the reader's
    # language at display time.
    summary: str
    params: dict = field(default_factory=dict)
    # JSON-serialisable evidence: {"facts": [[label msgid, value], ...],
    # "columns": [label msgid, ...], "rows": [[value, ...], ...]}.
    evidence: dict = field(default_factory=dict)
    # The member under suspicion (whose balance gains from it) and, for till rules, the
    # cashier who posted it.
    member_id: int | None = None
    suspect_id: int | None = None
    # Ledger entries (credits to members) whose points and credit are held until decided.
    entry_ids: tuple[int, ...] = ()
