/**
 * The progress notification's text: plain, one line. VS Code shows a progress message as
 * it is, so Markdown from the answer's tail ("```python def …") would appear raw; the
 * server sends plain text, and this keeps it so whatever a server version sends.
 */

const FENCE = /(^|\s)(`{3,}|~{3,})[\w+#.-]*/g;
const HEADING = /(^|\n)\s{0,3}#{1,6}\s+/g;
const EMPHASIS = /(\*\*|__)(?=\S)|(?<=\S)(\*\*|__)/g;
const INLINE_CODE = /`([^`\n]*)`/g;

export function progressText(message: string): string {
  return message
    .replace(FENCE, "$1")
    .replace(HEADING, "$1")
    .replace(EMPHASIS, "")
    .replace(INLINE_CODE, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
