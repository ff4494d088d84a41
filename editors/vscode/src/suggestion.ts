/**
 * What a previewed edit (editMode "preview") would make of the document, for the diff editor.
 *
 * The server keeps the exact edit and applies it on `grok.applySuggestion`; its result
 * carries that edit (`edit`, a WorkspaceEdit), which `applyWorkspaceEdit` plays on the
 * document's text. Only when it is missing (an old server, or a document changed under the
 * answer) is the right-hand side rebuilt from the answer's code block, the same way:
 * the first fenced block, re-indented to the selection.
 */

export interface LspPosition {
  line: number;
  character: number;
}

export interface LspTextEdit {
  range: { start: LspPosition; end: LspPosition };
  newText: string;
}

/** The parts of a WorkspaceEdit a suggestion uses: `documentChanges` or `changes`. */
export interface LspWorkspaceEdit {
  documentChanges?: Array<{ textDocument?: { uri: string; version?: number | null }; edits?: LspTextEdit[]; kind?: string }>;
  changes?: Record<string, LspTextEdit[]>;
}

/** Offsets (UTF-16, as JavaScript strings and LSP's default encoding) of each line's start. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) {
        i++;
      }
      starts.push(i + 1);
    } else if (c === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return starts;
}

function offsetOf(text: string, starts: number[], position: LspPosition): number {
  if (position.line >= starts.length) {
    return text.length;
  }
  const start = starts[position.line];
  const next = position.line + 1 < starts.length ? starts[position.line + 1] : text.length;
  // The line's end, before its line break: a character past it clamps there (LSP's rule).
  let end = next;
  while (end > start && (text[end - 1] === "\n" || text[end - 1] === "\r")) {
    end--;
  }
  return Math.min(start + position.character, end);
}

function sameUri(a: string, b: string): boolean {
  if (a === b) {
    return true;
  }
  try {
    return decodeURIComponent(a) === decodeURIComponent(b);
  } catch {
    return false;
  }
}

/** The text with LSP TextEdits applied (all relative to the original text, as LSP says). */
export function applyTextEdits(text: string, edits: readonly LspTextEdit[]): string {
  const starts = lineStarts(text);
  const located = edits
    .map((edit, index) => ({
      start: offsetOf(text, starts, edit.range.start),
      end: offsetOf(text, starts, edit.range.end),
      newText: edit.newText,
      index,
    }))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.index - b.index);
  let out = "";
  let at = 0;
  for (const edit of located) {
    if (edit.start < at) {
      throw new Error("overlapping edits");
    }
    out += text.slice(at, edit.start) + edit.newText;
    at = edit.end;
  }
  return out + text.slice(at);
}

/** The document after the server's edit, or undefined when the edit is not for this document. */
export function applyWorkspaceEdit(
  documentText: string,
  documentUri: string,
  edit: LspWorkspaceEdit | undefined | null,
): string | undefined {
  if (!edit) {
    return undefined;
  }
  const edits: LspTextEdit[] = [];
  for (const change of edit.documentChanges ?? []) {
    if (change.kind !== undefined) {
      return undefined; // a file operation: not something a diff of one file can show
    }
    if (change.textDocument !== undefined && sameUri(change.textDocument.uri, documentUri)) {
      edits.push(...(change.edits ?? []));
    }
  }
  for (const [uri, changes] of Object.entries(edit.changes ?? {})) {
    if (sameUri(uri, documentUri)) {
      edits.push(...changes);
    }
  }
  if (!edits.length) {
    return undefined;
  }
  try {
    return applyTextEdits(documentText, edits);
  } catch {
    return undefined;
  }
}

/** The code of the answer's first fenced block (``` or ~~~), or undefined. */
export function extractCode(answer: string): string | undefined {
  const lines = answer.split(/\r?\n/);
  for (let start = 0; start < lines.length; start++) {
    const open = /^\s*(`{3,}|~{3,})/.exec(lines[start]);
    if (open === null) {
      continue;
    }
    const fence = open[1];
    for (let end = start + 1; end < lines.length; end++) {
      const trimmed = lines[end].trim();
      if (trimmed.startsWith(fence) && trimmed.replace(/[`~]/g, "") === "") {
        return lines.slice(start + 1, end).join("\n");
      }
    }
    return lines.slice(start + 1).join("\n");
  }
  return undefined;
}

/** The selected text replaced by `code`, keeping the selection's indentation and final newline. */
export function fitToSelection(code: string, selected: string, eol = "\n"): string {
  const selectedLines = selected.split(/\r?\n/);
  const base = indentOf(selectedLines.find((line) => line.trim() !== "") ?? "");
  let lines = code.split(/\r?\n/);
  const codeBase = Math.min(
    ...lines.filter((line) => line.trim() !== "").map((line) => indentOf(line).length),
  );
  if (Number.isFinite(codeBase)) {
    lines = lines.map((line) => (line.trim() === "" ? "" : base + line.slice(codeBase)));
  }
  // A selection that starts mid-line keeps the text before it: drop the first line's indent.
  if (!/^\s/.test(selected) && selected.trim() !== "" && lines.length > 0) {
    lines[0] = lines[0].trimStart();
  }
  let text = lines.join(eol);
  if (/\r?\n$/.test(selected) && !text.endsWith(eol)) {
    text += eol;
  } else if (!/\r?\n$/.test(selected) && text.endsWith(eol)) {
    text = text.slice(0, -eol.length);
  }
  return text;
}

/** The whole document with [start, end) replaced: what the diff editor shows on the right. */
export function proposedDocument(
  documentText: string,
  start: number,
  end: number,
  answer: string,
): string | undefined {
  const code = extractCode(answer);
  if (code === undefined) {
    return undefined;
  }
  const eol = documentText.includes("\r\n") ? "\r\n" : "\n";
  const selected = documentText.slice(start, end);
  return documentText.slice(0, start) + fitToSelection(code, selected, eol) + documentText.slice(end);
}

function indentOf(line: string): string {
  return /^\s*/.exec(line)?.[0] ?? "";
}
