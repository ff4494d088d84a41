import { describe, expect, it } from "vitest";

import type { PythonSearch } from "../../src/python";
import { type BundledServer, INSTALL_HINT, locateServer, resolveServer, type ServerLookup } from "../../src/serverPath";

function lookup(executables: string[], overrides: Partial<ServerLookup> = {}): ServerLookup {
  const files = new Set(executables);
  return {
    configured: null,
    workspaceFolders: ["/work/project"],
    envPath: "/usr/local/bin:/usr/bin",
    platform: "linux",
    home: "/home/me",
    isExecutableFile: (candidate) => files.has(candidate),
    ...overrides,
  };
}

describe("resolveServer", () => {
  it("uses grok.serverPath, expanding ~ and ${workspaceFolder}", () => {
    expect(resolveServer(lookup(["/home/me/bin/grok-lsp"], { configured: "~/bin/grok-lsp" }))).toEqual({
      found: true,
      command: "/home/me/bin/grok-lsp",
      args: ["serve"],
      source: "setting",
    });
    const inFolder = lookup(["/work/project/tools/grok-lsp"], { configured: "${workspaceFolder}/tools/grok-lsp" });
    expect(resolveServer(inFolder)).toMatchObject({ found: true, command: "/work/project/tools/grok-lsp" });
  });

  it("says what is wrong with a grok.serverPath that is not executable, without searching further", () => {
    const result = resolveServer(lookup(["/usr/bin/grok-lsp"], { configured: "/nowhere/grok-lsp" }));
    expect(result).toEqual({
      found: false,
      message: `grok.serverPath is set to /nowhere/grok-lsp, which is not an executable file. ${INSTALL_HINT}`,
    });
  });

  it("prefers the workspace's virtualenv over PATH", () => {
    const result = resolveServer(lookup(["/work/project/.venv/bin/grok-lsp", "/usr/bin/grok-lsp"]));
    expect(result).toEqual({
      found: true,
      command: "/work/project/.venv/bin/grok-lsp",
      args: ["serve"],
      source: "virtualenv",
    });
  });

  it("falls back to PATH in order", () => {
    const result = resolveServer(lookup(["/usr/bin/grok-lsp"]));
    expect(result).toEqual({ found: true, command: "/usr/bin/grok-lsp", args: ["serve"], source: "PATH" });
  });

  it("finds Windows virtualenvs under Scripts with .exe", () => {
    const result = resolveServer(
      lookup(["C:\\p\\.venv\\Scripts\\grok-lsp.exe"], {
        platform: "win32",
        workspaceFolders: ["C:\\p"],
        envPath: "C:\\Windows",
      }),
    );
    expect(result).toMatchObject({ found: true, source: "virtualenv" });
  });

  it("explains how to install when nothing is found", () => {
    const result = resolveServer(lookup([]));
    expect(result.found).toBe(false);
    expect(!result.found && result.message).toContain("pipx install grok-lsp");
    expect(!result.found && result.message).toContain("grok.serverPath");
  });
});

describe("locateServer with the grok-lsp bundled in the .vsix", () => {
  const LAUNCHER = "/ext/bundled/tool/serve.py";
  const python311: PythonSearch = { found: true, python: { command: "python3", version: "3.11" } };
  const noPython: PythonSearch = { found: false, tried: ["python3: Python 3.8", "python: not found or did not run"] };

  /** `withLauncher` false: a build that carries no bundled server. */
  function bundled(search: PythonSearch, withLauncher = true) {
    const asked: string[] = [];
    const server: BundledServer = {
      launcher: withLauncher ? LAUNCHER : undefined,
      findPython: async () => {
        asked.push("python");
        return search;
      },
    };
    return { server, asked };
  }

  it("runs the bundled server with the user's Python when no setting or virtualenv names one", async () => {
    const { server } = bundled(python311);
    expect(await locateServer(lookup(["/usr/bin/grok-lsp"]), server)).toEqual({
      found: true,
      command: "python3",
      args: [LAUNCHER, "serve"],
      source: "bundled",
    });
  });

  it("lets grok.serverPath and the workspace's virtualenv win, without looking for Python", async () => {
    const { server, asked } = bundled(python311);
    expect(await locateServer(lookup(["/x/grok-lsp"], { configured: "/x/grok-lsp" }), server)).toMatchObject({
      source: "setting",
    });
    expect(await locateServer(lookup(["/work/project/.venv/bin/grok-lsp"]), server)).toMatchObject({
      source: "virtualenv",
    });
    expect(await locateServer(lookup([], { configured: "/nowhere" }), server)).toMatchObject({ found: false });
    expect(asked).toEqual([]);
  });

  it("falls back to grok-lsp on PATH when no Python qualifies", async () => {
    const { server } = bundled(noPython);
    expect(await locateServer(lookup(["/usr/bin/grok-lsp"]), server)).toMatchObject({ source: "PATH" });
  });

  it("says which Pythons it found and what to do when none qualifies", async () => {
    const { server } = bundled(noPython);
    const result = await locateServer(lookup([]), server);
    expect(result.found).toBe(false);
    const message = result.found ? "" : result.message;
    expect(message).toContain("Python 3.10 or newer");
    expect(message).toContain("python3: Python 3.8");
    expect(message).toContain("Python: Select Interpreter");
    expect(message).toContain("grok.serverPath");
  });

  it("searches PATH as before in a build without the bundled server", async () => {
    const { server, asked } = bundled(python311, false);
    expect(await locateServer(lookup(["/usr/bin/grok-lsp"]), server)).toMatchObject({ source: "PATH" });
    expect(await locateServer(lookup([]), server)).toMatchObject({ found: false });
    expect(asked).toEqual([]);
  });
});
