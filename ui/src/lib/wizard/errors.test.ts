import { describe, expect, it } from "vitest";
import type { IpcError } from "../ipc/index";
import { fieldMessage, labelFor } from "./errors";

const err = (field: string, message: string): IpcError => ({ code: `validation.${field.replace(/\[\d+\]/g, "")}`, message, field, fix: null });

describe("field messages", () => {
  it("labels field paths for people", () => {
    expect(labelFor("aws.account_id")).toBe("AWS account ID");
    expect(labelFor("aws.storage[0].bucket")).toBe("bucket name");
    expect(labelFor("aws.storage[2].bucket")).toBe("bucket name (3)");
    expect(labelFor("aws.storage[1]")).toBe("bucket 2");
  });

  it("asks to enter an empty field, else words Rust's rule with a label", () => {
    expect(fieldMessage(err("aws.account_id", "aws.account_id: must be 12 digits (got '')"), "aws.account_id", "")).toBe(
      "Enter the AWS account ID",
    );
    expect(
      fieldMessage(err("aws.storage[0].bucket", "aws.storage[0].bucket: bad (got '<img src=x>')"), "aws.storage[0].bucket", "<img src=x>"),
    ).toBe("Bucket name: bad (got '<img src=x>')");
    expect(fieldMessage(err("platform", "platform: unknown"), "platform", "")).toBe("Select the platform you are connecting");
  });
});
