import { describe, expect, it } from "vitest";

import { findPython, pythonCandidates, qualifies } from "../../src/python";

describe("the user's Python for the bundled server", () => {
  it("tries the Python extension's interpreter first, then PATH", () => {
    expect(pythonCandidates("/env/bin/python", "linux")).toEqual(["/env/bin/python", "python3", "python"]);
    expect(pythonCandidates(undefined, "linux")).toEqual(["python3", "python"]);
    expect(pythonCandidates(undefined, "win32")).toEqual(["python", "python3"]);
    expect(pythonCandidates("python3", "linux")).toEqual(["python3", "python"]);
  });

  it("needs 3.10 or newer", () => {
    expect(qualifies("3.10")).toBe(true);
    expect(qualifies("3.13")).toBe(true);
    expect(qualifies("4.0")).toBe(true);
    expect(qualifies("3.9")).toBe(false);
    expect(qualifies("2.7")).toBe(false);
    expect(qualifies("")).toBe(false);
    expect(qualifies("Python 3.11")).toBe(false);
  });

  it("takes the first that qualifies and asks no further", async () => {
    const asked: string[] = [];
    const versions: Record<string, string | undefined> = { "/old/python": "3.8", python3: "3.12", python: "3.11" };
    const found = await findPython(["/old/python", "python3", "python"], async (command) => {
      asked.push(command);
      return versions[command];
    });
    expect(found).toEqual({ found: true, python: { command: "python3", version: "3.12" } });
    expect(asked).toEqual(["/old/python", "python3"]);
  });

  it("reports what each candidate was when none qualifies", async () => {
    const found = await findPython(["python3", "python"], async (command) => (command === "python3" ? "3.9" : undefined));
    expect(found).toEqual({ found: false, tried: ["python3: Python 3.9", "python: not found or did not run"] });
  });
});
