"""Group commit of recharges: the recharges a process receives within a short window are
written by ONE statement (`wallet_recharge_group`, store/sql/wallet_recharge_group.sql), so
one round trip, one transaction and one commit for the group instead of one each.

How a group forms: the first recharge to arrive opens a group and arms a timer of `window`
seconds; the group is written when the timer fires or as soon as `max_size` recharges wait,
whichever comes first. Writing runs as its own task, so the next group forms meanwhile
(as many groups in flight as the statement pool has connections). A recharge waits at most
`window` longer than alone, plus its group's larger statement.

Each recharge keeps its own answer: the function runs each call in its own subtransaction,
so a refusal (a cap, a frozen wallet, a reused pos_reference) rolls back and answers that
recharge only, and the idempotency steps are wallet_recharge's own (replayed, key_reused,
in_progress per call). If the group's statement fails as a whole (a deadlock, a lost
connection: nothing of it committed), each recharge of the group is written alone.
Nothing needs draining at stop: `patronage serve` lets the HTTP server finish its requests
(each waits for its group) before the runtime closes the statement pool.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from services.wallet.store.recharges import ARGUMENTS, RefusedInGroup, write_alone
from shared.db.statement_pool import StatementPool
from shared.structured_logging import get_logger

log = get_logger(__name__)

GROUP_CALL = """SELECT call_no, call_outcome, call_status, call_body, error_state,
    error_message, error_detail FROM wallet_recharge_group($1)"""
# wallet_recharge's jsonb parameters, already JSON text: embedded as they are, not re-parsed.
JSON_TEXT = frozenset({"limits", "lines", "headers", "payload", "risk_rules", "freeze_headers",
                       "freeze_payload"})

Answer = tuple[str, int, "bytes | None"]
Waiting = tuple[dict[str, Any], "asyncio.Future[Answer]"]


def group_json(group: list[Waiting]) -> str:
    """p_calls: one object per recharge, its arguments by parameter name and `i` its index."""
    calls = []
    for index, (arguments, _) in enumerate(group):
        call: dict[str, Any] = {"i": index}
        for name in ARGUMENTS:
            value = arguments[name]
            if name in JSON_TEXT and value is not None:
                value = orjson.Fragment(value)
            elif name == "hash":
                value = "\\x" + value.hex()  # bytea's hex input form
            call["p_" + name] = value
        calls.append(call)
    return orjson.dumps(calls).decode()


class RechargeGroups:
    """One per process (the wallet's app); a `RechargeWriter` for `record_recharge`."""

    def __init__(self, statements: StatementPool, *, window: float, max_size: int) -> None:
        self._statements, self.window, self.max_size = statements, window, max_size
        self._waiting: list[Waiting] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writing: set[asyncio.Task[None]] = set()  # held, so no task is collected
        self.groups_written = 0  # for the benchmark's report and the tests
        self.recharges_written = 0

    async def write(self, arguments: dict[str, Any]) -> Answer:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Answer] = loop.create_future()
        # Read, so the refusal of a request gone meanwhile is not logged as never retrieved.
        answer.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._waiting.append((arguments, answer))
        if len(self._waiting) >= self.max_size:
            self._close_group()
        elif self._timer is None:
            self._timer = loop.call_later(self.window, self._close_group)
        # A request cancelled while it waits leaves its recharge in the group (as a request
        # cancelled during its statement may still commit): the answer is shielded.
        return await asyncio.shield(answer)

    def _close_group(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        group, self._waiting = self._waiting, []
        if group:
            task = asyncio.get_running_loop().create_task(self._write_group(group))
            self._writing.add(task)
            task.add_done_callback(self._writing.discard)

    async def _write_group(self, group: list[Waiting]) -> None:
        try:
            rows = await self._statements.pool.fetch(GROUP_CALL, group_json(group))
        except Exception as error:  # nothing of the group committed: each one alone
            log.warning("recharge_group_failed", size=len(group), error=repr(error))
            await asyncio.gather(*(self._write_alone(arguments, answer)
                                   for arguments, answer in group))
            return
        self.groups_written += 1
        self.recharges_written += len(group)
        for row in rows:
            answer = group[row["call_no"]][1]
            if answer.done():
                continue
            if row["call_outcome"] == "refused":
                answer.set_exception(RefusedInGroup(
                    row["error_state"], row["error_message"], row["error_detail"]))
            else:
                answer.set_result((row["call_outcome"], row["call_status"], row["call_body"]))
        for _, answer in group:  # the function answers every call; never leave one waiting
            if not answer.done():
                answer.set_exception(RuntimeError("wallet_recharge_group left a call unanswered"))

    async def _write_alone(self, arguments: dict[str, Any],
                           answer: asyncio.Future[Answer]) -> None:
        try:
            result = await write_alone(self._statements, arguments)
        except Exception as error:
            if not answer.done():
                answer.set_exception(error)
            return
        if not answer.done():
            answer.set_result(result)
