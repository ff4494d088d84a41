/** Grok for VS Code: wires the language client, the commands, the answer panel and the status bar. */
import * as vscode from "vscode";

import {
  type LspRange,
  type UserAction,
  actionArgument,
  actionPicks,
  configuredActions,
  needsInput,
  routeCommand,
} from "./actions";
import { AnswerBook, type CommandResult, type StreamNotification } from "./answers";
import { GrokClient, SECTION, ServerUnavailable, type StoredSecrets, errorMessage } from "./client";
import { modelPicks } from "./models";
import { AnswerPanel } from "./panel";
import { SuggestionReview } from "./review";
import { questionWithReferences } from "./questionBox";
import { needsRestart } from "./settings";
import { type ServerState, type StatusView, statusText, statusTooltip } from "./status";
import { type UsageReport, type UsageTotals, conversationSummary, usageLines } from "./usage";

const API_KEY_SECRET = "grok.apiKey";
const COOKIES_SECRET = "grok.grokWebCookies";
const REQUEST_CANCELLED = -32800;
const REQUEST_FAILED = -32803;
const INSTALL_COMMAND = "pipx install grok-lsp";

/** The model commands, as the server names them, with their titles. */
const ACTIONS = {
  explain: { command: "grok.explain", title: "Explain" },
  refactor: { command: "grok.refactor", title: "Refactor" },
  fix: { command: "grok.fix", title: "Fix" },
  document: { command: "grok.document", title: "Add Docs" },
  tests: { command: "grok.tests", title: "Write Tests" },
  ask: { command: "grok.ask", title: "Ask" },
} as const;
type ActionName = keyof typeof ACTIONS;

/** The server's preview diffs (editMode "preview"): the extension shows its own diff editor. */
const PREVIEW_DIFF = /\/previews\/[0-9a-f]+\.diff$/;

let extension: GrokExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extension = new GrokExtension(context);
  context.subscriptions.push(extension);
  await extension.start();
}

export async function deactivate(): Promise<void> {
  await extension?.client.stop();
}

class GrokExtension implements vscode.Disposable {
  readonly client: GrokClient;
  private readonly answers = new AnswerBook();
  private readonly panel = new AnswerPanel();
  private readonly review: SuggestionReview;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly status: StatusView;
  private readonly disposables: vscode.Disposable[] = [];
  /** Documents with a request of ours in flight whose answer the panel shows. */
  private readonly inPanel = new Map<string, number>();
  private startProblem: string | undefined;
  private nextToken = 0;
  /** Restarts for new secrets, one after the other (a change may be seen twice). */
  private secretsUpdate: Promise<void> = Promise.resolve();

