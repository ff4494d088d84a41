import { describe, expect, it } from "vitest";

import { SERVER_SETTING_KEYS, needsRestart, redacted, serverSettings } from "../../src/settings";

function source(values: Record<string, unknown>) {
  return { get: (key: string) => values[key] };
}

const DEFAULTS = {
  apiKey: null,
  baseUrl: null,
  model: "grok-4.3",
  modelAliases: {},
  temperature: 0,
  maxTokens: null,
  timeoutSeconds: 120,
  contextLines: 30,
  maxContextTokens: 12000,
  progressIntervalMs: 50,
  resultDisplay: "document",
  editMode: "apply",
  actions: [],
  provider: "xai",
  grokWebCookies: null,
  inlineCompletion: { enabled: false },
  context: {},
};

describe("serverSettings", () => {
  it("sends every SPEC setting and turns grok/stream notifications on", () => {
    const settings = serverSettings(source({ ...DEFAULTS, serverPath: "/x/grok-lsp", trace: {} }));
    expect(settings).toEqual({ ...DEFAULTS, streamNotifications: true });
    expect(Object.keys(settings).sort()).toEqual([...SERVER_SETTING_KEYS, "streamNotifications"].sort());
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

  it("lets the key from secret storage win over the discouraged setting", () => {
    expect(serverSettings(source({ ...DEFAULTS, apiKey: "from-settings" }), "from-secrets").apiKey).toBe(
      "from-secrets",
    );
    expect(serverSettings(source({ ...DEFAULTS, apiKey: "from-settings" })).apiKey).toBe("from-settings");
  });

  it("drops null members of inlineCompletion (the server's types have no null there)", () => {
    const settings = serverSettings(
      source({ ...DEFAULTS, inlineCompletion: { enabled: true, model: null, debounceMs: 200 } }),
    );
    expect(settings.inlineCompletion).toEqual({ enabled: true, debounceMs: 200 });
  });

  it("redacts secrets for logging", () => {
    const settings = serverSettings(source({ ...DEFAULTS, grokWebCookies: "sso=abc" }), "xai-secret");
    const shown = JSON.stringify(redacted(settings));
    expect(shown).not.toContain("xai-secret");
    expect(shown).not.toContain("sso=abc");
    expect(settings.apiKey).toBe("xai-secret");
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
