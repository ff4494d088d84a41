/**
 * User-defined actions (grok.actions): the quick pick of "Grok: Run Action…", whether an
 * action asks for input, and the `grok.action` argument. Pure, for the tests.
 */

export interface UserAction {
  id: string;
  title: string;
  prompt: string;
  result: "explain" | "edit";
}

export interface ActionPick {
  label: string;
  description: string;
  detail: string;
  action: UserAction;
}

export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** The well-formed entries of the setting (the server warns about the others). */
export function configuredActions(setting: unknown): UserAction[] {
  if (!Array.isArray(setting)) {
    return [];
  }
  const seen = new Set<string>();
  const actions: UserAction[] = [];
  for (const entry of setting) {
    if (typeof entry !== "object" || entry === null) {
      continue;
    }
    const { id, title, prompt, result } = entry as Record<string, unknown>;
    if (typeof id !== "string" || typeof title !== "string" || typeof prompt !== "string") {
      continue;
    }
    if (!id || seen.has(id)) {
      continue;
    }
    seen.add(id);
    actions.push({ id, title, prompt, result: result === "edit" ? "edit" : "explain" });
  }
  return actions;
}

/** A prompt with `{input}` asks the user for it before running. */
export function needsInput(action: Pick<UserAction, "prompt">): boolean {
  return action.prompt.includes("{input}");
}

export function actionPicks(actions: readonly UserAction[]): ActionPick[] {
  return actions.map((action) => ({
    label: action.title,
    description: action.result === "edit" ? "edits the selection" : "explains",
    detail: action.prompt.length > 90 ? `${action.prompt.slice(0, 89)}…` : action.prompt,
    action,
  }));
}

/** The single argument of `workspace/executeCommand grok.action`. */
export function actionArgument(
  action: Pick<UserAction, "id">,
  uri: string,
  range: LspRange,
  input?: string,
): { id: string; uri: string; range: LspRange; input?: string } {
  const argument: { id: string; uri: string; range: LspRange; input?: string } = { id: action.id, uri, range };
  if (input !== undefined) {
    argument.input = input;
  }
  return argument;
}

/** A server command run from a code action, and what the extension does with it. */
export type Route =
  | { kind: "model"; command: string; title: string; uri: string; range: LspRange }
  | { kind: "action"; action: UserAction; uri: string; range: LspRange; input?: string }
  | { kind: "applied"; id: string }
  | undefined; // not ours to run: the language client sends it as it is

/**
 * `models` maps the server's model commands to their titles (grok.explain → Explain).
 * A user action the settings no longer know goes to the server unchanged, which names it.
 */
export function routeCommand(
  command: string,
  args: readonly unknown[],
  models: Readonly<Record<string, string>>,
  actions: readonly UserAction[],
): Route {
  const argument = args[0];
  if (typeof argument !== "object" || argument === null) {
    return undefined;
  }
  const { uri, range, id, input } = argument as Record<string, unknown>;
  if (command === "grok.applySuggestion") {
    return typeof id === "string" ? { kind: "applied", id } : undefined;
  }
  if (typeof uri !== "string" || !isLspRange(range)) {
    return undefined;
  }
  if (Object.hasOwn(models, command)) {
    return { kind: "model", command, title: models[command], uri, range };
  }
  if (command === "grok.action") {
    const action = actions.find((candidate) => candidate.id === id);
    if (action === undefined) {
      return undefined;
    }
    return typeof input === "string" ? { kind: "action", action, uri, range, input } : { kind: "action", action, uri, range };
  }
  return undefined;
}

export function isLspRange(value: unknown): value is LspRange {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const { start, end } = value as { start?: Record<string, unknown>; end?: Record<string, unknown> };
  return (
    typeof start?.line === "number" &&
    typeof start?.character === "number" &&
    typeof end?.line === "number" &&
    typeof end?.character === "number"
  );
}
