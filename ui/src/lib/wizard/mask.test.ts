import { describe, expect, it } from "vitest";
import { MASK, mask } from "./mask";

describe("presenter mask", () => {
  it("hides account ids inside ARNs and JSON, and any 12-digit id", () => {
    const doc = '{"Principal": {"AWS": "arn:aws:iam::883313729965:root"}, "acct": "123456789012"}';
    const out = mask(doc, ["123456789012"]);
    expect(out).not.toMatch(/\d{12}/);
    expect(out).toContain(`arn:aws:iam::${MASK}:root`);
  });

  it("hides the external id, GUIDs case-insensitively, and PEM blocks", () => {
    const out = mask(
      "ext Zk3pQ9vX2mN7 tenant 72F988BF-86F1-41AF-91AB-2D7CD011DB47 -----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY----- end",
      ["Zk3pQ9vX2mN7"],
    );
    expect(out).toBe(`ext ${MASK} tenant ${MASK} ${MASK} end`);
  });

  it("leaves other text alone, also regex characters in values", () => {
    expect(mask("bucket my-data 1234", ["a.b*"])).toBe("bucket my-data 1234");
    expect(mask("x a.b* y", ["a.b*"])).toBe(`x ${MASK} y`);
    expect(mask("1234567890123")).toBe("1234567890123");
  });

  it("hides the person in caller ARNs and the owner of home folders, keeping the rest readable", () => {
    expect(mask("Acting as arn:aws:iam::123456789012:user/alice.smith (account 123456789012).")).toBe(
      `Acting as arn:aws:iam::${MASK}:user/${MASK} (account ${MASK}).`,
    );
    expect(mask("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com")).toBe(
      `arn:aws:sts::${MASK}:assumed-role/AWSReservedSSO_Admin_0123/${MASK}`,
    );
    expect(mask("arn:aws:iam::123456789012:user/division/bob")).toBe(`arn:aws:iam::${MASK}:user/division/${MASK}`);
    expect(mask("Exported to /home/alice/exports/acme and /Users/bob/x")).toBe(`Exported to /home/${MASK}/exports/acme and /Users/${MASK}/x`);
    expect(mask("role arn:aws:iam::123456789012:role/mlcube-platform-access")).toBe(`role arn:aws:iam::${MASK}:role/mlcube-platform-access`);
  });
  it("hides AWS Organizations ids (organization, root, unit, the customer's policies) but not AWS's own policy or ordinary words", () => {
    const text = "SCP p-examplescp1 (DenyRegions) on ou-ab12-cdef3456 under r-ab12 of o-a1b2c3d4e5; p-FullAWSAccess allows; for-example, or-else";
    expect(mask(text)).toBe("SCP •••••• (DenyRegions) on •••••• under •••••• of ••••••; p-FullAWSAccess allows; for-example, or-else");
  });
});