  constructor(private readonly context: vscode.ExtensionContext) {
    this.client = new GrokClient(() => this.storedSecrets(), context.extensionPath, {
      onStateChange: (state) => this.setState(state),
      onStream: (params) => this.onStream(params as StreamNotification),
      onShowDocument: (uri, takeFocus) => this.onShowDocument(uri, takeFocus),
      onExecuteCommand: (command, args) => this.onExecuteCommand(command, args),
      onPythonChange: () => {
        this.client.output.info("The Python extension's interpreter changed: restarting grok-lsp on it");
        void this.restart().catch((error: unknown) => this.reportError(error));
      },
    });
    this.review = new SuggestionReview(
      async (uri, id) => {
        const result = await this.client.execute<{ applied: boolean }>("grok.applySuggestion", { uri, id });
        return result.applied;
      },
      async (uri, id) => {
        try {
          await this.client.execute("grok.discardSuggestion", { uri, id });
        } catch (error) {
          // Already applied or discarded elsewhere (the code action): nothing left to offer.
          this.client.output.warn(`grok.discardSuggestion: ${errorMessage(error)}`);
        }
      },
      (message) => this.client.output.warn(message),
    );
    this.status = { model: this.configuredModel(), state: "starting", running: 0, preview: this.previewMode() };
    this.statusItem = vscode.window.createStatusBarItem("grok.status", vscode.StatusBarAlignment.Right, 100);
    this.statusItem.name = "Grok";
    this.statusItem.command = "grok.selectModel";
    this.renderStatus();
    this.statusItem.show();

    const command = (id: string, run: () => unknown) =>
      vscode.commands.registerCommand(id, async () => {
        try {
          await run();
        } catch (error) {
          this.reportError(error);
        }
      });
    this.disposables.push(
      this.statusItem,
      this.panel,
      this.review,
      command("grok.explainSelection", () => this.run("explain")),
      command("grok.refactorSelection", () => this.refactor()),
      command("grok.fixSelection", () => this.fix()),
      command("grok.documentSelection", () => this.run("document")),
      command("grok.writeTests", () => this.run("tests")),
      command("grok.askGrok", () => this.ask()),
      command("grok.showConversation", () => this.showConversation()),
      command("grok.resetConversation", () => this.resetConversation()),
      command("grok.cancelRequests", () => this.cancel()),
      command("grok.selectModel", () => this.selectModel()),
      command("grok.showUsage", () => this.showUsage()),
      command("grok.runAction", () => this.runAction()),
      command("grok.setApiKey", () => this.setApiKey()),
      command("grok.clearApiKey", () => this.clearApiKey()),
      command("grok.setGrokWebCookies", () => this.setGrokWebCookies()),
      command("grok.clearGrokWebCookies", () => this.clearGrokWebCookies()),
      command("grok.showAnswer", () => this.showAnswer()),
      command("grok.restartServer", () => this.restart()),
      command("grok.acceptSuggestion", () => this.review.accept()),
      command("grok.rejectSuggestion", () => this.review.reject()),
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChange(event)),
      // Another window may change them too: the server gets them in its environment.
      context.secrets.onDidChange((event) => {
        if (event.key === API_KEY_SECRET || event.key === COOKIES_SECRET) {
          void this.updateSecrets();
        }
      }),
    );
  }

  async start(): Promise<void> {
    const result = await this.client.start();
    this.startProblem = result.found ? undefined : result.message;
    if (!result.found) {
      this.setState("missing");
      void this.offerInstall(result.message);
    }
  }

  private async restart(): Promise<void> {
    await this.client.stop();
    await this.start();
  }

  // -- commands ---------------------------------------------------------------------

  private async run(name: ActionName, extra: Record<string, unknown> = {}, range?: vscode.Range): Promise<void> {
    const editor = this.requireEditor();
    const selection = range ?? selectionOrLine(editor);
    const argument = { uri: editor.document.uri.toString(), range: toLspRange(selection), ...extra };
    await this.request(ACTIONS[name], editor.document, selection, argument);
  }

  /** "Grok: Run Action…": one of grok.actions on the selection, asking for `{input}` if needed. */
  private async runAction(): Promise<void> {
    const editor = this.requireEditor();
    const actions = configuredActions(vscode.workspace.getConfiguration(SECTION).get("actions"));
    if (!actions.length) {
      const choice = await vscode.window.showInformationMessage(
        "Grok: no actions configured. Add some to the grok.actions setting: {id, title, prompt, result}.",
        "Open Settings",
      );
      if (choice === "Open Settings") {
        await vscode.commands.executeCommand("workbench.action.openSettingsJson");
      }
      return;
    }
    const picked = await vscode.window.showQuickPick(actionPicks(actions), {
      title: "Grok: Run Action",
      placeHolder: "Which of your grok.actions?",
      matchOnDescription: true,
    });
    if (picked === undefined) {
      return;
    }
    const selection = selectionOrLine(editor);
    await this.runUserAction(picked.action, editor.document, selection);
  }

  private async runUserAction(
    action: UserAction,
    document: vscode.TextDocument,
    range: vscode.Range,
    input?: string,
  ): Promise<unknown> {
    if (input === undefined && needsInput(action)) {
      input = await vscode.window.showInputBox({
        title: `Grok: ${action.title}`,
        prompt: action.prompt,
        ignoreFocusOut: true,
      });
      if (input === undefined) {
        return undefined; // Escape
      }
    }
    const argument = actionArgument(action, document.uri.toString(), toLspRange(range), input);
    return this.request({ command: "grok.action", title: action.title }, document, range, argument);
  }

  private async refactor(): Promise<void> {
    const editor = this.requireEditor();
    const selection = selectionOrLine(editor);
    const instruction = await vscode.window.showInputBox({
      title: "Grok: Refactor Selection",
      prompt: "How should Grok rewrite the selection? (optional: empty for a general clean-up)",
      placeHolder: "e.g. rename total to sum, use a list comprehension",
      ignoreFocusOut: true,
    });
    if (instruction === undefined) {
      return; // Escape: the user changed their mind
    }
    const extra = instruction.trim() ? { instruction: instruction.trim() } : {};
    await this.run("refactor", extra, selection);
  }

  private async fix(): Promise<void> {
    const editor = this.requireEditor();
    const selection = selectionOrLine(editor);
    const overlapping = vscode.languages
      .getDiagnostics(editor.document.uri)
      .filter((diagnostic) => diagnostic.range.intersection(selection) !== undefined);
    const extra = overlapping.length
      ? { diagnostics: await this.client.protocolDiagnostics(overlapping) }
      : {};
    await this.run("fix", extra, selection);
  }

  private async ask(): Promise<void> {
    const editor = this.requireEditor();
    const question = await questionWithReferences(editor.document.uri, {
      title: "Ask Grok",
      prompt: editor.selection.isEmpty
        ? "A question in this file's conversation (a follow-up)"
        : "A question about the selection",
    });
    if (question === undefined || !question.trim()) {
      return;
    }
    const argument: Record<string, unknown> = { uri: editor.document.uri.toString(), question };
    if (!editor.selection.isEmpty) {
      argument.range = toLspRange(editor.selection);
    }
    await this.request(ACTIONS.ask, editor.document, editor.selection, argument);
  }

  /** A model request: the live panel, a cancellable progress, usage in the status bar, the preview. */
  private async request(
    { command, title }: { command: string; title: string },
    document: vscode.TextDocument,
    range: vscode.Range,
    argument: object,
  ): Promise<CommandResult | undefined> {
    const uri = document.uri.toString();
    const token = `grok-vscode-${process.pid}-${++this.nextToken}`;
    this.panel.show(this.answers.start(token, uri, title));
    this.inPanel.set(uri, (this.inPanel.get(uri) ?? 0) + 1);
    this.status.running += 1;
    this.setState("busy");
    try {
      const result = await this.client.executeWithProgress<CommandResult>(title, command, argument, token);
      const answer = this.answers.finish(token, result);
      if (answer) {
        this.panel.update(answer);
      }
      if (result.usage) {
        this.status.lastUsage = result.usage;
        this.status.lastCostUsd = result.costUsd;
      }
      if (result.model) {
        this.status.model = result.model;
      }
      if (result.suggestion) {
        // Not awaited: the review waits for Accept / Reject, the request is done.
        void this.review
          .open(document, range, result.text, result.suggestion, title, result.edit)
          .catch((error: unknown) => this.reportError(error));
      }
      return result;
    } catch (error) {
      const cancelled = codeOf(error) === REQUEST_CANCELLED;
      const answer = this.answers.end(token, cancelled ? "cancelled" : "failed", errorMessage(error));
      if (answer) {
        this.panel.update(answer);
      }
      // The server has already shown a failed request's reason; anything else is news.
      if (!cancelled && codeOf(error) !== REQUEST_FAILED) {
        throw error;
      }
      return undefined;
    } finally {
      const left = (this.inPanel.get(uri) ?? 1) - 1;
      if (left > 0) {
        this.inPanel.set(uri, left);
      } else {
        this.inPanel.delete(uri);
      }
      this.status.running -= 1;
      this.setState(this.client.running ? (this.status.running ? "busy" : "ready") : "stopped");
    }
  }

  private async showConversation(): Promise<void> {
    const editor = this.requireEditor();
    const shown = await this.client.execute<{ title?: string | null; usage?: UsageTotals }>(
      "grok.conversation.show",
      { uri: editor.document.uri.toString() },
    );
    const file = vscode.workspace.asRelativePath(editor.document.uri);
    void vscode.window.showInformationMessage(conversationSummary(file, shown?.title, shown?.usage));
  }

  /** "Grok: Show Usage": the session's tokens and cost, by model. */
  private async showUsage(): Promise<void> {
    const report = await this.client.execute<UsageReport>("grok.usage", {});
    const [first, ...rest] = usageLines(report);
    if (!rest.length) {
      void vscode.window.showInformationMessage(first);
      return;
    }
    const choice = await vscode.window.showInformationMessage(first, "By Model");
    if (choice === "By Model") {
      await vscode.window.showQuickPick(rest, { title: "Grok: usage by model this session" });
    }
  }

  private async resetConversation(): Promise<void> {
    const editor = this.requireEditor();
    await this.client.execute("grok.conversation.reset", { uri: editor.document.uri.toString() });
    void vscode.window.showInformationMessage(
      `Grok: forgot the conversation about ${vscode.workspace.asRelativePath(editor.document.uri)}.`,
    );
  }

  private async cancel(): Promise<void> {
    const result = await this.client.execute<{ cancelled: number }>("grok.cancel", {});
    if (!result.cancelled) {
      void vscode.window.showInformationMessage("Grok: nothing to cancel.");
    }
  }

  private async selectModel(): Promise<void> {
    const listing = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "Grok: listing models" },
      () => this.client.execute<{ models: string[]; current: string }>("grok.models", {}),
    );
    const config = vscode.workspace.getConfiguration(SECTION);
    const picks = modelPicks(
      listing.models,
      listing.current,
      config.get<Record<string, unknown>>("modelAliases"),
      config.get<string>("model"),
    );
    if (!picks.length) {
      void vscode.window.showInformationMessage(`Grok: this provider lists no models; using ${listing.current}.`);
      return;
    }
    const picked = await vscode.window.showQuickPick(picks, {
      title: "Grok: Select Model",
      placeHolder: `Current: ${listing.current}`,
      matchOnDescription: true,
    });
    if (picked === undefined) {
      return;
    }
    const inspected = config.inspect<string>("model");
    const target =
      inspected?.workspaceFolderValue !== undefined || inspected?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
    await config.update("model", picked.value, target);
  }

  private async setApiKey(): Promise<void> {
    const key = await vscode.window.showInputBox({
      title: "Grok: Set API Key",
      prompt: "Your xAI API key (from https://console.x.ai). Kept in VS Code's secret storage.",
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : "Paste the key"),
    });
    if (key === undefined || !key.trim()) {
      return;
    }
    await this.context.secrets.store(API_KEY_SECRET, key.trim());
    await this.updateSecrets();
    void vscode.window.showInformationMessage("Grok: API key saved in VS Code's secret storage.");
  }

  private async clearApiKey(): Promise<void> {
    await this.context.secrets.delete(API_KEY_SECRET);
    await this.updateSecrets();
    void vscode.window.showInformationMessage("Grok: API key removed.");
  }

  private async setGrokWebCookies(): Promise<void> {
    const cookies = await vscode.window.showInputBox({
      title: "Grok: Set grok.com Cookies",
      prompt:
        "The Cookie header of a grok.com request (it contains sso=...), for the experimental grok-web " +
        "provider. Kept in VS Code's secret storage.",
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : "Paste the cookies"),
    });
    if (cookies === undefined || !cookies.trim()) {
      return;
    }
    await this.context.secrets.store(COOKIES_SECRET, cookies.trim());
    await this.updateSecrets();
    void vscode.window.showInformationMessage("Grok: grok.com cookies saved in VS Code's secret storage.");
  }

  private async clearGrokWebCookies(): Promise<void> {
    await this.context.secrets.delete(COOKIES_SECRET);
    await this.updateSecrets();
    void vscode.window.showInformationMessage("Grok: grok.com cookies removed.");
  }

  /** The server reads the secrets from its environment: a change needs a new server. */
  private updateSecrets(): Promise<void> {
    this.secretsUpdate = this.secretsUpdate
      .then(async () => {
        if (await this.client.secretsChanged()) {
          this.client.output.info("The API key or the grok.com cookies changed: restarting grok-lsp");
          await this.restart();
        }
      })
      .catch((error: unknown) => this.reportError(error));
    return this.secretsUpdate;
  }

  private showAnswer(): void {
    const answer = this.answers.latest();
    if (answer === undefined) {
      void vscode.window.showInformationMessage("Grok: no answer yet.");
      return;
    }
    this.panel.show(answer);
  }

  // -- events -----------------------------------------------------------------------

  private onStream(notification: StreamNotification): void {
    const known = this.answers.get(String(notification.token)) !== undefined;
    const answer = this.answers.receive(notification);
    if (known) {
      this.panel.update(answer);
    } else {
      this.panel.show(answer); // a request started elsewhere (a code action): show it too
    }
  }

  /** The transcript of an answer the panel already shows is linked there rather than opened. */
  private onShowDocument(uri: string, takeFocus: boolean): boolean {
    if (takeFocus) {
      return false;
    }
    if (PREVIEW_DIFF.test(uri)) {
      return true; // the suggestion opens in VS Code's diff editor (SuggestionReview)
    }
    const latest = this.answers.latest();
    if (latest && this.inPanel.has(latest.uri) && this.panel.isShowing(latest.uri)) {
      latest.transcript = uri;
      this.panel.update(latest);
      return true;
    }
    return false;
  }

  private async onConfigurationChange(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!event.affectsConfiguration(SECTION)) {
      return;
    }
    if (
      event.affectsConfiguration("grok.serverPath") ||
      (event.affectsConfiguration("grok.inlineCompletion") &&
        needsRestart(this.client.startedWith, this.client.settings()))
    ) {
      // Inline completion is a capability of `initialize`: turning it on needs a new server.
      await this.restart();
    } else if (event.affectsConfiguration("grok.apiKey") || event.affectsConfiguration("grok.grokWebCookies")) {
      await this.updateSecrets(); // a restart, which sends the other settings too
      await this.client.pushSettings();
    } else if (this.client.running) {
      await this.client.pushSettings();
    } else if (this.startProblem) {
      await this.start();
    }
    // After the server has the new settings: what the status bar shows is what it will do.
    this.status.model = this.configuredModel();
    this.status.preview = this.previewMode();
    this.renderStatus();
  }

  /**
   * Code actions run the server's commands through the language client: run the model
   * ones here instead, so that they get the answer panel, the cancellable progress, the
   * usage in the status bar, the preview diff and (for `{input}` actions) the input box.
   */
  private onExecuteCommand(command: string, args: unknown[]): Promise<unknown> | undefined {
    const models = Object.fromEntries(Object.values(ACTIONS).map((action) => [action.command, action.title]));
    const actions = configuredActions(vscode.workspace.getConfiguration(SECTION).get("actions"));
    const route = routeCommand(command, args, models, actions);
    if (route === undefined) {
      return undefined;
    }
    if (route.kind === "applied") {
      this.review.forgetSuggestion(route.id); // its diff, if open, is out of date
      return undefined;
    }
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === route.uri);
    if (document === undefined) {
      return undefined;
    }
    const { start, end } = route.range;
    const range = new vscode.Range(start.line, start.character, end.line, end.character);
    const run = async (): Promise<unknown> => {
      try {
        return route.kind === "model"
          ? await this.request(route, document, range, args[0] as object)
          : await this.runUserAction(route.action, document, range, route.input);
      } catch (error) {
        this.reportError(error);
        return undefined;
      }
    };
    return run();
  }

  // -- helpers ----------------------------------------------------------------------

  private async storedSecrets(): Promise<StoredSecrets> {
    return {
      apiKey: await this.context.secrets.get(API_KEY_SECRET),
      grokWebCookies: await this.context.secrets.get(COOKIES_SECRET),
    };
  }

  private configuredModel(): string {
    return vscode.workspace.getConfiguration(SECTION).get<string>("model") || "grok-4.3";
  }

  private previewMode(): boolean {
    return vscode.workspace.getConfiguration(SECTION).get<string>("editMode") === "preview";
  }

  private setState(state: ServerState | "stopped"): void {
    this.status.state = state === "ready" && this.status.running ? "busy" : state;
    this.renderStatus();
  }

  private renderStatus(): void {
    this.statusItem.text = statusText(this.status);
    this.statusItem.tooltip = statusTooltip(this.status);
    this.statusItem.backgroundColor =
      this.status.state === "missing" || this.status.state === "failed"
        ? new vscode.ThemeColor("statusBarItem.errorBackground")
        : undefined;
  }

  private requireEditor(): vscode.TextEditor {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined) {
      throw new UserError("Grok: open a file and select some code first.");
    }
    return editor;
  }

  private reportError(error: unknown): void {
    if (error instanceof UserError) {
      void vscode.window.showInformationMessage(error.message);
    } else if (error instanceof ServerUnavailable) {
      void this.offerInstall(this.startProblem ?? "grok-lsp is not running. Run `Grok: Restart Server`.");
    } else {
      this.client.output.error(errorMessage(error));
      void vscode.window.showErrorMessage(`Grok: ${errorMessage(error)}`);
    }
  }

  private async offerInstall(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      `Grok: ${message}`,
      "Copy install command",
      "Open Settings",
      "Restart Server",
    );
    if (choice === "Copy install command") {
      await vscode.env.clipboard.writeText(INSTALL_COMMAND);
    } else if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "grok.serverPath");
    } else if (choice === "Restart Server") {
      await this.restart();
    }
  }

  dispose(): void {
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
    void this.client.dispose();
  }
}

class UserError extends Error {}

function selectionOrLine(editor: vscode.TextEditor): vscode.Range {
  if (!editor.selection.isEmpty) {
    return editor.selection;
  }
  return editor.document.lineAt(editor.selection.active.line).range;
}

function toLspRange(range: vscode.Range): LspRange {
  return {
    start: { line: range.start.line, character: range.start.character },
    end: { line: range.end.line, character: range.end.character },
  };
}

function codeOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "code" in error
    ? (error as { code: number }).code
    : undefined;
}
