import { describe, expect, it } from "vitest";

import { INSTALL_HINT, resolveServer, type ServerLookup } from "../../src/serverPath";

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
    expect(result).toEqual({ found: true, command: "/work/project/.venv/bin/grok-lsp", source: "virtualenv" });
  });

  it("falls back to PATH in order", () => {
    const result = resolveServer(lookup(["/usr/bin/grok-lsp"]));
    expect(result).toEqual({ found: true, command: "/usr/bin/grok-lsp", source: "PATH" });
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
