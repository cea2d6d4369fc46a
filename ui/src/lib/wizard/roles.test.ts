import { describe, expect, it } from "vitest";
import { grantSentence, rolePhrase } from "./roles";

describe("role sentences", () => {
  it("name one, two or three roles as written", () => {
    expect(rolePhrase(["Storage Object Viewer"])).toBe("the Storage Object Viewer role");
    expect(rolePhrase(["A", "B"])).toBe("the A and B roles");
    expect(rolePhrase(["A", "B", "C"])).toBe("the A, B and C roles");
  });

  it("say what the profile grants, never a role of their own", () => {
    expect(grantSentence(["Storage Legacy Object Reader"], "bucket")).toBe(
      "It gets the Storage Legacy Object Reader role on each bucket, nothing wider.",
    );
    expect(grantSentence(["Pub/Sub Publisher"], "topic", false)).toBe("It gets the Pub/Sub Publisher role on each topic.");
    expect(grantSentence(undefined, "topic")).toBe("");
  });
});
