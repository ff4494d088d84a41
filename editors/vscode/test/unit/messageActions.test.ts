import { describe, expect, it } from "vitest";

import { type LocalAction, type MessageActionItem, answerMessageRequest } from "../../src/messageActions";

const ERROR = 1;

/** A message UI that picks `choice` (undefined: the user closed the message) and records what ran. */
function ui(choice: string | undefined) {
  const ran: LocalAction[] = [];
  const shown: { type: number; message: string; titles: string[] }[] = [];
  return {
    ran,
    shown,
    show: async (type: number, message: string, actions: MessageActionItem[]) => {
      shown.push({ type, message, titles: actions.map((action) => action.title) });
      return actions.find((action) => action.title === choice);
    },
    run: (action: LocalAction) => {
      ran.push(action);
    },
  };
}

function request(title: string) {
  return { type: ERROR, message: "Grok: the API key was rejected (HTTP 400).", actions: [{ title }] };
}

describe("the server's action buttons", () => {
  it("runs Grok: Set API Key for 'Set API Key' and tells the server nothing is left to do", async () => {
    const fake = ui("Set API Key");
    expect(await answerMessageRequest(request("Set API Key"), fake)).toBeNull();
    expect(fake.ran).toEqual([{ command: "grok.setApiKey", args: [] }]);
    expect(fake.shown).toEqual([
      { type: ERROR, message: "Grok: the API key was rejected (HTTP 400).", titles: ["Set API Key"] },
    ]);
  });

  it("opens the settings filtered to grok for 'Open Settings'", async () => {
    const fake = ui("Open Settings");
    expect(await answerMessageRequest(request("Open Settings"), fake)).toBeNull();
    expect(fake.ran).toEqual([{ command: "workbench.action.openSettings", args: ["grok."] }]);
  });

  it("returns 'Sign in to grok.com' and 'Retry' to the server, which acts on them", async () => {
    for (const title of ["Sign in to grok.com", "Retry"]) {
      const fake = ui(title);
      expect(await answerMessageRequest(request(title), fake)).toEqual({ title });
      expect(fake.ran).toEqual([]);
    }
  });

  it("answers null when the message is closed, so the server never waits", async () => {
    const fake = ui(undefined);
    expect(await answerMessageRequest(request("Set API Key"), fake)).toBeNull();
    expect(await answerMessageRequest({ type: ERROR, message: "no buttons" }, fake)).toBeNull();
    expect(fake.ran).toEqual([]);
  });

  it("does not treat a title that merely resembles one as a command (e.g. 'toString')", async () => {
    const fake = ui("toString");
    expect(await answerMessageRequest(request("toString"), fake)).toEqual({ title: "toString" });
    expect(fake.ran).toEqual([]);
  });
});
