import { describe, expect, it } from "vitest";
import type { IpcError } from "../ipc/index";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fieldMessage, fieldNoun, fixForPlanFiles, type MessageContext } from "./errors";

/** A problem as Rust's `validate_plan` sends it: `field: rule (got 'value')[; fix]`. */
const problem = (field: string, rule: string, value: string, fix: string | null = null): IpcError => ({
  code: `validation.${field.replace(/\[\d+\]/g, "")}`,
  message: `${field}: ${rule} (got '${value}')${fix ? `; ${fix}` : ""}`,
  field,
  fix,
});

const ctx: MessageContext = { vendor: "ML cube Platform", rows: (list) => (list === "aws.storage" ? 2 : 1) };

// [field, Rust's rule, the value Rust saw, shown at the field on its page?, the sentence]
const TABLE: [string, string, string, boolean, string][] = [
  // The issue's examples: the rule in the field's words, no "(got '…')", no label before it.
  ["integration.project_id", "a project id may contain only letters, digits and _ . -", "bad project!", true,
    "Your project ID on the platform must use only letters, numbers, underscores, full stops and hyphens."],
  ["gcp.project_id", "a project id may contain only lowercase letters, digits and '-'", "My_Project", true,
    "Enter a Google Cloud project ID that uses only lower-case letters, numbers and hyphens."],
  ["aws.storage[1].prefix", "a prefix must not contain '*', '?' or '${' (they would widen the grant)", "data/*", true,
    "The folder for the second bucket must not contain '*', '?' or '${' (they would widen the grant)."],
  // Asked on another page (Check your answers): words that say which cloud, never the page.
  ["aws.account_id", "an AWS account id is exactly 12 digits", "999", false, "Enter an AWS account ID that is exactly 12 digits."],
  ["aws.storage[0].bucket", "a bucket name must not contain two adjacent periods", "a..b", false,
    "The name of the first AWS bucket must not contain two adjacent periods."],
  ["aws.role_name", "a role name must be 1-64 characters long (this is 70)", "x", false, "The AWS role name must be 64 characters or less."],
  // Each kind of rule.
  ["integration.name", "an integration name may contain only letters, digits and _ . -", "a b", true,
    "Enter an integration name that uses only letters, numbers, underscores, full stops and hyphens."],
  ["aws.account_id", "an AWS account id is exactly 12 digits", "12345", true, "Enter an AWS account ID that is exactly 12 digits."],
  ["aws.vendor.account_id", "an AWS account id is exactly 12 digits", "1", true, "The vendor's AWS account ID must be exactly 12 digits."],
  ["aws.region", "an AWS region looks like 'eu-west-1'", "europe", true, "Enter a region in the correct format, like eu-west-1."],
  ["aws.role_name", "a role name may contain only letters, digits and + = , . @ _ -", "a b", true,
    "Enter a role name that uses only letters, numbers and the characters + = , . @ _ -."],
  ["gcp.project_id", "a project id must be 6-30 characters long (this is 3)", "abc", true, "The Google Cloud project ID must be 6 characters or more."],
  ["gcp.project_id", "a project id must not end with '-'", "abc-def-", true, "The Google Cloud project ID must not end with '-'."],
  ["gcp.storage[0].bucket", "a bucket name must start and end with a letter or digit", "-ab", true,
    "The bucket name must start and end with a letter or number."],
  ["azure.tenant_id", "must be a GUID like 00000000-0000-0000-0000-000000000000", "x", true,
    "The tenant ID must be a GUID like 00000000-0000-0000-0000-000000000000."],
  ["azure.storage[0].storage_account", "a storage account name may contain only lowercase letters and digits", "Acct", true,
    "Enter a storage account that uses only lower-case letters and numbers."],
  ["integration.api_url", "must be an https URL", "ftp://x", true, "The ML cube Platform API URL must be an https URL."],
  ["aws.storage[1]", "listed twice; remove the duplicate", "a/", true, "The second bucket is listed twice: remove it or enter a different one."],
  // Empty: "Enter the …", a repeated field by its position in words.
  ["aws.account_id", "an AWS account id is exactly 12 digits", "", true, "Enter the AWS account ID."],
  ["aws.storage[1].bucket", "a bucket name must be 3-63 characters long (this is 0)", "", true, "Enter the name of the second bucket."],
  ["aws.external_id", "required by vendor profile 'acme' (protects against the confused-deputy problem)", "", true, "Enter the external ID."],
  ["gcp.workload_identity.vendor_role_name", "a role name must be 1-64 characters long (this is 0)", "", true, "Enter the vendor's IAM role name."],
  // The clouds and what they grant.
  ["plan", "choose at least one cloud: add an 'aws', 'gcp' or 'azure' section", "", true, "Select at least one cloud."],
  ["gcp", "vendor profile 'jfrog-ml' does not support this cloud; remove the section", "gcp", true,
    "ML cube Platform does not support Google Cloud: unselect it."],
  ["aws.storage", "nothing to grant: add at least one bucket (or an event bus)", "[]", true, "Add at least one bucket, or an event bus."],
  ["aws.accounts", "the member-role engine sets up the accounts listed here: list at least one", "[]", true,
    "Select at least one account, or add one by its account ID."],
  // Fallback: a rule without wording of its own reads as Rust states it, cleaned up.
  ["aws.role_path", "a role path is '/' or starts and ends with '/', like '/vendors/'", "x", true,
    "A role path is '/' or starts and ends with '/', like '/vendors/'."],
  ["aws.storage[0].kms_key_arn", "an AWS account id is exactly 12 digits", "arn:aws:kms:eu-west-1:1:key/x", true,
    "An AWS account ID is exactly 12 digits."],
  ["aws.region", "region belongs to partition 'aws-cn', not the plan's partition 'aws'", "cn-north-1", true,
    "Region belongs to partition 'aws-cn', not the plan's partition 'aws'."],
  ["aws.organization.max_concurrency", "must be between 1 and 20", "99", false, "The max concurrency must be between 1 and 20."],
  ["gcp.workload_identity", "this vendor profile does not support keyless access (Workload Identity Federation)", "set", false,
    "This vendor profile does not support keyless access (Workload Identity Federation)."],
];

