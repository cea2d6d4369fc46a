import { describe, expect, it } from "vitest";
import { breakPoints, cloudList } from "./format";

describe("breakPoints", () => {
  it("breaks an ARN after each run of ':' and '/', never inside a token", () => {
    expect(breakPoints("arn:aws:iam::123456789012:role/mlcube-platform-access")).toEqual([
      "arn:", "aws:", "iam::", "123456789012:", "role/", "mlcube-platform-access",
    ]);
    expect(breakPoints("arn:aws:s3:::bucket/prefix/*")).toEqual(["arn:", "aws:", "s3:::", "bucket/", "prefix/", "*"]);
    expect(breakPoints("https://example.com/a")).toEqual(["https://", "example.com/", "a"]);
  });

  it("joins back to the text exactly (masked text included), whatever it is", () => {
    for (const t of ["", "plain words", "::", "/", "a:", ":a", "arn:aws:iam::••••••••:role/x", "+ grant s3:getobject on arn:aws:s3:::b/*"])
      expect(breakPoints(t).join("")).toBe(t);
    expect(breakPoints("")).toEqual([""]);
    expect(breakPoints("no-separators-here")).toEqual(["no-separators-here"]);
    expect(breakPoints("ends/")).toEqual(["ends/"]);
  });
});

describe("cloudList", () => {
  it("names the clouds", () => {
    expect(cloudList(["aws", "gcp", "azure"])).toBe("AWS, Google Cloud and Azure");
  });
});
