import { describe, expect, it } from "vitest";

import { renderMarkdown } from "../../src/markdown";
import { applyTextEdits, applyWorkspaceEdit, extractCode, fitToSelection, proposedDocument } from "../../src/suggestion";

describe("renderMarkdown", () => {
  it("highlights fenced code by its language", () => {
    const html = renderMarkdown("Look:\n\n```python\ndef area(w, h):\n    return w * h\n```\n");
    expect(html).toContain('<pre class="hljs"><code class="language-python">');
    expect(html).toContain('<span class="hljs-keyword">def</span>');
  });

  it("escapes raw HTML from the answer", () => {
    const html = renderMarkdown("<script>alert(1)</script> and <b>bold</b>");
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
  });
});

describe("preview of a suggestion", () => {
  it("takes the first fenced block", () => {
    expect(extractCode("Here:\n```py\nx = 1\ny = 2\n```\nmore\n```\nz\n```")).toBe("x = 1\ny = 2");
    expect(extractCode("no code")).toBeUndefined();
  });

  it("re-indents the code to the selection and keeps its final newline", () => {
    expect(fitToSelection("return a + b", "    return a+b\n")).toBe("    return a + b\n");
    expect(fitToSelection("def f():\n    pass\n", "def f(): pass")).toBe("def f():\n    pass");
  });

  it("replaces only the selected part of the document", () => {
    const document = "import os\n\ndef area(w, h):\n    return w * h\n\nprint(area(2, 3))\n";
    const start = document.indexOf("def");
    const end = document.indexOf("\n\nprint") + 1;
    const answer = "Renamed.\n\n```python\ndef surface(w, h):\n    return w * h\n```\n";
    expect(proposedDocument(document, start, end, answer)).toBe(
      "import os\n\ndef surface(w, h):\n    return w * h\n\nprint(area(2, 3))\n",
    );
  });
});

describe("preview from the server's edit", () => {
  const uri = "file:///w/p.py";
  const document = "import os\n\ndef f(count):\n    return count\n\nprint(f(1))\n";
  // What grok.refactor returns as `edit` in preview mode: only the lines that change.
  const edit = {
    documentChanges: [
      {
        textDocument: { uri, version: 1 },
        edits: [
          { range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, newText: "def f(n):\n" },
          { range: { start: { line: 3, character: 0 }, end: { line: 4, character: 0 } }, newText: "    return n\n" },
        ],
      },
    ],
  };

  it("is exactly what Apply would make, whatever the answer's code block says", () => {
    expect(applyWorkspaceEdit(document, uri, edit)).toBe("import os\n\ndef f(n):\n    return n\n\nprint(f(1))\n");
  });

  it("applies edits given in any order against the original text, and `changes` too", () => {
    const reversed = { changes: { [uri]: [...edit.documentChanges[0].edits].reverse() } };
    expect(applyWorkspaceEdit(document, uri, reversed)).toBe("import os\n\ndef f(n):\n    return n\n\nprint(f(1))\n");
  });

  it("keeps CRLF and clamps a character past the end of the line", () => {
    const text = "a = 1\r\nb = 2\r\n";
    expect(
      applyTextEdits(text, [{ range: { start: { line: 1, character: 4 }, end: { line: 1, character: 99 } }, newText: "3" }]),
    ).toBe("a = 1\r\nb = 3\r\n");
  });

  it("counts characters in UTF-16, as LSP does by default", () => {
    const text = "s = '😀'; x = 1\n";
    const at = text.indexOf("x");
    expect(
      applyTextEdits(text, [{ range: { start: { line: 0, character: at }, end: { line: 0, character: at + 1 } }, newText: "y" }]),
    ).toBe("s = '😀'; y = 1\n");
  });

  it("falls back (undefined) when there is no edit for this document", () => {
    expect(applyWorkspaceEdit(document, uri, undefined)).toBeUndefined();
    expect(applyWorkspaceEdit(document, "file:///w/other.py", edit)).toBeUndefined();
    expect(applyWorkspaceEdit(document, uri, { documentChanges: [{ kind: "create" }] })).toBeUndefined();
  });
});
