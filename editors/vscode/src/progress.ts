/**
 * The progress notification's text: one line, no code fences. VS Code shows a progress
 * message as it is, so an answer's tail with fences ("```python def …") would appear raw.
 * The server sends plain text; this only keeps fences out whatever a server version sends,
 * and leaves everything else alone (`**kwargs`, `__init__` and `# comments` are code).
 */

const FENCE = /(`{3,}|~{3,})[\w+#.-]*/g;

export function progressText(message: string): string {
  return message.replace(FENCE, " ").replace(/\s+/g, " ").trim();
}
