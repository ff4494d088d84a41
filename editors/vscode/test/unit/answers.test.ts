import { describe, expect, it } from "vitest";

import { AnswerBook, describeUsage } from "../../src/answers";
import { statusText, statusTooltip } from "../../src/status";

describe("AnswerBook", () => {
  it("concatenates content deltas in order and keeps reasoning apart", () => {
    const book = new AnswerBook();
    book.start("t1", "file:///a.py", "Explain");
    book.receive({ token: "t1", uri: "file:///a.py", kind: "reasoning", delta: "thinking0 " });
    book.receive({ token: "t1", uri: "file:///a.py", kind: "content", delta: "The " });
    const answer = book.receive({ token: "t1", uri: "file:///a.py", kind: "content", delta: "code" });
    expect(answer).toMatchObject({ title: "Explain", content: "The code", reasoning: "thinking0 ", state: "streaming" });
  });

  it("starts an answer for a token it did not start (a code action's request)", () => {
    const book = new AnswerBook();
    book.start("mine", "file:///a.py", "Explain");
    book.receive({ token: 7, uri: "file:///b.py", kind: "content", delta: "Hi" });
    expect(book.latest()).toMatchObject({ token: "7", uri: "file:///b.py", title: "Grok", content: "Hi" });
  });

  it("takes the command's result as the final text", () => {
    const book = new AnswerBook();
    book.start("t", "file:///a.py", "Explain");
    book.receive({ token: "t", uri: "file:///a.py", kind: "content", delta: "partial" });
    const usage = { promptTokens: 10, completionTokens: 3 };
    const answer = book.finish("t", { text: "whole answer", model: "grok-4.3", usage });
    expect(answer).toMatchObject({ content: "whole answer", model: "grok-4.3", usage, state: "done" });
  });

  it("records cancellation and failure", () => {
    const book = new AnswerBook();
    book.start("a", "u", "Explain");
    book.start("b", "u", "Refactor");
    expect(book.end("a", "cancelled")?.state).toBe("cancelled");
    expect(book.end("b", "failed", "HTTP 500")).toMatchObject({ state: "failed", error: "HTTP 500" });
  });

  it("forgets the oldest answers beyond its size", () => {
    const book = new AnswerBook(2);
    book.start("1", "u", "x");
    book.start("2", "u", "x");
    book.start("3", "u", "x");
    expect(book.get("1")).toBeUndefined();
    expect(book.latest()?.token).toBe("3");
  });
});

describe("status bar", () => {
  it("shows model, state and the last request's tokens", () => {
    const usage = { promptTokens: 120, completionTokens: 45, reasoningTokens: 7, cachedTokens: 100 };
    expect(statusText({ model: "grok-4.3", state: "ready", running: 0, lastUsage: usage })).toBe(
      "$(sparkle) grok-4.3 · ready · 120↑ 45↓",
    );
    expect(statusTooltip({ model: "grok-4.3", state: "ready", running: 0, lastUsage: usage })).toContain(
      "120 prompt + 45 completion tokens (7 reasoning, 100 cached)",
    );
  });

  it("says when edits wait for review", () => {
    expect(statusText({ model: "grok-4", state: "ready", running: 0, preview: true })).toBe(
      "$(sparkle) grok-4 · ready · preview",
    );
  });

  it("counts concurrent requests", () => {
    expect(statusText({ model: "grok-4", state: "busy", running: 2 })).toBe("$(loading~spin) grok-4 · busy (2)");
  });

  it("describes missing usage as nothing", () => {
    expect(describeUsage(undefined)).toBe("");
  });
});
