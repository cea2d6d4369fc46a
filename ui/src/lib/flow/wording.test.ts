// The wording of a field's problem: Rust's rule picked out of its message, and worded about the
// field. The rules it words are read from Rust's own source here, so a rule reworded in Rust fails
// this test instead of silently falling back to Rust's words on screen.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { IpcError } from "../ipc/index";
import { RUST_SUBJECTS } from "../pack/pack";
import { ruleSubjects } from "../wizard/errors";
import { article, charactersInWords, cleanRule, noun, ordinal, ruleOf, ruleSentence } from "./wording";

const err = (message: string, field: string | null = "a.b", fix: string | null = null): IpcError => ({ code: "validation.a.b", message, field, fix });

describe("Rust's rule in a problem", () => {
  it("drops the field path, the value (whatever it holds), a code of its own and the fix", () => {
    expect(ruleOf(err("a.b: must be 1 (got 'x')"))).toEqual({ rule: "must be 1", empty: false });
    expect(ruleOf(err("a.b: must be 1 (got '')"))).toEqual({ rule: "must be 1", empty: true });
    expect(ruleOf(err("a.b: must be 1 (got 'x (got 'y')'); use 2", "a.b", "use 2"))).toEqual({ rule: "must be 1", empty: false });
    expect(ruleOf(err("a.b: not signed [profile.unsigned] (got 'p')"))).toEqual({ rule: "not signed", empty: false });
    expect(ruleOf(err("Enter the API key", "vendor.api_key"))).toEqual({ rule: "Enter the API key", empty: null });
    expect(ruleOf(err("a.b: bad; do this", "a.b", "do this"))).toEqual({ rule: "bad", empty: null });
  });
});

describe("words", () => {
  it("lists allowed characters in words", () => {
    expect(charactersInWords("lowercase letters, digits and '-'")).toBe("lower-case letters, numbers and hyphens");
    expect(charactersInWords("letters, digits and _ . -")).toBe("letters, numbers, underscores, full stops and hyphens");
    expect(charactersInWords("lowercase letters, digits, '-', '_' and '.'")).toBe("lower-case letters, numbers, hyphens, underscores and full stops");
    expect(charactersInWords("lowercase letters and digits")).toBe("lower-case letters and numbers");
    expect(charactersInWords("letters, digits and + = , . @ : / _ -")).toBe("letters, numbers and the characters + = , . @ : / _ -");
    expect(charactersInWords("printable ASCII without spaces")).toBe("printable ASCII without spaces");
  });

  it("counts in words and chooses a or an", () => {
    expect([0, 1, 9, 10, 11, 20, 21, 22].map(ordinal)).toEqual(["first", "second", "tenth", "11th", "12th", "21st", "22nd", "23rd"]);
    expect(["AWS account ID", "KMS key ARN", "bucket name", "external ID", "MLSpace role", "S3 bucket", "Google Cloud project ID"].map(article)).toEqual([
      "an", "a", "a", "an", "an", "an", "a",
    ]);
  });

  it("falls back to Rust's rule as a sentence: sentence case, ID, the vendor's name, a full stop", () => {
    expect(cleanRule("the key id must be a UUID")).toBe("The key ID must be a UUID.");
    expect(cleanRule("required by vendor profile 'acme' (why)", "Acme Platform")).toBe("Required by Acme Platform (why).");
    expect(cleanRule("already a sentence.")).toBe("Already a sentence.");
  });

  it("words a rule only about the field itself: a rule about a part of its value reads as Rust states it", () => {
    const kms = noun("KMS key ARN", ["KMS key ARN"]);
    expect(ruleSentence("a KMS key ARN looks like 'arn:aws:kms:eu-west-1:123456789012:key/<key-id>'", kms)).toBe(
      "Enter a KMS key ARN in the correct format, like arn:aws:kms:eu-west-1:123456789012:key/<key-id>.",
    );
    expect(ruleSentence("an AWS account id is exactly 12 digits", kms)).toBe("An AWS account ID is exactly 12 digits.");
    expect(ruleSentence("must name a key ('key/…'); aliases cannot be used in a policy Resource", kms)).toBe(
      "The KMS key ARN must name a key ('key/…'); aliases cannot be used in a policy Resource.",
    );
    expect(ruleSentence("may not carry a query (?) or fragment (#)", noun("API URL", [], "the"))).toBe("The API URL must not carry a query (?) or fragment (#).");
  });
});

describe("the rules worded here are Rust's (read from its source)", () => {
  const src = fileURLToPath(new URL("../../../../src-tauri/crates/core/src/", import.meta.url));
  const files = ["validate/rules.rs", "validate/mod.rs", "pack/validate.rs"].map((f) => `${src}${f}`);
  const rust = files.filter((f) => existsSync(f)).map((f) => readFileSync(f, "utf8")).join("\n");

  it.skipIf(rust === "")("finds each phrase the wording matches on", () => {
    for (const phrase of [
      "may contain only ",
      " must be {min}-{max} characters long (this is {n})",
      " looks like ",
      "an AWS account id is exactly 12 digits",
      "must not be empty",
      "listed twice; remove the duplicate",
      "choose at least one cloud: ",
      "does not support this cloud",
      "nothing to grant: add at least one bucket (or an event bus)",
      "the member-role engine sets up the accounts listed here: list at least one",
      "(got '{}')",
    ]) {
      expect(rust, phrase).toContain(phrase);
    }
  });

  it.skipIf(rust === "")("finds every subject named as a field's own in a rule of Rust's", () => {
    const subjects = [...ruleSubjects(), ...Object.values(RUST_SUBJECTS).flat()];
    for (const s of subjects) expect(rust, s).toMatch(new RegExp(`"an? ${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[ "]`));
  });
});

describe("the vendor's name and the role on the pages", () => {
  it("names a real vendor, and says 'the vendor' for the Custom profile or none", async () => {
    const { vendorName } = await import("./wording");
    expect(vendorName({ id: "mlcube", display_name: "ML cube Platform" })).toBe("ML cube Platform");
    expect(vendorName({ id: "custom", display_name: "Custom vendor" })).toBe("the vendor");
    expect(vendorName({ id: "custom", display_name: "Custom vendor" }, true)).toBe("The vendor");
    expect(vendorName(null)).toBe("the vendor");
  });

  it("shows a role's path only when it is not the default", async () => {
    const { roleLabel } = await import("./wording");
    expect(roleLabel("mlcube-platform-access", "/")).toBe("mlcube-platform-access");
    expect(roleLabel("mlcube-platform-access", undefined)).toBe("mlcube-platform-access");
    expect(roleLabel("r", "/vendors/")).toBe("r (path /vendors/)");
  });
});
