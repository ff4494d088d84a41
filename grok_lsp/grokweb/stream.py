"""Reading grok.com's answer: newline-delimited JSON, one `{"result": {...}}` per line.

A new conversation wraps each piece in `result.response`; a continued one puts it
straight into `result`. Both are read the same way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from grok_lsp.xai.events import (
    ContentDelta,
    ConversationStarted,
    Finished,
    ReasoningDelta,
    StreamEvent,
    TitleChanged,
)

ASSETS_URL = "https://assets.grok.com"


def _field(sources: tuple[dict[str, Any], ...], name: str) -> Any:
    return next((source[name] for source in sources if name in source), None)


def asset_url(path: str) -> str:
    """Image paths are relative to the assets host; an absolute URL is kept as it is."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{ASSETS_URL}/{path.lstrip('/')}"


class AnswerStreamParser:
    """Turns lines into stream events; `finish()` closes the answer."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._thinking_since: float | None = None
        self._images_shown: set[str] = set()
        self._content: list[str] = []
        self.conversation_id: str | None = None

    @property
    def text(self) -> str:
        """The answer's text so far (kept as `partial` when the stream fails)."""
        return "".join(self._content)

    def feed(self, line: str) -> list[StreamEvent]:
        try:
            payload = json.loads(line)
        except ValueError:
            return []  # blank or broken lines are skipped, as grok.com's own client does
        result = payload.get("result") if isinstance(payload, dict) else None
        if not isinstance(result, dict):
            return []
        response = result.get("response")
        sources = (response, result) if isinstance(response, dict) else (result,)
        events: list[StreamEvent] = []
        self._conversation(result.get("conversation"), events)
        self._token(_field(sources, "token"), _field(sources, "isThinking") is True, events)
        preview = _field(sources, "streamingImageGenerationResponse")
        if isinstance(preview, dict):
            self._images([preview.get("imageUrl")], "Image preview", events)
        final = _field(sources, "modelResponse")
        if isinstance(final, dict) and isinstance(final.get("generatedImageUrls"), list):
            self._images(final["generatedImageUrls"], "Generated image", events)
        title = result.get("title")
        new_title = title.get("newTitle") if isinstance(title, dict) else None
        if isinstance(new_title, str) and new_title.strip():
            events.append(TitleChanged(new_title.strip()))
        return events

    def finish(self) -> list[StreamEvent]:
        """The body ended: a stream that stopped while thinking still says how long it took."""
        return [*self._end_thinking(), Finished("stop")]

    def _conversation(self, conversation: Any, events: list[StreamEvent]) -> None:
        if not isinstance(conversation, dict) or self.conversation_id is not None:
            return
        found = conversation.get("conversationId")
        if isinstance(found, str) and found:
            self.conversation_id = found
            events.append(ConversationStarted(found))

    def _token(self, token: Any, thinking: bool, events: list[StreamEvent]) -> None:
        if not isinstance(token, str) or not token:
            return
        if thinking:
            if self._thinking_since is None:
                self._thinking_since = self._clock()
            events.append(ReasoningDelta(token))
            return
        events.extend(self._end_thinking())
        self._content.append(token)
        events.append(ContentDelta(token))

    def _end_thinking(self) -> list[StreamEvent]:
        if self._thinking_since is None:
            return []
        seconds = self._clock() - self._thinking_since
        self._thinking_since = None
        return [ReasoningDelta(f"\nThought for {seconds:.1f}s\n")]

    def _images(self, paths: list[Any], label: str, events: list[StreamEvent]) -> None:
        for path in paths:
            if not isinstance(path, str) or not path:
                continue
            url = asset_url(path)
            if url in self._images_shown:  # previews repeat as the image renders
                continue
            self._images_shown.add(url)
            markdown = f"\n\n![{label}]({url})\n\n"
            self._content.append(markdown)
            events.append(ContentDelta(markdown))
