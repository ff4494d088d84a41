"""The requests in flight, so that any of the three cancellation paths can find them."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Iterator
from typing import Any

import attrs
from lsprotocol import types


@attrs.define(eq=False)
class RunningRequest:
    task: asyncio.Task[Any]
    uri: str
    action_id: str
    msg_id: Any = None
    token: types.ProgressToken | None = None


class RunningRequests:
    def __init__(self) -> None:
        self._requests: list[RunningRequest] = []
        # `$/cancelRequest` can overtake its request's handler: remember it for a while.
        self._cancelled_early: collections.deque[Any] = collections.deque(maxlen=1024)

    def add(self, request: RunningRequest) -> None:
        # A newer request of the same action on the same document replaces the older one.
        for older in self._requests:
            if older.uri == request.uri and older.action_id == request.action_id:
                older.task.cancel()
        self._requests.append(request)
        if request.msg_id is not None and request.msg_id in self._cancelled_early:
            self._cancelled_early.remove(request.msg_id)
            request.task.cancel()

    def remove(self, request: RunningRequest) -> None:
        if request in self._requests:
            self._requests.remove(request)

    def _cancel(self, matches: list[RunningRequest]) -> int:
        for request in matches:
            request.task.cancel()
        return len(matches)

    def cancel_message(self, msg_id: Any) -> int:
        matches = [r for r in self._requests if r.msg_id == msg_id]
        if not matches:
            self._cancelled_early.append(msg_id)
        return self._cancel(matches)

    def cancel_token(self, token: types.ProgressToken) -> int:
        return self._cancel([r for r in self._requests if r.token == token])

    def cancel_document(self, uri: str | None) -> int:
        return self._cancel([r for r in self._requests if uri is None or r.uri == uri])

    def __iter__(self) -> Iterator[RunningRequest]:
        return iter(list(self._requests))
