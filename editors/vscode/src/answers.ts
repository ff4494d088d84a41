/**
 * Answers as they stream in: `grok/stream` deltas and command results, by progress token.
 *
 * Pure state with no VS Code import, so the panel only renders and the tests read this.
 */
import type { LspWorkspaceEdit } from "./suggestion";

/** The `grok/stream` notification (SPEC section 4). */
export interface StreamNotification {
  token: string | number;
  uri: string;
  kind: "content" | "reasoning";
  delta: string;
}

/** `usage` as the server reports it. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  reasoningTokens?: number;
  cachedTokens?: number;
}

/** What a grok.* command that asked the model returns. */
export interface CommandResult {
  text: string;
  model?: string;
  usage?: Usage;
  /** US dollars; null when the model's price is unknown. */
  costUsd?: number | null;
  applied?: boolean;
  /** editMode "preview": the pending suggestion's id, its diff file and the exact edit. */
  suggestion?: string;
  preview?: string | null;
  edit?: LspWorkspaceEdit;
  transcript?: string;
}

export type AnswerState = "streaming" | "done" | "cancelled" | "failed";

export interface Answer {
  token: string;
  uri: string;
  title: string;
  content: string;
  reasoning: string;
  state: AnswerState;
  model?: string;
  usage?: Usage;
  costUsd?: number | null;
  error?: string;
  transcript?: string;
}

export const STREAM_METHOD = "grok/stream";

/** Keeps the latest answers; the newest one is what the panel shows. */
export class AnswerBook {
  private readonly answers = new Map<string, Answer>();
  private newest: string | undefined;

  constructor(private readonly keep = 20) {}

  /** A request this extension started: known title, nothing received yet. */
  start(token: string, uri: string, title: string): Answer {
    const answer: Answer = { token, uri, title, content: "", reasoning: "", state: "streaming" };
    this.remember(answer);
    return answer;
  }

  /** A streamed piece; a token seen for the first time (a code action's request) starts an answer. */
  receive(notification: StreamNotification): Answer {
    const token = String(notification.token);
    let answer = this.answers.get(token);
    if (answer === undefined) {
      answer = this.start(token, notification.uri, "Grok");
    }
    if (notification.kind === "reasoning") {
      answer.reasoning += notification.delta;
    } else {
      answer.content += notification.delta;
    }
    return answer;
  }

  /** The command's result is the whole answer: it replaces whatever the stream delivered. */
  finish(token: string, result: CommandResult): Answer | undefined {
    const answer = this.answers.get(token);
    if (answer === undefined) {
      return undefined;
    }
    answer.content = result.text;
    answer.model = result.model;
    answer.usage = result.usage;
    answer.costUsd = result.costUsd;
    answer.transcript = result.transcript ?? answer.transcript;
    answer.state = "done";
    return answer;
  }

  end(token: string, state: "cancelled" | "failed", error?: string): Answer | undefined {
    const answer = this.answers.get(token);
    if (answer !== undefined) {
      answer.state = state;
      answer.error = error;
    }
    return answer;
  }

  get(token: string): Answer | undefined {
    return this.answers.get(token);
  }

  latest(): Answer | undefined {
    return this.newest === undefined ? undefined : this.answers.get(this.newest);
  }

  private remember(answer: Answer): void {
    this.answers.set(answer.token, answer);
    this.newest = answer.token;
    while (this.answers.size > this.keep) {
      const oldest = this.answers.keys().next().value as string;
      this.answers.delete(oldest);
    }
  }
}

/** "120 prompt + 45 completion tokens (7 reasoning, 100 cached)". */
export function describeUsage(usage: Usage | undefined): string {
  if (usage === undefined) {
    return "";
  }
  const extras: string[] = [];
  if (usage.reasoningTokens) {
    extras.push(`${usage.reasoningTokens} reasoning`);
  }
  if (usage.cachedTokens) {
    extras.push(`${usage.cachedTokens} cached`);
  }
  const base = `${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens`;
  return extras.length ? `${base} (${extras.join(", ")})` : base;
}
