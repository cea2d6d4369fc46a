import { describe, expect, it } from "vitest";
import { doneSummary, type DoneInput } from "./done";

const NAMES = { aws: "AWS", gcp: "Google Cloud", azure: "Azure" } as const;
const base: DoneInput = {
  clouds: ["aws"], appliedAws: false, exportedDir: null, verdict: null, registered: false, vendor: "ML cube Platform", cloudNames: NAMES,
};

describe("the Done page follows the route taken", () => {
  it("after Apply it never says to run setup.sh, and is ready only when the test passed", () => {
    const s = doneSummary({ ...base, appliedAws: true, verdict: "pass", registered: true });
    expect(s.ready).toBe(true);
    expect(s.steps.join(" ")).not.toContain("setup.sh");
    expect(s.steps[0]).toBe("AWS: applied from this computer. Nothing more to run.");
    expect(s.steps).toContain("Nothing to send: ML cube Platform has what handoff.json names.");
  });

  it("is not 'ready to hand over' when the test failed, proved nothing or never ran", () => {
    for (const verdict of ["fail", "nothing_proven", null] as const) {
      const s = doneSummary({ ...base, appliedAws: true, verdict });
      expect(s.ready).toBe(false);
      expect(s.title).not.toContain("ready");
      expect(s.warning).toBeTruthy();
    }
    expect(doneSummary({ ...base, verdict: "nothing_proven" }).warning).toContain("will confirm the connection from its side");
    const partly = doneSummary({ ...base, appliedAws: true, verdict: "partial" });
    expect(partly.ready).toBe(true);
    expect(partly.warning).toContain("only partly");
  });

  it("after an export it names the folder's scripts; with neither it says what is missing", () => {
    const exported = doneSummary({ ...base, clouds: ["aws", "gcp"], exportedDir: "/home/a/tb", verdict: "pass" });
    expect(exported.steps[0]).toBe("AWS: run aws/setup.sh from /home/a/tb (or its cloud shell).");
    // Google Cloud and Azure: how, in their cloud shell in the browser.
    expect(exported.steps[1]).toBe(
      "Google Cloud: run gcp/setup.sh: open Google Cloud Shell at https://shell.cloud.google.com, upload the gcp folder from /home/a/tb (More ⋮, then Upload), then type cd gcp && bash setup.sh and press Enter.",
    );
    expect(exported.revoke).toHaveLength(2);
    expect(exported.revoke[1]).toContain("https://shell.cloud.google.com");
    const azure = doneSummary({ ...base, clouds: ["azure"], exportedDir: "/home/a/tb", verdict: "pass" });
    expect(azure.steps[0]).toContain("open Azure Cloud Shell at https://shell.azure.com, upload azure/setup.sh from /home/a/tb");
    expect(azure.revoke[0]).toContain("then type bash revoke.sh and press Enter");
    const nothing = doneSummary({ ...base, clouds: ["gcp"] });
    expect(nothing.steps[0]).toBe("Google Cloud: nothing has been set up yet. Go back and export the setup files.");
    expect(nothing.revoke).toEqual([]);
    // Apply chosen but not done: the page says to apply (the route asked for), not to export.
    const notApplied = doneSummary({ ...base, route: "apply" });
    expect(notApplied.steps[0]).toBe("AWS: nothing has been applied yet. Go back and apply the changes from this computer.");
    expect(doneSummary({ ...base, route: "export" }).steps[0]).toBe(
      "AWS: nothing has been set up yet. Go back and export the setup files, or apply them from this computer.",
    );
  });
});
