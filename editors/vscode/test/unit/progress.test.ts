import { describe, expect, it } from "vitest";

import { progressText } from "../../src/progress";

describe("progressText", () => {
  it("drops code fences and their language, keeping the code, on one line", () => {
    expect(progressText("Here it is:\n```python\ndef area(w, h):\n    return w * h\n```")).toBe(
      "Here it is: def area(w, h): return w * h",
    );
    expect(progressText("~~~js const x = 1;")).toBe("const x = 1;");
  });

  it("leaves plain text and code alone", () => {
    expect(progressText("Thinking…")).toBe("Thinking…");
    expect(progressText("def __init__(self, *args, **kwargs):  # set up")).toBe(
      "def __init__(self, *args, **kwargs): # set up",
    );
    expect(progressText("`x` is width * height")).toBe("`x` is width * height");
  });
});
