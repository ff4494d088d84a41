/**
 * The user's Python for the grok-lsp bundled in the .vsix: the Python extension's
 * interpreter when there is one, else python3 / python on PATH; the first that is 3.10
 * or newer wins.
 */

export const MINIMUM_PYTHON: readonly [number, number] = [3, 10];

/** Prints "major.minor" (any Python can run it, so an old one still reports its version). */
export const VERSION_PROBE = ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"];

export interface PythonFound {
  command: string;
  version: string;
}

export type PythonSearch =
  | { found: true; python: PythonFound }
  | { found: false; tried: string[] };

/** Candidates in order: the selected interpreter first, then PATH's names for Python 3. */
export function pythonCandidates(selected: string | undefined, platform: NodeJS.Platform): string[] {
  const names = platform === "win32" ? ["python", "python3"] : ["python3", "python"];
  return [...(selected ? [selected] : []), ...names.filter((name) => name !== selected)];
}

export function qualifies(version: string): boolean {
  const match = /^(\d+)\.(\d+)$/.exec(version.trim());
  if (match === null) {
    return false;
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > MINIMUM_PYTHON[0] || (major === MINIMUM_PYTHON[0] && minor >= MINIMUM_PYTHON[1]);
}

/** The first candidate that qualifies; else what each one was, for the error message. */
export async function findPython(
  candidates: readonly string[],
  probe: (command: string) => Promise<string | undefined>,
): Promise<PythonSearch> {
  const tried: string[] = [];
  for (const command of candidates) {
    const version = (await probe(command))?.trim();
    if (version !== undefined && qualifies(version)) {
      return { found: true, python: { command, version } };
    }
    tried.push(version === undefined ? `${command}: not found or did not run` : `${command}: Python ${version}`);
  }
  return { found: false, tried };
}
