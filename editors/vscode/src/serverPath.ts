/**
 * Where grok-lsp is: the grok.serverPath setting, else the workspace's virtualenv, else the
 * copy bundled in the .vsix run by the user's Python, else a grok-lsp on PATH.
 */
import * as path from "path";

import type { PythonSearch } from "./python";

export interface ServerLookup {
  /** The grok.serverPath setting, if any. */
  configured?: string | null;
  /** Workspace folders' file system paths, first folder first. */
  workspaceFolders: readonly string[];
  /** The PATH environment variable. */
  envPath: string;
  platform: NodeJS.Platform;
  home: string;
  isExecutableFile(candidate: string): boolean;
}

export type ServerSource = "setting" | "virtualenv" | "bundled" | "PATH";

export type ServerResolution =
  | { found: true; command: string; args: string[]; source: ServerSource }
  | { found: false; message: string };

/** The grok-lsp inside the .vsix (bundled/libs) and its launcher script. */
export interface BundledServer {
  /** bundled/tool/serve.py, or undefined when this build carries no bundled server. */
  launcher: string | undefined;
  /** Looked for only when the setting and the virtualenv found nothing. */
  findPython(): Promise<PythonSearch>;
}

export const SERVE = ["serve"];

export const VIRTUALENV_DIRS = [".venv", "venv", "env"];

export const INSTALL_HINT =
  "Install it with `pipx install grok-lsp` (or `pip install grok-lsp` inside the workspace's .venv), " +
  "or set `grok.serverPath` to the grok-lsp executable, then run `Grok: Restart Server`.";

/** The whole search, in order; the bundled server needs a Python, looked for only when reached. */
export async function locateServer(lookup: ServerLookup, bundled: BundledServer): Promise<ServerResolution> {
  const chosen = resolveServer(lookup, { includePath: false });
  if (chosen.found || lookup.configured?.trim()) {
    return chosen;
  }
  let noPython = "";
  if (bundled.launcher !== undefined) {
    const search = await bundled.findPython();
    if (search.found) {
      return { found: true, command: search.python.command, args: [bundled.launcher, ...SERVE], source: "bundled" };
    }
    noPython =
      `Grok's bundled server needs Python 3.10 or newer, and none was found (${search.tried.join("; ")}). ` +
      "Install Python 3.10+ (with the Python extension installed, select it with 'Python: Select Interpreter'), " +
      "or set `grok.serverPath` to a grok-lsp executable, then run `Grok: Restart Server`.";
  }
  const onPath = resolveServer(lookup, { includePath: true });
  if (onPath.found || !noPython) {
    return onPath;
  }
  return { found: false, message: noPython };
}

export function resolveServer(
  lookup: ServerLookup,
  { includePath }: { includePath: boolean } = { includePath: true },
): ServerResolution {
  const configured = lookup.configured?.trim();
  if (configured) {
    const command = expand(configured, lookup);
    if (lookup.isExecutableFile(command)) {
      return { found: true, command, args: SERVE, source: "setting" };
    }
    return {
      found: false,
      message: `grok.serverPath is set to ${command}, which is not an executable file. ${INSTALL_HINT}`,
    };
  }
  const windows = lookup.platform === "win32";
  const names = windows ? ["grok-lsp.exe", "grok-lsp.cmd", "grok-lsp"] : ["grok-lsp"];
  const join = windows ? path.win32.join : path.posix.join;
  for (const folder of lookup.workspaceFolders) {
    for (const venv of VIRTUALENV_DIRS) {
      for (const name of names) {
        const candidate = join(folder, venv, windows ? "Scripts" : "bin", name);
        if (lookup.isExecutableFile(candidate)) {
          return { found: true, command: candidate, args: SERVE, source: "virtualenv" };
        }
      }
    }
  }
  const delimiter = windows ? ";" : ":";
  const pathDirs = includePath ? lookup.envPath.split(delimiter).filter(Boolean) : [];
  for (const dir of pathDirs) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (lookup.isExecutableFile(candidate)) {
        return { found: true, command: candidate, args: SERVE, source: "PATH" };
      }
    }
  }
  return {
    found: false,
    message: `grok-lsp was not found in the workspace's virtualenv or on PATH. ${INSTALL_HINT}`,
  };
}

function expand(value: string, lookup: ServerLookup): string {
  let result = value;
  const folder = lookup.workspaceFolders[0];
  if (folder !== undefined) {
    result = result.split("${workspaceFolder}").join(folder);
  }
  if (result === "~" || result.startsWith("~/")) {
    result = lookup.home + result.slice(1);
  }
  return result;
}
