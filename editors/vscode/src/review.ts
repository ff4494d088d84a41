/** editMode "preview": a diff editor with Accept / Reject for an edit the server keeps pending. */
import * as vscode from "vscode";

import { type LspWorkspaceEdit, applyWorkspaceEdit, proposedDocument } from "./suggestion";

export const SUGGESTION_SCHEME = "grok-suggestion";

interface Pending {
  id: string;
  documentUri: vscode.Uri;
  proposalUri: vscode.Uri;
  text: string;
}

export class SuggestionReview implements vscode.Disposable, vscode.TextDocumentContentProvider {
  private readonly pending = new Map<string, Pending>();
  private readonly registration: vscode.Disposable;

  /**
   * `apply` runs grok.applySuggestion and resolves to whether the edit was applied;
   * `discard` runs grok.discardSuggestion, so that the server stops offering
   * "Grok: Apply suggestion" for it.
   */
  constructor(
    private readonly apply: (uri: string, id: string) => Promise<boolean>,
    private readonly discard: (uri: string, id: string) => Promise<void>,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(SUGGESTION_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.pending.get(uri.toString())?.text ?? "";
  }

  /** Open the diff of the document against the suggestion, and offer Accept / Reject. */
  async open(
    document: vscode.TextDocument,
    range: vscode.Range,
    answer: string,
    id: string,
    title: string,
    edit?: LspWorkspaceEdit | null,
  ): Promise<void> {
    // The server's own edit is exactly what Accept applies; the answer is only a fallback.
    let text = applyWorkspaceEdit(document.getText(), document.uri.toString(), edit);
    if (text === undefined) {
      this.warn(`preview: no usable edit from the server for ${document.uri.toString()}; rebuilt from the answer`);
      text = proposedDocument(
        document.getText(),
        document.offsetAt(range.start),
        document.offsetAt(range.end),
        answer,
      );
    }
    if (text === undefined) {
      void vscode.window.showWarningMessage("Grok: the answer had no code block to preview.");
      return;
    }
    const proposalUri = vscode.Uri.from({
      scheme: SUGGESTION_SCHEME,
      path: document.uri.path,
      query: `id=${encodeURIComponent(id)}`,
    });
    const pending: Pending = { id, documentUri: document.uri, proposalUri, text };
    this.pending.set(proposalUri.toString(), pending);
    await this.updateContext();
    const name = document.uri.path.split("/").pop() ?? "file";
    await vscode.commands.executeCommand(
      "vscode.diff",
      document.uri,
      proposalUri,
      `${name} ↔ Grok: ${title} (suggestion)`,
      { preview: true },
    );
    const choice = await vscode.window.showInformationMessage(
      `Grok suggests a change to ${name}.`,
      "Accept",
      "Reject",
    );
    if (!this.pending.has(proposalUri.toString())) {
      return; // already decided from the editor's title bar
    }
    if (choice === "Accept") {
      await this.accept(proposalUri);
    } else if (choice === "Reject") {
      await this.reject(proposalUri);
    }
  }

  /** Accept the suggestion shown in the active diff (or the only one pending). */
  async accept(proposalUri = this.current()): Promise<void> {
    const pending = proposalUri && this.pending.get(proposalUri.toString());
    if (!pending) {
      void vscode.window.showInformationMessage("Grok: no suggestion to accept.");
      return;
    }
    await this.forget(pending);
    const applied = await this.apply(pending.documentUri.toString(), pending.id);
    if (!applied) {
      void vscode.window.showWarningMessage("Grok: the suggestion was not applied.");
    }
  }

  async reject(proposalUri = this.current()): Promise<void> {
    const pending = proposalUri && this.pending.get(proposalUri.toString());
    if (pending) {
      await this.forget(pending);
      await this.discard(pending.documentUri.toString(), pending.id);
    }
  }

  /** The suggestion was applied another way (the "Grok: Apply suggestion" code action). */
  forgetSuggestion(id: string): void {
    const pending = [...this.pending.values()].find((candidate) => candidate.id === id);
    if (pending) {
      void this.forget(pending);
    }
  }

  private current(): vscode.Uri | undefined {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputTextDiff && input.modified.scheme === SUGGESTION_SCHEME) {
      return input.modified;
    }
    const all = [...this.pending.values()];
    return all.length === 1 ? all[0].proposalUri : undefined;
  }

  private async forget(pending: Pending): Promise<void> {
    this.pending.delete(pending.proposalUri.toString());
    await this.updateContext();
    const key = pending.proposalUri.toString();
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter(
        (tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === key,
      );
    if (tabs.length) {
      await vscode.window.tabGroups.close(tabs);
    }
  }

  private updateContext(): Thenable<unknown> {
    return vscode.commands.executeCommand("setContext", "grok.suggestionOpen", this.pending.size > 0);
  }

  dispose(): void {
    this.registration.dispose();
  }
}
