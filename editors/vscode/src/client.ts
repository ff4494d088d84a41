/** The language client: finds grok-lsp, starts it, keeps its settings current, runs commands. */
import * as fs from "fs";
import * as os from "os";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  WorkDoneProgress,
  WorkDoneProgressCancelNotification,
  DidChangeConfigurationNotification,
} from "vscode-languageclient/node";

import { serverSettings, type ServerSettings } from "./settings";
import { resolveServer, type ServerResolution } from "./serverPath";

export const SECTION = "grok";

export interface ClientEvents {
  onStateChange(state: "starting" | "ready" | "stopped" | "failed"): void;
  onStream(params: unknown): void;
  /** A transcript the server wants shown; return true when the extension handled it. */
  onShowDocument(uri: string, takeFocus: boolean): boolean;
  /**
   * A server command run from VS Code (a code action): the extension may run it itself
   * (answer panel, progress, preview diff) and return its promise, or undefined to pass.
   */
  onExecuteCommand?(command: string, args: unknown[]): Promise<unknown> | undefined;
}

export class GrokClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** The settings the running server was initialized with (its capabilities follow them). */
  private initialSettings: ServerSettings | undefined;
  readonly output: vscode.LogOutputChannel;

  constructor(
    private readonly apiKey: () => Promise<string | undefined>,
    private readonly events: ClientEvents,
  ) {
    this.output = vscode.window.createOutputChannel("Grok", { log: true });
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  locate(): ServerResolution {
    const config = vscode.workspace.getConfiguration(SECTION);
    return resolveServer({
      configured: config.get<string | null>("serverPath"),
      workspaceFolders: (vscode.workspace.workspaceFolders ?? [])
        .filter((folder) => folder.uri.scheme === "file")
        .map((folder) => folder.uri.fsPath),
      envPath: process.env.PATH ?? "",
      platform: process.platform,
      home: os.homedir(),
      isExecutableFile,
    });
  }

  async settings(): Promise<ServerSettings> {
    return serverSettings(vscode.workspace.getConfiguration(SECTION), await this.apiKey());
  }

  /** Start grok-lsp; resolves with the problem when it cannot be started. */
  async start(): Promise<ServerResolution> {
    const located = this.locate();
    if (!located.found) {
      this.output.error(located.message);
      this.events.onStateChange("failed");
      return located;
    }
    this.output.info(`Starting ${located.command} (found via ${located.source})`);
    const key = await this.apiKey();
    const env = { ...process.env };
    if (key) {
      env.XAI_API_KEY = key;
    }
    const serverOptions: ServerOptions = {
      command: located.command,
      // stdio without TransportKind.stdio, which would append `--stdio` (grok-lsp has no such flag).
      args: ["serve"],
      options: { env },
    };
    const initializationOptions = await this.settings();
    this.initialSettings = initializationOptions;
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file" }, { scheme: "untitled" }],
      outputChannel: this.output,
      initializationOptions,
      middleware: {
        executeCommand: (command, args, next) =>
          this.events.onExecuteCommand?.(command, args) ?? next(command, args),
        workspace: {
          // The server pulls section "grok": answer with the same object as initializationOptions.
          configuration: async (params, token, next) => {
            const answers = await next(params, token);
            if (!Array.isArray(answers)) {
              return answers;
            }
            const settings = await this.settings();
            return params.items.map((item, index) =>
              item.section === SECTION ? settings : answers[index],
            );
          },
        },
        window: {
          showDocument: async (params, token, next) => {
            if (!params.external && this.events.onShowDocument(params.uri, params.takeFocus ?? false)) {
              return { success: true };
            }
            return next(params, token);
          },
        },
      },
    };
    const client = new LanguageClient("grok", "Grok", serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((change) => {
      if (change.newState === State.Running) {
        this.events.onStateChange("ready");
      } else if (change.newState === State.Starting) {
        this.events.onStateChange("starting");
      } else {
        this.events.onStateChange("stopped");
      }
    });
    client.onNotification("grok/stream", (params: unknown) => this.events.onStream(params));
    this.events.onStateChange("starting");
    try {
      await client.start();
    } catch (error) {
      this.events.onStateChange("failed");
      const message = `grok-lsp (${located.command}) failed to start: ${errorMessage(error)}`;
      this.output.error(message);
      return { found: false, message };
    }
    return located;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      await client.stop().catch((error: unknown) => this.output.warn(`stop: ${errorMessage(error)}`));
      await client.dispose().catch(() => undefined);
    }
  }

  async restart(): Promise<ServerResolution> {
    await this.stop();
    return this.start();
  }

  /** What the running server was started with (undefined when it is not running). */
  get startedWith(): ServerSettings | undefined {
    return this.client === undefined ? undefined : this.initialSettings;
  }

  /** Send the current settings (after a change of configuration or of the API key). */
  async pushSettings(): Promise<void> {
    if (this.client !== undefined && this.running) {
      await this.client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SECTION]: await this.settings() },
      });
    }
  }

  /** workspace/executeCommand with no progress of its own (models, conversation). */
  async execute<T>(command: string, argument: object): Promise<T> {
    const client = this.requireClient();
    return (await client.sendRequest(ExecuteCommandRequest.type, {
      command,
      arguments: [argument],
    })) as T;
  }

  /**
   * A model request under a cancellable progress notification fed by the server's
   * work-done progress; Cancel sends window/workDoneProgress/cancel for its token.
   */
  async executeWithProgress<T>(
    title: string,
    command: string,
    argument: object,
    token: string,
  ): Promise<T> {
    const client = this.requireClient();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Grok: ${title}`, cancellable: true },
      async (progress, cancellation) => {
        const listener = client.onProgress(WorkDoneProgress.type, token, (value) => {
          if (value.kind !== "end" && value.message) {
            progress.report({ message: value.message });
          }
        });
        const onCancel = cancellation.onCancellationRequested(() => {
          void client.sendNotification(WorkDoneProgressCancelNotification.type, { token });
        });
        try {
          return (await client.sendRequest(ExecuteCommandRequest.type, {
            command,
            arguments: [argument],
            workDoneToken: token,
          })) as T;
        } finally {
          listener.dispose();
          onCancel.dispose();
        }
      },
    );
  }

  protocolDiagnostics(diagnostics: readonly vscode.Diagnostic[]): Promise<unknown[]> {
    return this.requireClient().code2ProtocolConverter.asDiagnostics([...diagnostics]);
  }

  private requireClient(): LanguageClient {
    if (this.client === undefined || !this.running) {
      throw new ServerUnavailable();
    }
    return this.client;
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.output.dispose();
  }
}

export class ServerUnavailable extends Error {
  constructor() {
    super("grok-lsp is not running");
  }
}

function isExecutableFile(candidate: string): boolean {
  try {
    const stat = fs.statSync(candidate);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(candidate, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
