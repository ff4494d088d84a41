/** The language client: finds grok-lsp, starts it, keeps its settings current, runs commands. */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  ShowMessageRequest,
  State,
  WorkDoneProgress,
  WorkDoneProgressCancelNotification,
  DidChangeConfigurationNotification,
  MessageType,
} from "vscode-languageclient/node";

import { answerMessageRequest, type MessageActionItem } from "./messageActions";
import { progressText } from "./progress";
import { findPython, pythonCandidates, VERSION_PROBE } from "./python";
import {
  sameSettings,
  secretsChanged,
  serverEnvironment,
  serverSecrets,
  serverSettings,
  type ServerSecrets,
  type ServerSettings,
} from "./settings";
import { locateServer, type ServerResolution } from "./serverPath";

/** The secrets VS Code's secret storage holds for the server. */
export interface StoredSecrets {
  apiKey?: string;
  grokWebCookies?: string;
}

const PYTHON_PROBE_TIMEOUT_MS = 10_000;

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
  /** The Python extension's selected interpreter changed while the bundled server runs on it. */
  onPythonChange?(): void;
}

export class GrokClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** The settings the running server was initialized with (its capabilities follow them). */
  private initialSettings: ServerSettings | undefined;
  /** The settings the server last received, so that one change sends one message. */
  private sentSettings: ServerSettings | undefined;
  /** The secrets in the running server's environment. */
  private startedSecrets: ServerSecrets | undefined;
  /** Where the running server came from. */
  private startedFrom: ServerResolution | undefined;
  private pythonWatch: vscode.Disposable | undefined;
  readonly output: vscode.LogOutputChannel;

  constructor(
    private readonly storedSecrets: () => Promise<StoredSecrets>,
    private readonly extensionPath: string,
    private readonly events: ClientEvents,
  ) {
    this.output = vscode.window.createOutputChannel("Grok", { log: true });
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  locate(): Promise<ServerResolution> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === "file");
    const launcher = path.join(this.extensionPath, "bundled", "tool", "serve.py");
    return locateServer(
      {
        configured: config.get<string | null>("serverPath"),
        workspaceFolders: folders.map((folder) => folder.uri.fsPath),
        envPath: process.env.PATH ?? "",
        platform: process.platform,
        home: os.homedir(),
        isExecutableFile,
      },
      {
        launcher: fs.existsSync(launcher) ? launcher : undefined,
        findPython: async () =>
          findPython(pythonCandidates(await this.selectedPython(folders[0]?.uri), process.platform), probePython),
      },
    );
  }

  settings(): ServerSettings {
    return serverSettings(vscode.workspace.getConfiguration(SECTION));
  }

  async secrets(): Promise<ServerSecrets> {
    return serverSecrets(vscode.workspace.getConfiguration(SECTION), await this.storedSecrets());
  }

  /** Whether the running server's environment holds other secrets than the current ones. */
  async secretsChanged(): Promise<boolean> {
    return this.client !== undefined && secretsChanged(this.startedSecrets, await this.secrets());
  }

  /** Start grok-lsp; resolves with the problem when it cannot be started. */
  async start(): Promise<ServerResolution> {
    const located = await this.locate();
    if (!located.found) {
      this.output.error(located.message);
      this.events.onStateChange("failed");
      return located;
    }
    this.output.info(`Starting ${[located.command, ...located.args].join(" ")} (found via ${located.source})`);
    // The secrets go in the environment, never in a message a trace would show.
    const secrets = await this.secrets();
    const serverOptions: ServerOptions = {
      command: located.command,
      // stdio without TransportKind.stdio, which would append `--stdio` (grok-lsp has no such flag).
      args: located.args,
      options: { env: serverEnvironment(process.env, secrets) },
    };
    const initializationOptions = this.settings();
    this.initialSettings = initializationOptions;
    this.sentSettings = initializationOptions;
    this.startedSecrets = secrets;
    this.startedFrom = located;
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
            const settings = this.settings();
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
    // Replaces the client's default handler: the server's action buttons run our commands.
    client.onRequest(ShowMessageRequest.type, (params) =>
      answerMessageRequest(params, {
        show: (type, message, actions) => showMessage(type, message, actions),
        run: (action) => {
          void vscode.commands.executeCommand(action.command, ...action.args);
        },
      }),
    );
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
    this.startedSecrets = undefined;
    this.sentSettings = undefined;
    this.startedFrom = undefined;
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

  /** Send the current settings after a change of configuration, once, and only if they differ. */
  async pushSettings(): Promise<void> {
    const settings = this.settings();
    if (this.client !== undefined && this.running && !sameSettings(this.sentSettings, settings)) {
      this.sentSettings = settings;
      await this.client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SECTION]: settings },
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
          const message = value.kind !== "end" && value.message ? progressText(value.message) : "";
          if (message) {
            progress.report({ message });
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

  /** The interpreter selected in the Python extension, if it is installed (then watched). */
  private async selectedPython(resource: vscode.Uri | undefined): Promise<string | undefined> {
    const extension = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
    if (extension === undefined) {
      return undefined;
    }
    try {
      const api = extension.isActive ? extension.exports : await extension.activate();
      this.pythonWatch ??= api?.environments?.onDidChangeActiveEnvironmentPath?.(() => {
        if (this.startedFrom?.found && this.startedFrom.source === "bundled") {
          this.events.onPythonChange?.();
        }
      });
      const selected = api?.environments?.getActiveEnvironmentPath?.(resource)?.path;
      return typeof selected === "string" && selected ? selected : undefined;
    } catch {
      return undefined; // an older Python extension: PATH is searched instead
    }
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
    this.pythonWatch?.dispose();
    await this.stop();
    this.output.dispose();
  }
}

export class ServerUnavailable extends Error {
  constructor() {
    super("grok-lsp is not running");
  }
}

function showMessage<Item extends MessageActionItem>(
  type: number,
  message: string,
  actions: Item[],
): Thenable<Item | undefined> {
  if (type === MessageType.Error) {
    return vscode.window.showErrorMessage(message, ...actions);
  }
  if (type === MessageType.Warning) {
    return vscode.window.showWarningMessage(message, ...actions);
  }
  return vscode.window.showInformationMessage(message, ...actions);
}

/** The part of the Python extension's API used here (`environments`, since 2023). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): { path?: unknown } | undefined;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

/** A Python's "major.minor", or undefined when it does not run. */
function probePython(command: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, VERSION_PROBE, { timeout: PYTHON_PROBE_TIMEOUT_MS, windowsHide: true }, (error, stdout) =>
      resolve(error ? undefined : String(stdout).trim()),
    );
  });
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
