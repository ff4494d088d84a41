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
