/**
 * The settings object grok-lsp reads (SPEC section 3), built from VS Code's `grok` section.
 *
 * The same object goes out as initializationOptions, as the answer to
 * workspace/configuration and in workspace/didChangeConfiguration, so the server always
 * sees one consistent picture. Extension-only settings (serverPath, trace) stay here.
 */

/** Keys the server knows; anything else would be reported by the server as unknown. */
export const SERVER_SETTING_KEYS = [
  "apiKey",
  "baseUrl",
  "model",
  "modelAliases",
  "temperature",
  "maxTokens",
  "timeoutSeconds",
  "contextLines",
  "maxContextTokens",
  "progressIntervalMs",
  "resultDisplay",
  "editMode",
  "actions",
  "provider",
  "grokWebCookies",
  "inlineCompletion",
  "context",
] as const;

export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];

/** Settings whose "unset" is null: sent as null so that clearing one takes effect on change. */
const NULLABLE: ReadonlySet<ServerSettingKey> = new Set([
  "apiKey",
  "baseUrl",
  "maxTokens",
  "grokWebCookies",
]);

/** What VS Code's WorkspaceConfiguration offers, reduced to what this module needs. */
export interface SettingsSource {
  get(key: string): unknown;
}

export type ServerSettings = { [key: string]: unknown; streamNotifications: true };

/**
 * The server's settings object.
 *
 * `apiKey` from the secret store wins over the (discouraged) `grok.apiKey` setting;
 * `streamNotifications` is always on because the answer panel renders `grok/stream`.
 */
export function serverSettings(source: SettingsSource, secretApiKey?: string): ServerSettings {
  const settings: { [key: string]: unknown } = {};
  for (const key of SERVER_SETTING_KEYS) {
    const value = source.get(key);
    if (NULLABLE.has(key)) {
      settings[key] = value === undefined || value === "" ? null : value;
    } else if (value !== undefined && value !== null) {
      settings[key] = value;
    }
  }
  if (isObject(settings.inlineCompletion)) {
    settings.inlineCompletion = withoutNulls(settings.inlineCompletion);
  }
  if (secretApiKey) {
    settings.apiKey = secretApiKey;
  }
  return { ...settings, streamNotifications: true };
}

/** The same object with every secret replaced, for logs and the output channel. */
export function redacted(settings: ServerSettings): ServerSettings {
  const copy: ServerSettings = { ...settings };
  for (const key of ["apiKey", "grokWebCookies"]) {
    if (copy[key]) {
      copy[key] = "<redacted>";
    }
  }
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
}

/** Whether inline completion is on in a settings object (the server reads `enabled`). */
export function inlineCompletionEnabled(settings: { [key: string]: unknown } | undefined): boolean {
  const inline = settings?.inlineCompletion;
  return isObject(inline) && inline.enabled === true;
}

/**
 * Whether the running server must be restarted for new settings to take effect: it
 * advertises `inlineCompletionProvider` only when started with inline completion on, so
 * turning it on needs a new `initialize` (turning it off does not: the server then
 * answers with no items, and stays up).
 */
export function needsRestart(started: ServerSettings | undefined, next: ServerSettings): boolean {
  return started !== undefined && !inlineCompletionEnabled(started) && inlineCompletionEnabled(next);
}
