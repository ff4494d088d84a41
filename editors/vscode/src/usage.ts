/**
 * Tokens and cost as the user sees them: the status bar, "Grok: Show Usage" and the
 * conversation summary. Pure, so the tests read exactly what VS Code shows.
 */
import type { Usage } from "./answers";

/** `grok.usage`'s totals, and `usage` of `grok.conversation.show`. */
export interface UsageTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens?: number;
  cachedTokens?: number;
  /** null: a model's price was unknown, so the sum is too. */
  costUsd?: number | null;
}

/** What `grok.usage {}` returns. */
export interface UsageReport {
  session: UsageTotals;
  byModel?: Record<string, UsageTotals>;
}

/** "$0.0012", "$0.0340", "$1.25", "<$0.0001"; "" when the price is unknown (null). */
export function formatCost(costUsd: number | null | undefined): string {
  if (costUsd === null || costUsd === undefined || !Number.isFinite(costUsd)) {
    return "";
  }
  if (costUsd === 0) {
    return "$0.00";
  }
  if (costUsd < 0.0001) {
    return "<$0.0001";
  }
  if (costUsd < 1) {
    return `$${costUsd.toFixed(4)}`;
  }
  return `$${costUsd.toFixed(2)}`;
}

/** 1234567 → "1,234,567" (fixed locale: the same in every test run). */
export function formatCount(count: number): string {
  return Math.round(count).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** The status bar's short form of the last request: "120↑ 45↓ · $0.0012". */
export function shortUsage(usage: Usage, costUsd?: number | null): string {
  const tokens = `${formatCount(usage.promptTokens)}↑ ${formatCount(usage.completionTokens)}↓`;
  const cost = formatCost(costUsd);
  return cost ? `${tokens} · ${cost}` : tokens;
}

/** "3 requests: 1,200 prompt (800 cached) + 450 completion (30 reasoning) tokens, $0.0123". */
export function describeTotals(totals: UsageTotals): string {
  const requests = `${totals.requests} request${totals.requests === 1 ? "" : "s"}`;
  const prompt = totals.cachedTokens
    ? `${formatCount(totals.promptTokens)} prompt (${formatCount(totals.cachedTokens)} cached)`
    : `${formatCount(totals.promptTokens)} prompt`;
  const completion = totals.reasoningTokens
    ? `${formatCount(totals.completionTokens)} completion (${formatCount(totals.reasoningTokens)} reasoning)`
    : `${formatCount(totals.completionTokens)} completion`;
  const cost = formatCost(totals.costUsd);
  const price = cost ? cost : totals.requests ? "cost unknown" : "";
  return `${requests}: ${prompt} + ${completion} tokens${price ? `, ${price}` : ""}`;
}

/** The lines of "Grok: Show Usage": the session, then each model (most expensive first). */
export function usageLines(report: UsageReport): string[] {
  if (!report.session.requests) {
    return ["Grok: no requests yet in this session."];
  }
  const lines = [`Grok this session: ${describeTotals(report.session)}.`];
  const models = Object.entries(report.byModel ?? {}).sort(
    ([a, x], [b, y]) => (y.costUsd ?? 0) - (x.costUsd ?? 0) || a.localeCompare(b),
  );
  if (models.length > 1) {
    for (const [model, totals] of models) {
      lines.push(`${model}: ${describeTotals(totals)}.`);
    }
  } else if (models.length === 1) {
    lines[0] = `Grok this session (${models[0][0]}): ${describeTotals(report.session)}.`;
  }
  return lines;
}

/** After "Grok: Show Conversation": `"Title" in a.py: 2 requests: …`. */
export function conversationSummary(file: string, title: string | null | undefined, totals?: UsageTotals): string {
  const name = title ? `"${title}" (${file})` : file;
  if (!totals || !totals.requests) {
    return `Grok: the conversation about ${name} has no answers yet.`;
  }
  return `Grok: conversation ${name}: ${describeTotals(totals)}.`;
}
