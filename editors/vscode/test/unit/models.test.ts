import { describe, expect, it } from "vitest";

import { modelPicks } from "../../src/models";

describe("Grok: Select Model", () => {
  it("lists the models, then grok.modelAliases with their targets", () => {
    const picks = modelPicks(["grok-4.3", "grok-code-fast-1"], "grok-4.3", { fast: "grok-code-fast-1" }, "grok-4.3");
    expect(picks.map(({ label, description, value }) => ({ label, description, value }))).toEqual([
      { label: "grok-4.3", description: "current", value: "grok-4.3" },
      { label: "grok-code-fast-1", description: undefined, value: "grok-code-fast-1" },
      { label: "fast", description: "alias → grok-code-fast-1", value: "fast" },
    ]);
  });

  it("marks the alias in use as current, not the model it resolves to", () => {
    const picks = modelPicks(["grok-4.3", "grok-code-fast-1"], "grok-code-fast-1", { fast: "grok-code-fast-1" }, "fast");
    expect(picks.find((pick) => pick.label === "grok-code-fast-1")?.description).toBeUndefined();
    expect(picks.find((pick) => pick.label === "fast")?.description).toBe("alias → grok-code-fast-1 · current");
  });

  it("flags an alias whose target the API does not list, and skips malformed entries", () => {
    const picks = modelPicks(["grok-4.3"], "grok-4.3", { old: "grok-2", bad: 3 as unknown as string }, "grok-4.3");
    expect(picks.map((pick) => [pick.label, pick.description])).toEqual([
      ["grok-4.3", "current"],
      ["old", "alias → grok-2 · not listed by the API"],
    ]);
  });

  it("offers the aliases even when the provider lists no models", () => {
    expect(modelPicks([], "grok-4.3", { fast: "grok-code-fast-1" }).map((pick) => pick.value)).toEqual(["fast"]);
    expect(modelPicks([], "grok-4.3", undefined)).toEqual([]);
  });
});
