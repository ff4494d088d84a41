import { describe, expect, it } from "vitest";

import { renderMarkdown } from "../../src/markdown";
import { extractCode, fitToSelection, proposedDocument } from "../../src/suggestion";

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
