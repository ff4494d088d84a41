import { describe, expect, it } from "vitest";

import { actionArgument, actionPicks, configuredActions, needsInput } from "../../src/actions";

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
