"""Scenario checks for what is not the usage body: API-key buckets, unified-header overrides,
and per-endpoint behaviours (errors, Retry-After, faults)."""

from __future__ import annotations

from dataclasses import replace

from tui.simulator.errors import ERRORS
from tui.simulator.faults import FAULT_FIELDS, Fault, FaultError
from tui.simulator.reader import Reader, join, kw, show
from tui.simulator.spec import (
    BUCKETS,
    UNIFIED_STATUSES,
    Behavior,
    BucketSpec,
    ErrorSpec,
    State,
    UnifiedSpec,
)

_BUCKET_KEYS = ("limit", "remaining", "resets_at")
_UNIFIED_KEYS = (
    "status",
    "representative_claim",
    "overage_status",
    "overage_disabled_reason",
    "fallback_percentage",
)
_BEHAVIOR_KEYS = ("error", "retry_after", "retry_after_date", "fault", "every", "auth")
_ERROR_TABLE_KEYS = ("status", "type", "message", "details", "bare")


class BehaviorReader(Reader):
    """Reads rate-limit buckets, unified overrides and endpoint behaviours."""

    def buckets(self, raw: object, key: str, prev: State) -> tuple[tuple[str, BucketSpec], ...]:
        current = dict(prev.rate_limits)
        table = self.table(raw, key)
        if table is None:
            return prev.rate_limits
        self.keys(table, key, BUCKETS)
        for name in BUCKETS:
            if name not in table:
                continue
            k = join(key, name)
            sub = self.table(table[name], k)
            if sub is None:
                continue
            self.keys(sub, k, _BUCKET_KEYS)
            spec = current[name]
            if "limit" in sub:
                limit = self.integer(sub["limit"], join(k, "limit"), lo=1)
                if limit is not None:
                    spec = replace(spec, limit=limit, remaining=min(spec.remaining, limit))
            if "remaining" in sub:
                rem = self.number(sub["remaining"], join(k, "remaining"), lo=0)
                if rem is not None:
                    if rem > spec.limit:
                        self.bad(join(k, "remaining"), f"must not exceed limit ({spec.limit})")
                    spec = replace(spec, remaining=rem)
            if "resets_at" in sub:
                spec = replace(
                    spec,
                    resets_at=self.number(
                        sub["resets_at"], join(k, "resets_at"), lo=0, nullable=True
                    ),
                )
            current[name] = spec
        return tuple((n, current[n]) for n in BUCKETS)

    def unified(self, raw: object, key: str) -> UnifiedSpec:
        table = self.table(raw, key)
        if table is None:
            return UnifiedSpec()
        self.keys(table, key, _UNIFIED_KEYS)
        spec = UnifiedSpec()
        if "status" in table:
            spec = replace(
                spec,
                status=self.string(table["status"], join(key, "status"), choices=UNIFIED_STATUSES),
            )
        if "overage_status" in table:
            spec = replace(
                spec,
                overage_status=self.string(
                    table["overage_status"], join(key, "overage_status"), choices=UNIFIED_STATUSES
                ),
            )
        for k in ("representative_claim", "overage_disabled_reason"):
            if k in table:
                spec = replace(spec, **kw(k, self.string(table[k], join(key, k))))
        if "fallback_percentage" in table:
            spec = replace(
                spec,
                fallback_percentage=self.number(
                    table["fallback_percentage"], join(key, "fallback_percentage"), lo=0, hi=1
                ),
            )
        return spec

    def behavior(self, raw: object, key: str) -> Behavior | None:
        table = self.table(raw, key)
        if table is None:
            return None
        self.keys(table, key, _BEHAVIOR_KEYS)
        beh = Behavior()
        if "error" in table:
            beh = replace(beh, error=self.error(table["error"], join(key, "error")))
        if "retry_after" in table:
            ra = table["retry_after"]
            if isinstance(ra, int | float) and not isinstance(ra, bool) and ra >= 0:
                beh = replace(beh, retry_after=f"{ra:g}")
            elif isinstance(ra, str) and ra:
                beh = replace(beh, retry_after=ra)
            else:
                self.bad(
                    join(key, "retry_after"), f"expected seconds or header text, got {show(ra)}"
                )
        if "retry_after_date" in table:
            beh = replace(
                beh,
                retry_after_date=self.number(
                    table["retry_after_date"], join(key, "retry_after_date"), lo=0
                ),
            )
        if "fault" in table:
            beh = replace(beh, fault=self.fault(table["fault"], join(key, "fault")))
        if "every" in table:
            beh = replace(beh, every=self.integer(table["every"], join(key, "every"), lo=1) or 1)
        if "auth" in table:
            auth = self.string(table["auth"], join(key, "auth"), choices=("bearer", "x-api-key"))
            if auth == "bearer":
                beh = replace(beh, auth="bearer")
            elif auth == "x-api-key":
                beh = replace(beh, auth="x-api-key")
        if (
            beh.error is None
            and beh.fault is None
            and "error" not in table
            and "fault" not in table
        ):
            self.bad(key, "needs an error or a fault")
        return beh

    def error(self, raw: object, key: str) -> ErrorSpec | None:
        if isinstance(raw, str):
            if raw in ERRORS:
                return ERRORS[raw]
            self.string(raw, key, choices=sorted(ERRORS))
            return None
        table = self.table(raw, key)
        if table is None:
            return None
        self.keys(table, key, _ERROR_TABLE_KEYS)
        status = self.integer(table.get("status"), join(key, "status"), lo=400)
        if status is not None and status > 599:
            self.bad(join(key, "status"), f"expected a 4xx or 5xx status, got {status}")
        etype = self.string(table.get("type"), join(key, "type"))
        message = self.string(table.get("message"), join(key, "message"))
        details = None
        if "details" in table:
            details = self.table(table["details"], join(key, "details"))
        bare = False
        if "bare" in table:
            bare = bool(self.boolean(table["bare"], join(key, "bare")))
        if status is None or etype is None or message is None:
            return None
        return ErrorSpec(status=status, type=etype, message=message, details=details, bare=bare)

    def fault(self, raw: object, key: str) -> Fault | None:
        if isinstance(raw, str):
            raw = {"kind": raw}
        table = self.table(raw, key)
        if table is None:
            return None
        self.keys(table, key, FAULT_FIELDS)
        if "kind" not in table:
            self.bad(join(key, "kind"), "required")
            return None
        try:
            known = {k: v for k, v in table.items() if k in FAULT_FIELDS}
            return Fault(**known)  # type: ignore[arg-type]
        except FaultError as exc:
            self.bad(join(key, exc.field), exc.problem)
        except TypeError as exc:
            self.bad(key, str(exc))
        return None
