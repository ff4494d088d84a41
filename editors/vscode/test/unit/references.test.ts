import { describe, expect, it } from "vitest";

import { completeReference, matchingPaths, partialReference } from "../../src/references";

describe("#file: completion in the question box", () => {
  it("finds the reference being typed at the end only", () => {
    expect(partialReference("why is this None? #file:lib/ut")).toEqual({ start: 24, prefix: "lib/ut" });
    expect(partialReference("#file:")).toEqual({ start: 6, prefix: "" });
    expect(partialReference("see #file:a.py and more")).toBeUndefined();
    expect(partialReference("issue #12")).toBeUndefined();
    expect(partialReference("a#file:x")).toBeUndefined();
  });

  it("completes the path and leaves a space to go on typing", () => {
    expect(completeReference("explain #file:lib/ut", "lib/util.py")).toBe("explain #file:lib/util.py ");
    expect(completeReference("no reference", "x.py")).toBe("no reference");
  });

  it("offers paths that start with the prefix, then by file name, then containing it", () => {
    const paths = ["src/app/util.ts", "lib/util.py", "lib/other.py", "docs/utilities.md", "tools/x.py"];
    expect(matchingPaths(paths, "lib/")).toEqual(["lib/util.py", "lib/other.py"]);
    expect(matchingPaths(paths, "util")).toEqual(["lib/util.py", "src/app/util.ts", "docs/utilities.md"]);
    expect(matchingPaths(paths, "", 2)).toHaveLength(2);
    expect(matchingPaths(paths, "nothing")).toEqual([]);
  });
});