describe("validation messages (GOV.UK: what is wrong and how to fix it, in the field's words)", () => {
  it.each(TABLE)("%s: %s (got '%s')", (field, rule, value, onPage, expected) => {
    const p = problem(field, rule, value);
    const input = onPage ? field.replace(/^(plan|aws|gcp|azure)$/, "clouds") : null;
    const text = fieldMessage(p, input, value, ctx);
    expect(text).toBe(expected);
    // Never the plan's path, the value Rust saw, the page, or a label before a colon.
    expect(text).not.toContain("(got");
    expect(text).not.toContain(field.includes(".") ? field : `${field}:`);
    expect(text).not.toMatch(/on the .* page/);
    expect(text).toMatch(/^[A-Z].*\.$/);
  });

  it("never repeats a hostile value, and keeps Rust's fix out of the sentence", () => {
    const xss = "<img src=x onerror=alert(1)>";
    const p = problem("aws.storage[0].bucket", "a bucket name may contain only lowercase letters, digits, '.' and '-'", xss);
    expect(fieldMessage(p, "aws.storage[0].bucket", xss, { rows: () => 1 })).toBe(
      "Enter a bucket name that uses only lower-case letters, numbers, full stops and hyphens.",
    );
    const sa = problem("gcp.service_account", "a service-account id may contain only lowercase letters, digits and '-'", "ml3Platform", "use 'ml3-platform-access-sa' instead");
    expect(fieldMessage(sa, "gcp.service_account", "ml3Platform")).toBe("Enter a service account ID that uses only lower-case letters, numbers and hyphens.");
    // A value that looks like the end of the rule does not cut it short.
    const odd = problem("integration.name", "an integration name may contain only letters, digits and _ . -", "x (got 'y')");
    expect(fieldMessage(odd, "integration.name", "x (got 'y')")).toBe("Enter an integration name that uses only letters, numbers, underscores, full stops and hyphens.");
  });

  it("uses Rust's view of the value: a default it checked is not 'empty'", () => {
    const p = problem("gcp.service_account", "a service-account id must be 6-30 characters long (this is 4)", "abcd");
    expect(fieldMessage(p, "gcp.service_account", "")).toBe("The service account ID must be 6 characters or more.");
  });

  it("asks to select a platform, and words a problem with a code of its own without the code", () => {
    expect(fieldMessage(problem("platform", "unknown platform", ""), "platform", "")).toBe("Select the platform you are connecting.");
    const coded: IpcError = { code: "validation.platform", message: "platform: changed from 'a' while in use [profile.invalid] (got 'b')", field: "platform", fix: null };
    expect(fieldMessage(coded, "platform", "b")).toBe("Changed from 'a' while in use.");
  });

  it("names repeated fields by their position in words, and one row by its label", () => {
    const two = { rows: () => 2 };
    expect(fieldNoun("aws.storage[1].prefix", true, two)?.the).toBe("the folder for the second bucket");
    expect(fieldNoun("aws.storage[0].prefix", true, { rows: () => 1 })?.the).toBe("the folder");
    expect(fieldNoun("azure.storage[2].container", true, { rows: () => 3 })?.a).toBe("a name for the third container");
    expect(fieldNoun("gcp.events[11].topic", false, { rows: () => 12 })?.the).toBe("the name of the 12th Pub/Sub topic");
    expect(fieldNoun("aws.vendor.principal_patterns[1]", true)?.the).toBe("the second vendor role pattern");
  });
});

describe("Rust's fixes under a problem in the wizard's error summary", () => {
  const file = fileURLToPath(new URL("../../../../src-tauri/crates/core/src/validate/mod.rs", import.meta.url));
  const rust = existsSync(file) ? readFileSync(file, "utf8") : "";
  // Every literal fix of the plan's validation, and whether it speaks to a plan file or a terminal.
  const fixes = [...rust.matchAll(/with_fix\(\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);

  it.skipIf(rust === "")("leaves out each one written for a plan file or a terminal, and keeps the others", () => {
    expect(fixes.length).toBeGreaterThan(8); // the scan is not vacuous
    const kept = fixes.filter((f) => !fixForPlanFiles(f));
    for (const f of kept) expect(f, f).not.toMatch(/\b(aws|gcp|azure)\.[a-z]|`|'(stack-set|member-role)'/);
    expect(kept).toContain("ask the vendor for the 12-digit AWS account id it will assume the role from");
    expect(fixForPlanFiles("add the member accounts with their buckets, or use engine 'stack-set' to cover organizational units")).toBe(true);
    expect(fixForPlanFiles("find them with: aws organizations list-roots / list-organizational-units-for-parent")).toBe(true);
    expect(fixForPlanFiles("use 'ml3-platform-sa' instead")).toBe(false);
    expect(fixForPlanFiles(null)).toBe(false);
  });
});
