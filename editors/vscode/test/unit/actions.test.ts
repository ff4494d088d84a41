import { describe, expect, it } from "vitest";

import { actionArgument, actionPicks, configuredActions, needsInput, routeCommand } from "../../src/actions";

const RANGE = { start: { line: 3, character: 0 }, end: { line: 5, character: 0 } };

describe("Grok: Run Action…", () => {
  const setting = [
    { id: "why", title: "Why?", prompt: "{input}: why would {path} need {selection}" },
    { id: "ren", title: "Rename x", prompt: "rename x to width", result: "edit" },
    { id: "broken" },
    { id: "why", title: "Duplicate", prompt: "ignored" },
    "nonsense",
  ];

  it("offers the well-formed actions (the server names the broken ones)", () => {
    expect(configuredActions(setting).map((action) => action.id)).toEqual(["why", "ren"]);
    expect(configuredActions(undefined)).toEqual([]);
    expect(configuredActions({ id: "x" })).toEqual([]);
  });

  it("picks by title, saying whether the action explains or edits", () => {
    const picks = actionPicks(configuredActions(setting));
    expect(picks.map(({ label, description, detail }) => ({ label, description, detail }))).toEqual([
      { label: "Why?", description: "explains", detail: "{input}: why would {path} need {selection}" },
      { label: "Rename x", description: "edits the selection", detail: "rename x to width" },
    ]);
    expect(picks[1].action.result).toBe("edit");
  });

  it("asks for input only when the prompt has {input}", () => {
    const [why, ren] = configuredActions(setting);
    expect(needsInput(why)).toBe(true);
    expect(needsInput(ren)).toBe(false);
  });

  it("builds grok.action's argument, with the input only when there is one", () => {
    expect(actionArgument({ id: "why" }, "file:///w/a.py", RANGE, "Tell me")).toEqual({
      id: "why",
      uri: "file:///w/a.py",
      range: RANGE,
      input: "Tell me",
    });
    expect(actionArgument({ id: "ren" }, "file:///w/a.py", RANGE)).toEqual({
      id: "ren",
      uri: "file:///w/a.py",
      range: RANGE,
    });
    expect(actionArgument({ id: "why" }, "file:///w/a.py", RANGE, "")).toHaveProperty("input", "");
  });
});

describe("code actions run by the extension", () => {
  const MODELS = { "grok.explain": "Explain", "grok.refactor": "Refactor" };
  const actions = configuredActions([
    { id: "why", title: "Why?", prompt: "{input}: why {selection}" },
    { id: "ren", title: "Rename x", prompt: "rename x", result: "edit" },
  ]);
  const uri = "file:///w/a.py";

  it("runs the model commands itself (panel, progress, preview)", () => {
    expect(routeCommand("grok.refactor", [{ uri, range: RANGE }], MODELS, actions)).toEqual({
      kind: "model",
      command: "grok.refactor",
      title: "Refactor",
      uri,
      range: RANGE,
    });
  });

  it("runs a user action by its id, so that an {input} prompt asks first", () => {
    const route = routeCommand("grok.action", [{ id: "why", uri, range: RANGE }], MODELS, actions);
    expect(route).toMatchObject({ kind: "action", action: { id: "why", title: "Why?" }, uri, range: RANGE });
    expect(route).not.toHaveProperty("input");
    expect(routeCommand("grok.action", [{ id: "why", uri, range: RANGE, input: "Hi" }], MODELS, actions)).toHaveProperty(
      "input",
      "Hi",
    );
  });

  it("notices a suggestion applied from its code action, and passes everything else on", () => {
    expect(routeCommand("grok.applySuggestion", [{ uri, id: "abc" }], MODELS, actions)).toEqual({ kind: "applied", id: "abc" });
    expect(routeCommand("grok.action", [{ id: "gone", uri, range: RANGE }], MODELS, actions)).toBeUndefined();
    expect(routeCommand("grok.models", [{}], MODELS, actions)).toBeUndefined();
    expect(routeCommand("grok.explain", [{ uri }], MODELS, actions)).toBeUndefined(); // no range
    expect(routeCommand("grok.explain", [], MODELS, actions)).toBeUndefined();
    expect(routeCommand("toString", [{ uri, range: RANGE }], MODELS, actions)).toBeUndefined();
  });
});
