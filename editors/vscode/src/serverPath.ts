/** Where grok-lsp is: the grok.serverPath setting, else the workspace's virtualenv, else PATH. */
import * as path from "path";

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

export type ServerResolution =
  | { found: true; command: string; source: "setting" | "virtualenv" | "PATH" }
  | { found: false; message: string };

export const VIRTUALENV_DIRS = [".venv", "venv", "env"];

export const INSTALL_HINT =
  "Install it with `pipx install grok-lsp` (or `pip install grok-lsp` inside the workspace's .venv), " +
  "or set `grok.serverPath` to the grok-lsp executable, then run `Grok: Restart Server`.";

export function resolveServer(lookup: ServerLookup): ServerResolution {
  const configured = lookup.configured?.trim();
  if (configured) {
    const command = expand(configured, lookup);
    if (lookup.isExecutableFile(command)) {
      return { found: true, command, source: "setting" };
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
          return { found: true, command: candidate, source: "virtualenv" };
        }
      }
    }
  }
  const delimiter = windows ? ";" : ":";
  for (const dir of lookup.envPath.split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (lookup.isExecutableFile(candidate)) {
        return { found: true, command: candidate, source: "PATH" };
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
