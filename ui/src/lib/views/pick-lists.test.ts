// Presenter mode: a pick list of names read from the customer's cloud is drawn only through
// components/PickList.svelte, which leaves it out while presenting. The only datalists written
// out in a page are AWS's own fixed lists (regions, partitions), which name nothing of the customer's.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";

vi.mock("@tauri-apps/api/core", () => ({ invoke: async () => null, Channel: class {} }));
const DIR = fileURLToPath(new URL(".", import.meta.url));

describe("pick lists", () => {
  it("pages list the customer's names only through PickList", () => {
    const pages = readdirSync(DIR).filter((f) => f.endsWith(".svelte"));
    const raw = pages.flatMap((f) => [...readFileSync(join(DIR, f), "utf8").matchAll(/<datalist id="([^"]+)"/g)].map((m) => `${f}: ${m[1]}`));
    expect(raw).toEqual(["AwsIdentityView.svelte: aws-regions", "AwsIdentityView.svelte: aws-partitions"]);
    const picking = pages.filter((f) => readFileSync(join(DIR, f), "utf8").includes("<PickList"));
    expect(picking.length).toBeGreaterThanOrEqual(7); // the scan is not vacuous
  });

  it("PickList leaves the names out in presenter mode", async () => {
    const { render } = await import("svelte/server");
    const PickList = (await import("../components/PickList.svelte")).default;
    const shown = render(PickList, { props: { id: "x", options: ["team-data"], presenter: false } }).body;
    expect(shown).toContain('<option value="team-data">');
    const presenting = render(PickList, { props: { id: "x", options: ["team-data"], presenter: true } }).body;
    expect(presenting).not.toContain("team-data");
  });
});
