/** Markdown to HTML for the answer panel, with highlighted code blocks and no raw HTML. */
import hljs from "highlight.js/lib/common";
import MarkdownIt from "markdown-it";

const markdown = new MarkdownIt({
  html: false,
  linkify: true,
  highlight(code: string, language: string): string {
    const name = language.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
    try {
      const result =
        name && hljs.getLanguage(name)
          ? hljs.highlight(code, { language: name, ignoreIllegals: true })
          : hljs.highlightAuto(code);
      return `<pre class="hljs"><code class="language-${escapeHtml(result.language ?? name)}">${result.value}</code></pre>`;
    } catch {
      return "";
    }
  },
});

export function renderMarkdown(text: string): string {
  return markdown.render(text);
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
