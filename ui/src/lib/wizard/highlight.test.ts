import { describe, expect, it } from "vitest";
import { languageOf, tokenize } from "./highlight";

const join = (ts: { text: string }[]) => ts.map((t) => t.text).join("");

describe("highlight", () => {
  it("knows languages by extension", () => {
    expect(languageOf("aws/trust-policy.json")).toBe("json");
    expect(languageOf("aws/setup.sh")).toBe("shell");
    expect(languageOf("aws/cloudformation.yaml")).toBe("yaml");
    expect(languageOf("SUMMARY.md")).toBe("markdown");
    expect(languageOf("LICENSE")).toBe("text");
  });

  it("tokenizes JSON into keys, strings, numbers and punctuation, losslessly", () => {
    const src = '{\n  "Version": "2012-10-17",\n  "n": 3, "ok": true\n}\n';
    const ts = tokenize(src, "json");
    expect(join(ts)).toBe(src);
    expect(ts.find((t) => t.text === '"Version"')?.type).toBe("key");
    expect(ts.find((t) => t.text === '"2012-10-17"')?.type).toBe("string");
    expect(ts.find((t) => t.text === "3")?.type).toBe("number");
    expect(ts.find((t) => t.text === "true")?.type).toBe("literal");
  });

  it("tokenizes shell comments, strings, variables and keywords", () => {
    const src = "#!/bin/sh\nset -eu\nif [ \"$X\" = 'a' ]; then echo ${Y}; fi\n";
    const ts = tokenize(src, "shell");
    expect(join(ts)).toBe(src);
    expect(ts[0]).toEqual({ type: "comment", text: "#!/bin/sh" });
    expect(ts.filter((t) => t.type === "keyword").map((t) => t.text)).toEqual(["set", "if", "then", "echo", "fi"]);
    expect(ts.find((t) => t.text === "${Y}")?.type).toBe("variable");
  });

  it("keeps hostile text as plain text tokens (the page renders tokens as text, never HTML: invalid.e2e.mjs checks the DOM)", () => {
    const src = '<img src=x onerror=alert(1)>"<script>"';
    const ts = tokenize(src, "json");
    expect(join(ts)).toBe(src);
    for (const lang of ["yaml", "hcl", "python", "markdown", "text"] as const) {
      expect(join(tokenize(src + "\n# c\n", lang))).toBe(src + "\n# c\n");
    }
  });
});

describe("inlineCode", async () => {
  const { inlineCode } = await import("./highlight");
  it("splits backtick-quoted names out of a line", () => {
    expect(inlineCode("read `b<x>` (`s3:GetObject`)")).toEqual([
      { code: false, text: "read " },
      { code: true, text: "b<x>" },
      { code: false, text: " (" },
      { code: true, text: "s3:GetObject" },
      { code: false, text: ")" },
    ]);
  });
});
