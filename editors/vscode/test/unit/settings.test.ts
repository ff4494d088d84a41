import { describe, expect, it } from "vitest";

import {
  SERVER_SETTING_KEYS,
  needsRestart,
  sameSettings,
  secretsChanged,
  serverEnvironment,
  serverSecrets,
  serverSettings,
} from "../../src/settings";

function source(values: Record<string, unknown>) {
  return { get: (key: string) => values[key] };
}

const DEFAULTS = {
  baseUrl: null,
  model: "grok-4.3",
  modelAliases: {},
  api: "responses",
  reasoningEffort: null,
  temperature: null,
  maxTokens: null,
  timeoutSeconds: 900,
  contextLines: 30,
  maxContextTokens: null,
  progressIntervalMs: 50,
  resultDisplay: "document",
  editMode: "apply",
  actions: [],
  provider: "xai",
  inlineCompletion: { enabled: false },
  context: {},
};

describe("serverSettings", () => {
  it("sends every SPEC setting, grok/stream notifications on and the finished answer asked for", () => {
    const settings = serverSettings(source({ ...DEFAULTS, serverPath: "/x/grok-lsp", trace: {} }));
    expect(settings).toEqual({ ...DEFAULTS, streamNotifications: true, commandResult: "answer" });
    expect(Object.keys(settings).sort()).toEqual(
      [...SERVER_SETTING_KEYS, "streamNotifications", "commandResult"].sort(),
    );
  });

  it("leaves extension-only settings out, so the server never warns about them", () => {
    const settings = serverSettings(source({ ...DEFAULTS, serverPath: "/x", "trace.server": "off" }));
    expect(settings).not.toHaveProperty("serverPath");
    expect(settings).not.toHaveProperty("trace.server");
  });

  it("sends a cleared nullable setting as null so that the server forgets the old value", () => {
    const settings = serverSettings(source({ ...DEFAULTS, baseUrl: "", maxTokens: undefined }));
    expect(settings.baseUrl).toBeNull();
    expect(settings.maxTokens).toBeNull();
  });

  it("drops null members of inlineCompletion (the server's types have no null there)", () => {
    const settings = serverSettings(
      source({ ...DEFAULTS, inlineCompletion: { enabled: true, model: null, debounceMs: 200 } }),
    );
    expect(settings.inlineCompletion).toEqual({ enabled: true, debounceMs: 200 });
  });
});

describe("secrets", () => {
  const configured = source({ ...DEFAULTS, apiKey: "xai-from-settings", grokWebCookies: "sso=from-settings" });

  it("never puts a secret in the settings object (a trace of the LSP messages would show it)", () => {
    const settings = serverSettings(configured);
    expect(settings).not.toHaveProperty("apiKey");
    expect(settings).not.toHaveProperty("grokWebCookies");
    expect(JSON.stringify(settings)).not.toMatch(/from-settings/);
  });

  it("gives them to the server in its environment, the secret store winning over the settings", () => {
    expect(serverSecrets(configured, {})).toEqual({
      XAI_API_KEY: "xai-from-settings",
      GROK_WEB_COOKIES: "sso=from-settings",
    });
    expect(serverSecrets(configured, { apiKey: "xai-stored", grokWebCookies: "sso=stored" })).toEqual({
      XAI_API_KEY: "xai-stored",
      GROK_WEB_COOKIES: "sso=stored",
    });
    expect(serverSecrets(source({ ...DEFAULTS, apiKey: " " }), {})).toEqual({});
  });

  it("keeps the editor's environment (a key exported in the shell still works) under its own", () => {
    const env = serverEnvironment({ PATH: "/bin", XAI_API_KEY: "from-shell" }, { GROK_WEB_COOKIES: "sso=x" });
    expect(env).toEqual({ PATH: "/bin", XAI_API_KEY: "from-shell", GROK_WEB_COOKIES: "sso=x" });
    expect(serverEnvironment({ XAI_API_KEY: "from-shell" }, { XAI_API_KEY: "stored" }).XAI_API_KEY).toBe("stored");
  });

  it("restarts the server only when a secret really changed", () => {
    const started = { XAI_API_KEY: "a" };
    expect(secretsChanged(started, { XAI_API_KEY: "a" })).toBe(false);
    expect(secretsChanged(started, { XAI_API_KEY: "b" })).toBe(true);
    expect(secretsChanged(started, {})).toBe(true); // cleared
    expect(secretsChanged(started, { XAI_API_KEY: "a", GROK_WEB_COOKIES: "sso=1" })).toBe(true);
    expect(secretsChanged(undefined, { XAI_API_KEY: "a" })).toBe(false); // not running
  });
});

describe("sending settings once per change", () => {
  it("sees no change when nothing the server reads changed", () => {
    const a = serverSettings(source(DEFAULTS));
    expect(sameSettings(a, serverSettings(source({ ...DEFAULTS, serverPath: "/elsewhere" })))).toBe(true);
    expect(sameSettings(a, serverSettings(source({ ...DEFAULTS, apiKey: "xai-new" })))).toBe(true);
    expect(sameSettings(a, serverSettings(source({ ...DEFAULTS, model: "grok-4-fast" })))).toBe(false);
    expect(sameSettings(undefined, a)).toBe(false);
  });
});

describe("inline completion", () => {
  const off = serverSettings(source(DEFAULTS));
  const on = serverSettings(source({ ...DEFAULTS, inlineCompletion: { enabled: true, debounceMs: 0, model: "fast" } }));

  it("reaches the server as initializationOptions.inlineCompletion", () => {
    expect(on.inlineCompletion).toEqual({ enabled: true, debounceMs: 0, model: "fast" });
  });

  it("restarts the server when turned on (the capability comes with initialize)", () => {
    expect(needsRestart(off, on)).toBe(true);
    expect(needsRestart(on, off)).toBe(false); // the server answers with nothing
    expect(needsRestart(on, { ...on, inlineCompletion: { enabled: true, debounceMs: 500 } })).toBe(false);
    expect(needsRestart(undefined, on)).toBe(false); // not running: the next start sends it
  });
});
