/** The status bar item's text: model, state and the last request's tokens. */
import type { Usage } from "./answers";
import { describeUsage } from "./answers";
import { formatCost, shortUsage } from "./usage";

export type ServerState = "starting" | "ready" | "busy" | "stopped" | "missing" | "failed";

export interface StatusView {
  model: string;
  state: ServerState;
  running: number;
  /** editMode "preview": edits wait for review, which the user should see at a glance. */
  preview?: boolean;
  lastUsage?: Usage;
  /** The last request's cost in US dollars; null when the price is unknown. */
  lastCostUsd?: number | null;
}

const ICONS: Record<ServerState, string> = {
  starting: "$(sync~spin)",
  ready: "$(sparkle)",
  busy: "$(loading~spin)",
  stopped: "$(circle-slash)",
  missing: "$(error)",
  failed: "$(error)",
};

export function statusText(view: StatusView): string {
  const state = view.state === "busy" && view.running > 1 ? `busy (${view.running})` : view.state;
  const parts = [`${ICONS[view.state]} ${view.model}`, state];
  if (view.preview) {
    parts.push("preview");
  }
  if (view.lastUsage !== undefined) {
    parts.push(shortUsage(view.lastUsage, view.lastCostUsd));
  }
  return parts.join(" · ");
}

export function statusTooltip(view: StatusView): string {
  const lines = [`Grok: ${view.model} (${view.state})`];
  if (view.preview) {
    lines.push("Edits open as a diff to accept or reject (grok.editMode: preview).");
  }
  if (view.lastUsage !== undefined) {
    const cost = formatCost(view.lastCostUsd);
    lines.push(`Last request: ${describeUsage(view.lastUsage)}${cost ? `, ${cost}` : ""}`);
  }
  lines.push("Click to select the model; Grok: Show Usage has the session's totals.");
  return lines.join("\n");
}
