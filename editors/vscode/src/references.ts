/** `#file:` references (SPEC section 10) being typed in a question: what to offer, how to complete. */
/** A `#file:` reference being typed at the end of the text. */
export interface PartialReference {
  /** Where the path starts (just after `#file:`). */
  start: number;
  /** What has been typed of the path so far. */
  prefix: string;
}

const TRAILING_REFERENCE = /(?:^|[^\w#])#file:(\S*)$/;

/** The `#file:` being typed at the end of `text`, if any. */
export function partialReference(text: string): PartialReference | undefined {
  const found = TRAILING_REFERENCE.exec(text);
  if (!found) {
    return undefined;
  }
  const prefix = found[1];
  return { start: text.length - prefix.length, prefix };
}

/** `text` with the reference being typed completed to `path`, and a space to go on typing. */
export function completeReference(text: string, path: string): string {
  const partial = partialReference(text);
  return partial ? `${text.slice(0, partial.start)}${path} ` : text;
}

/**
 * The workspace paths worth offering for `prefix`, best first: those that start with it,
 * then those whose file name starts with it, then those that contain it; shorter first.
 */
export function matchingPaths(paths: readonly string[], prefix: string, limit = 50): string[] {
  const wanted = prefix.toLowerCase();
  const rank = (path: string): number => {
    const lower = path.toLowerCase();
    const name = lower.slice(lower.lastIndexOf("/") + 1);
    if (lower.startsWith(wanted)) return 0;
    if (name.startsWith(wanted)) return 1;
    return lower.includes(wanted) ? 2 : 3;
  };
  return paths
    .map((path) => ({ path, rank: rank(path) }))
    .filter(({ rank }) => rank < 3)
    .sort((a, b) => a.rank - b.rank || a.path.length - b.path.length || a.path.localeCompare(b.path))
    .slice(0, limit)
    .map(({ path }) => path);
}
