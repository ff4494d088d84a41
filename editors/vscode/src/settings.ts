/**
 * The settings object grok-lsp reads (SPEC section 3), built from VS Code's `grok` section.
 *
 * The same object goes out as initializationOptions, as the answer to
 * workspace/configuration and in workspace/didChangeConfiguration, so the server always
 * sees one consistent picture. Extension-only settings (serverPath, trace) stay here.
 *
 * Secrets never travel in it: a trace of the LSP messages would show them. The API key
 * and the grok.com cookies reach the server in its environment (see `serverSecrets`).
 */

/** Keys the server knows; anything else would be reported by the server as unknown. */
export const SERVER_SETTING_KEYS = [
  "baseUrl",
  "model",
  "modelAliases",
  "api",
  "reasoningEffort",
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
  "inlineCompletion",
  "context",
] as const;

export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];

/** Settings whose "unset" is null: sent as null so that clearing one takes effect on change. */
const NULLABLE: ReadonlySet<ServerSettingKey> = new Set([
  "baseUrl",
  "reasoningEffort",
  "temperature",
  "maxTokens",
  "maxContextTokens",
]);

/** What VS Code's WorkspaceConfiguration offers, reduced to what this module needs. */
export interface SettingsSource {
  get(key: string): unknown;
}

export type ServerSettings = { [key: string]: unknown; streamNotifications: true; commandResult: "answer" };

/**
 * The server's settings object: no secret in it, whatever the user configured.
 *
 * `streamNotifications` is always on because the answer panel renders `grok/stream`;
 * `commandResult` "answer" because the panel, the status bar and the preview use the
 * command's finished answer (the server's default for VS Code too, said here for forks
 * whose clientInfo it does not know).
 */
export function serverSettings(source: SettingsSource): ServerSettings {
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
  return { ...settings, streamNotifications: true, commandResult: "answer" };
}

/** The server process's environment variables that carry the secrets (SPEC section 2). */
export interface ServerSecrets {
  XAI_API_KEY?: string;
  GROK_WEB_COOKIES?: string;
}

/**
 * The secrets for the server's environment: what the secret store holds wins over the
 * (discouraged) `grok.apiKey` and `grok.grokWebCookies` settings.
 */
export function serverSecrets(
  source: SettingsSource,
  stored: { apiKey?: string; grokWebCookies?: string },
): ServerSecrets {
  const secrets: ServerSecrets = {};
  const apiKey = nonEmpty(stored.apiKey) ?? nonEmpty(source.get("apiKey"));
  const cookies = nonEmpty(stored.grokWebCookies) ?? nonEmpty(source.get("grokWebCookies"));
  if (apiKey !== undefined) {
    secrets.XAI_API_KEY = apiKey;
  }
  if (cookies !== undefined) {
    secrets.GROK_WEB_COOKIES = cookies;
  }
  return secrets;
}

/**
 * The environment of a new server: the editor's own (so a key exported in the shell that
 * started VS Code still works) with the extension's secrets on top.
 */
export function serverEnvironment(
  base: NodeJS.ProcessEnv,
  secrets: ServerSecrets,
): NodeJS.ProcessEnv {
  return { ...base, ...secrets };
}

/** Whether two sets of secrets differ (then the server must restart to get the new ones). */
export function secretsChanged(started: ServerSecrets | undefined, next: ServerSecrets): boolean {
  return (
    started !== undefined &&
    (started.XAI_API_KEY !== next.XAI_API_KEY || started.GROK_WEB_COOKIES !== next.GROK_WEB_COOKIES)
  );
}

/** Whether settings differ in what the server would see (so one change sends one message). */
export function sameSettings(a: ServerSettings | undefined, b: ServerSettings): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
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
