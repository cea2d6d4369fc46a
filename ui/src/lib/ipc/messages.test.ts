import { describe, expect, it } from "vitest";
import type { IpcError } from "./index";
import { describeError, isLiteralCode, MESSAGES } from "./messages";

const err = (code: IpcError["code"], message = `rust says ${code}`): IpcError => ({ code, message, field: null, fix: null });

describe("error messages", () => {
  it("words a code in our own words, and a field's problem in Rust's", () => {
    expect(describeError(err("aws.access_denied"))).toBe(MESSAGES["aws.access_denied"]);
    expect(describeError(err("gcp.permission_missing"))).toBe(MESSAGES["gcp.permission_missing"]);
    expect(describeError(err("validation.aws.account_id", "aws.account_id: must be 12 digits"))).toBe("aws.account_id: must be 12 digits");
    expect(isLiteralCode("validation.aws.account_id")).toBe(false);
    expect(isLiteralCode("validation")).toBe(true);
  });

  it("falls back to Rust's message for a code this build does not know", () => {
    const unknown = { ...err("ipc.unknown"), code: "future.code" } as unknown as IpcError;
    expect(describeError(unknown)).toBe("rust says ipc.unknown");
  });

  it("says what happened in plain words: no command lines, flags or environment variables", () => {
    for (const [code, text] of Object.entries(MESSAGES)) {
      expect(text.trim(), code).not.toBe("");
      expect(text, code).not.toMatch(/--[a-z]/);
      expect(text, code).not.toMatch(/\btrustbridge [a-z]/);
      expect(text, code).not.toMatch(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/);
      expect(text, code).not.toMatch(/`/);
    }
  });
});
