import { describe, expect, it } from "vitest";

import { progressText } from "../../src/progress";

describe("progressText", () => {
  it("drops code fences and their language, keeping the code", () => {
    expect(progressText("Here it is:\n```python\ndef area(w, h):\n    return w * h\n```")).toBe(
      "Here it is: def area(w, h): return w * h",
    );
    expect(progressText("~~~js const x = 1;")).toBe("const x = 1;");
  });

  it("drops headings, bold and inline code markers", () => {
    expect(progressText("## Explanation of sample.py\nThe **area** of `w` and `h`.")).toBe(
      "Explanation of sample.py The area of w and h.",
    );
  });

  it("leaves plain text (and arithmetic) alone", () => {
    expect(progressText("Thinking…")).toBe("Thinking…");
    expect(progressText("returns width * height for #3")).toBe("returns width * height for #3");
  });
});
