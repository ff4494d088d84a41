import { describe, expect, it } from "vitest";

import { AnswerBook } from "../../src/answers";
import { statusText, statusTooltip } from "../../src/status";
import { conversationSummary, describeTotals, formatCost, shortUsage, usageLines } from "../../src/usage";

const usage = { promptTokens: 1200, completionTokens: 45, reasoningTokens: 7, cachedTokens: 1000 };

describe("cost", () => {
  it("shows cents for cheap requests and dollars for the rest", () => {
    expect(formatCost(0.000421)).toBe("$0.0004");
    expect(formatCost(0.00003)).toBe("<$0.0001");
    expect(formatCost(0.0123)).toBe("$0.0123");
    expect(formatCost(12.5)).toBe("$12.50");
    expect(formatCost(0)).toBe("$0.00");
  });

  it("shows nothing when the price is unknown (costUsd null)", () => {
    expect(formatCost(null)).toBe("");
    expect(formatCost(undefined)).toBe("");
    expect(shortUsage(usage, null)).toBe("1,200↑ 45↓");
  });
});

describe("status bar", () => {
  it("shows the last request's tokens and cost", () => {
    const view = { model: "grok-4.3", state: "ready" as const, running: 0, lastUsage: usage, lastCostUsd: 0.0042 };
    expect(statusText(view)).toBe("$(sparkle) grok-4.3 · ready · 1,200↑ 45↓ · $0.0042");
    expect(statusTooltip(view)).toContain(
      "Last request: 1200 prompt + 45 completion tokens (7 reasoning, 1000 cached), $0.0042",
    );
  });

  it("keeps the tokens when the price is unknown", () => {
    const view = { model: "grok-4.3", state: "ready" as const, running: 0, lastUsage: usage, lastCostUsd: null };
    expect(statusText(view)).toBe("$(sparkle) grok-4.3 · ready · 1,200↑ 45↓");
  });
});

describe("Grok: Show Usage", () => {
  const session = { requests: 3, promptTokens: 3000, completionTokens: 450, reasoningTokens: 0, cachedTokens: 2000, costUsd: 0.0123 };

  it("sums up the session, naming its only model", () => {
    expect(usageLines({ session, byModel: { "grok-4.3": session } })).toEqual([
      "Grok this session (grok-4.3): 3 requests: 3,000 prompt (2,000 cached) + 450 completion tokens, $0.0123.",
    ]);
  });

  it("lists the models, the most expensive first", () => {
    const cheap = { requests: 1, promptTokens: 10, completionTokens: 5, costUsd: 0.0001 };
    const dear = { requests: 2, promptTokens: 2990, completionTokens: 445, reasoningTokens: 20, costUsd: 0.0122 };
    expect(usageLines({ session, byModel: { "grok-code-fast-1": cheap, "grok-4.3": dear } })).toEqual([
      "Grok this session: 3 requests: 3,000 prompt (2,000 cached) + 450 completion tokens, $0.0123.",
      "grok-4.3: 2 requests: 2,990 prompt + 445 completion (20 reasoning) tokens, $0.0122.",
      "grok-code-fast-1: 1 request: 10 prompt + 5 completion tokens, $0.0001.",
    ]);
  });

  it("says so when nothing was asked yet, and when a price is unknown", () => {
    expect(usageLines({ session: { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 } })).toEqual([
      "Grok: no requests yet in this session.",
    ]);
    expect(describeTotals({ requests: 1, promptTokens: 1, completionTokens: 1, costUsd: null })).toBe(
      "1 request: 1 prompt + 1 completion tokens, cost unknown",
    );
  });

  it("summarises a conversation with its title", () => {
    expect(conversationSummary("a.py", "Area helpers", { requests: 2, promptTokens: 100, completionTokens: 20, costUsd: 0.002 })).toBe(
      'Grok: conversation "Area helpers" (a.py): 2 requests: 100 prompt + 20 completion tokens, $0.0020.',
    );
    expect(conversationSummary("a.py", null, { requests: 0, promptTokens: 0, completionTokens: 0 })).toBe(
      "Grok: the conversation about a.py has no answers yet.",
    );
  });

  it("keeps a result's cost with its answer (the panel's footer)", () => {
    const book = new AnswerBook();
    book.start("t", "file:///a.py", "Explain");
    expect(book.finish("t", { text: "x", usage, costUsd: 0.5 })?.costUsd).toBe(0.5);
  });
});
