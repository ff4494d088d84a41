/**
 * What a previewed edit (editMode "preview") would make of the document, for the diff editor.
 *
 * The server keeps the exact edit and applies it on `grok.applySuggestion`; this only
 * builds the right-hand side of the diff from the answer's code block, the same way:
 * the first fenced block, re-indented to the selection.
 */

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
