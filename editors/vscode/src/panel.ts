/** The live answer panel: a webview that renders the newest answer as Markdown while it streams. */
import * as vscode from "vscode";

import { type Answer, describeUsage } from "./answers";
import { escapeHtml, renderMarkdown } from "./markdown";
import { formatCost } from "./usage";

const RENDER_INTERVAL_MS = 50;

export class AnswerPanel implements vscode.Disposable {
  static readonly viewType = "grok.answer";
  private panel: vscode.WebviewPanel | undefined;
  private shown: Answer | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** Show `answer` (opening the panel beside the editor if needed) and render it soon. */
  show(answer: Answer): void {
    this.shown = answer;
    if (this.panel === undefined) {
      this.panel = vscode.window.createWebviewPanel(
        AnswerPanel.viewType,
        "Grok",
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, enableCommandUris: false, localResourceRoots: [] },
      );
      this.panel.webview.html = shell(this.panel.webview);
      this.panel.onDidDispose(() => {
        this.panel = undefined;
      });
      this.panel.webview.onDidReceiveMessage((message: { type?: string }) => {
        if (message.type === "ready") {
          this.render(); // what was posted before the page listened is lost: send it again
        } else if (message.type === "openTranscript" && this.shown?.transcript) {
          void vscode.window.showTextDocument(vscode.Uri.parse(this.shown.transcript), {
            preview: true,
            viewColumn: vscode.ViewColumn.Beside,
          });
        }
      });
    } else if (!this.panel.visible) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    }
    this.schedule();
  }

  /** Re-render if `answer` is the one on screen (a new delta or its end). */
  update(answer: Answer): void {
    if (this.shown?.token === answer.token) {
      this.schedule();
    }
  }

  isShowing(uri: string): boolean {
    return this.panel !== undefined && this.shown?.uri === uri;
  }

  private schedule(): void {
    if (this.timer !== undefined) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.render();
    }, RENDER_INTERVAL_MS);
  }

  private render(): void {
    const answer = this.shown;
    if (this.panel === undefined || answer === undefined) {
      return;
    }
    this.panel.title = `Grok: ${answer.title}`;
    void this.panel.webview.postMessage({
      type: "render",
      state: answer.state,
      header: headerHtml(answer),
      body: renderMarkdown(answer.content || (answer.reasoning ? "" : "…")),
      reasoning: answer.reasoning,
      footer: footerHtml(answer),
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.panel?.dispose();
  }
}

function headerHtml(answer: Answer): string {
  const file = decodeURIComponent(answer.uri.split("/").pop() ?? answer.uri);
  return `<span class="title">${escapeHtml(answer.title)}</span> <span class="file">${escapeHtml(file)}</span>`;
}

function footerHtml(answer: Answer): string {
  const parts: string[] = [];
  if (answer.state === "streaming") {
    parts.push(answer.content ? "Streaming…" : answer.reasoning ? "Thinking…" : "Waiting for Grok…");
  } else if (answer.state === "done") {
    parts.push(`Done${answer.model ? ` · ${escapeHtml(answer.model)}` : ""}`);
    if (answer.usage) {
      parts.push(escapeHtml(describeUsage(answer.usage)));
    }
    if (formatCost(answer.costUsd)) {
      parts.push(escapeHtml(formatCost(answer.costUsd)));
    }
  } else if (answer.state === "cancelled") {
    parts.push("Cancelled");
  } else {
    parts.push(`Failed${answer.error ? `: ${escapeHtml(answer.error)}` : ""}`);
  }
  if (answer.transcript) {
    parts.push('<a href="#" id="transcript">Open transcript</a>');
  }
  return parts.join(" · ");
}

function shell(webview: vscode.Webview): string {
  const nonce = Array.from({ length: 32 }, () => Math.floor(Math.random() * 36).toString(36)).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource} https: data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px 24px; line-height: 1.5; }
  header { position: sticky; top: 0; background: var(--vscode-editor-background); padding: 8px 0; border-bottom: 1px solid var(--vscode-panel-border); }
  header .title { font-weight: 600; }
  header .file, footer { color: var(--vscode-descriptionForeground); }
  footer { margin-top: 16px; font-size: 0.9em; }
  details.reasoning { color: var(--vscode-descriptionForeground); margin: 8px 0; white-space: pre-wrap; }
  pre.hljs { background: var(--vscode-textCodeBlock-background); padding: 8px 10px; overflow-x: auto; border-radius: 4px; }
  code { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  a { color: var(--vscode-textLink-foreground); }
  .hljs-keyword, .hljs-literal, .hljs-selector-tag { color: var(--vscode-symbolIcon-keywordForeground, #569cd6); }
  .hljs-string, .hljs-attr, .hljs-template-tag { color: var(--vscode-debugTokenExpression-string, #ce9178); }
  .hljs-number { color: var(--vscode-debugTokenExpression-number, #b5cea8); }
  .hljs-comment, .hljs-quote { color: var(--vscode-editorLineNumber-foreground, #6a9955); font-style: italic; }
  .hljs-title, .hljs-section { color: var(--vscode-symbolIcon-functionForeground, #dcdcaa); }
  .hljs-built_in, .hljs-type, .hljs-class { color: var(--vscode-symbolIcon-classForeground, #4ec9b0); }
  .hljs-variable, .hljs-params { color: var(--vscode-symbolIcon-variableForeground, #9cdcfe); }
</style>
</head>
<body>
<header id="header"></header>
<details class="reasoning" id="reasoning" hidden><summary>Reasoning</summary><div id="reasoning-text"></div></details>
<main id="answer" data-state="waiting"></main>
<footer id="footer"></footer>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  const byId = (id) => document.getElementById(id);
  window.addEventListener("message", (event) => {
    const message = event.data;
    if (message.type !== "render") return;
    const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 24;
    byId("header").innerHTML = message.header;
    byId("answer").innerHTML = message.body;
    byId("answer").dataset.state = message.state;
    byId("footer").innerHTML = message.footer;
    byId("reasoning").hidden = !message.reasoning;
    byId("reasoning-text").textContent = message.reasoning;
    const link = byId("transcript");
    if (link) link.addEventListener("click", (e) => { e.preventDefault(); vscode.postMessage({ type: "openTranscript" }); });
    if (atBottom) window.scrollTo(0, document.body.scrollHeight);
  });
  vscode.postMessage({ type: "ready" });
</script>
</body>
</html>`;
}
