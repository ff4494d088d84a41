/**
 * The Ask Grok question box, with completion of `#file:` references (SPEC section 10).
 *
 * VS Code's input box cannot complete, so the question is typed into a quick pick whose
 * items are the workspace paths matching the `#file:` being typed; picking one completes
 * it and keeps the box open; Enter with no path offered sends the question.
 */
import * as vscode from "vscode";

import { completeReference, matchingPaths, partialReference } from "./references";

const EXCLUDE = "**/{node_modules,.git,.venv,venv,__pycache__,target,dist,build,.mypy_cache}/**";

/** Workspace-relative paths (forward slashes) of the folder that holds `uri`. */
async function workspacePaths(uri: vscode.Uri): Promise<string[]> {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) {
    return [];
  }
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, "**/*"), EXCLUDE, 5000);
  return found.map((file) => vscode.workspace.asRelativePath(file, false));
}

/** Ask for a question, completing `#file:` paths; undefined on Escape. */
export async function questionWithReferences(
  document: vscode.Uri,
  options: { title: string; prompt: string },
): Promise<string | undefined> {
  const box = vscode.window.createQuickPick<vscode.QuickPickItem>();
  box.title = options.title;
  box.placeholder = `${options.prompt} — #file:PATH, #file:PATH:L1-L2, #open and #diff add context`;
  box.ignoreFocusOut = true;
  box.matchOnDescription = false;
  let paths: string[] | undefined;
  const offer = async (value: string): Promise<void> => {
    const partial = partialReference(value);
    if (!partial) {
      box.items = [];
      return;
    }
    paths ??= await workspacePaths(document);
    if (box.value !== value) {
      return; // the user typed on while the paths were listed
    }
    // alwaysShow: the quick pick would otherwise filter paths by the whole question.
    box.items = matchingPaths(paths, partial.prefix).map((path) => ({
      label: path,
      description: "#file:",
      alwaysShow: true,
    }));
  };
  return new Promise((resolve) => {
    let answered = false;
    box.onDidChangeValue((value) => void offer(value));
    box.onDidAccept(() => {
      const picked = box.activeItems[0];
      if (picked && partialReference(box.value)) {
        box.value = completeReference(box.value, picked.label);
        box.items = [];
        return;
      }
      if (!box.value.trim()) {
        return; // a question is needed
      }
      answered = true;
      resolve(box.value);
      box.hide();
    });
    box.onDidHide(() => {
      if (!answered) {
        resolve(undefined);
      }
      box.dispose();
    });
    box.show();
  });
}
