/**
 * The server's error messages with an action button (window/showMessageRequest): the
 * team's neutral titles mapped to this extension's commands.
 *
 * "Set API Key" and "Open Settings" run here; any other title ("Sign in to grok.com",
 * "Retry") goes back to the server, which acts on it. The request is always answered, so
 * the server never waits on a message the user has closed.
 */

export interface MessageActionItem {
  title: string;
}

export interface MessageRequest<Item extends MessageActionItem> {
  type: number;
  message: string;
  actions?: Item[] | null;
}

/** What a chosen title does in VS Code. */
export type LocalAction =
  | { command: "grok.setApiKey"; args: [] }
  | { command: "workbench.action.openSettings"; args: [string] };

/** The titles this extension runs itself, and the VS Code command each runs. */
export const LOCAL_ACTIONS: Readonly<Record<string, LocalAction>> = {
  "Set API Key": { command: "grok.setApiKey", args: [] },
  "Open Settings": { command: "workbench.action.openSettings", args: ["grok."] },
};

export function localAction(title: string): LocalAction | undefined {
  return Object.prototype.hasOwnProperty.call(LOCAL_ACTIONS, title) ? LOCAL_ACTIONS[title] : undefined;
}

export interface MessageUi<Item extends MessageActionItem> {
  /** Show the message with its buttons; resolves with the chosen one (undefined: closed). */
  show(type: number, message: string, actions: Item[]): PromiseLike<Item | undefined>;
  /** Run a VS Code command (not awaited by the answer: an input box may stay open long). */
  run(action: LocalAction): void;
}

/**
 * Answer a showMessageRequest: null for a closed message or a title run here (the server
 * has nothing left to do), the chosen item otherwise.
 */
export async function answerMessageRequest<Item extends MessageActionItem>(
  request: MessageRequest<Item>,
  ui: MessageUi<Item>,
): Promise<Item | null> {
  const actions = request.actions ?? [];
  const chosen = await ui.show(request.type, request.message, actions);
  if (chosen === undefined) {
    return null;
  }
  const local = localAction(chosen.title);
  if (local !== undefined) {
    ui.run(local);
    return null;
  }
  return chosen;
}
