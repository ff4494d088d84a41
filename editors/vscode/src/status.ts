/** The status bar item's text: model, state and the last request's tokens. */
import type { Usage } from "./answers";
import { describeUsage } from "./answers";

export type ServerState = "starting" | "ready" | "busy" | "stopped" | "missing" | "failed";

export interface StatusView {
  model: string;
  state: ServerState;
  running: number;
  /** editMode "preview": edits wait for review, which the user should see at a glance. */
  preview?: boolean;
  lastUsage?: Usage;
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
    parts.push(`${view.lastUsage.promptTokens}↑ ${view.lastUsage.completionTokens}↓`);
  }
  return parts.join(" · ");
}

export function statusTooltip(view: StatusView): string {
  const lines = [`Grok: ${view.model} (${view.state})`];
  if (view.preview) {
    lines.push("Edits open as a diff to accept or reject (grok.editMode: preview).");
  }
  if (view.lastUsage !== undefined) {
    lines.push(`Last request: ${describeUsage(view.lastUsage)}`);
  }
  lines.push("Click to select the model.");
  return lines.join("\n");
}
