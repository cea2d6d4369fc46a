import { describe, expect, it } from "vitest";
import { nextStep, previousStep, progress, reachableSteps, sendClouds, stepsFor, stepTitle, cloudOf, type StepContext, type StepId } from "./steps";

const all = { aws: true, gcp: true, azure: true };

describe("step graph", () => {
  it("before a vendor is chosen: start, clouds, then the common tail", () => {
    expect(stepsFor({ profileClouds: null, clouds: [], publishesEvents: all })).toEqual([
      "start", "clouds", "check", "export", "test", "done",
    ]);
  });

  it("one AWS cloud: identity, storage, events; no credentials step", () => {
    const ctx: StepContext = { profileClouds: ["aws", "gcp", "azure"], clouds: ["aws"], publishesEvents: all };
    expect(stepsFor(ctx)).toEqual([
      "start", "clouds", "aws-identity", "aws-storage", "aws-events", "check", "route", "export", "test", "done",
    ]);
  });

  it("a single-cloud vendor skips the cloud question; no events page when it publishes none", () => {
    const ctx: StepContext = {
      profileClouds: ["aws"],
      clouds: ["aws"],
      publishesEvents: { aws: false, gcp: false, azure: false },
    };
    expect(stepsFor(ctx)).toEqual(["start", "aws-identity", "aws-storage", "check", "route", "export", "test", "done"]);
  });

  it("several clouds in canonical order, credentials step for GCP/Azure, unsupported clouds dropped", () => {
    const ctx: StepContext = { profileClouds: ["aws", "azure"], clouds: ["azure", "gcp", "aws"], publishesEvents: all };
    const steps = stepsFor(ctx);
    expect(steps).toEqual([
      "start", "clouds",
      "aws-identity", "aws-storage", "aws-events",
      "azure-identity", "azure-storage", "azure-events",
      "check", "route", "export", "credentials", "test", "done",
    ]);
    expect(nextStep(steps, "aws-events")).toBe("azure-identity");
    expect(previousStep(steps, "azure-identity")).toBe("aws-events");
    expect(previousStep(steps, "start")).toBeNull();
    expect(nextStep(steps, "done")).toBeNull();
  });

  it("names steps and their cloud", () => {
    expect(stepTitle("gcp-storage")).toBe("Google Cloud: Storage");
    expect(stepTitle("check")).toBe("Check your answers");
    expect(cloudOf("azure-events")).toBe("azure");
    expect(cloudOf("check")).toBeNull();
  });
});

describe("progress", () => {
  const one: StepContext = { profileClouds: null, clouds: ["aws"], publishesEvents: all };
  const two: StepContext = { ...one, clouds: ["aws", "gcp"] };

  it("is 'step N of M' with one cloud, counted once the clouds are known", () => {
    const steps = stepsFor(one);
    expect(progress(one, "aws-storage")).toEqual({ kind: "steps", number: 4, total: steps.length });
    expect(progress(one, "done")).toEqual({ kind: "steps", number: steps.length, total: steps.length });
  });

  it("has no total until the clouds are answered (the pages before are the same whatever the answers)", () => {
    expect(progress({ ...one, clouds: [] }, "start")).toEqual({ kind: "steps", number: 1, total: null });
    expect(progress({ ...one, clouds: [] }, "clouds")).toEqual({ kind: "steps", number: 2, total: null });
    // Ticking clouds on the clouds page changes neither the line nor its form.
    expect(progress(one, "clouds")).toEqual({ kind: "steps", number: 2, total: null });
    expect(progress(two, "clouds")).toEqual({ kind: "steps", number: 2, total: null });
    // A single-cloud vendor: the platform decides the cloud; the total shows from the next page.
    const single: StepContext = { profileClouds: ["aws"], clouds: ["aws"], publishesEvents: all };
    expect(progress(single, "start")).toEqual({ kind: "steps", number: 1, total: null });
    expect(progress(single, "aws-identity")).toEqual({ kind: "steps", number: 2, total: stepsFor(single).length });
  });

  it("never changes the total shown as the person answers forward (was 'Step 1 of 6', then 'Step 2 of 9')", () => {
    // A person's way through: the answers known on each page, as they are given.
    const vendor: StepContext = { profileClouds: ["aws", "gcp", "azure"], clouds: [], publishesEvents: all, registration: { uploads: { gcp: true, azure: true } }, folded: { "aws-events": true } };
    const chosen: StepContext = { ...vendor, clouds: ["aws"] };
    const way: [StepContext, StepId][] = [
      [{ ...vendor, profileClouds: null, registration: null }, "start"],
      [vendor, "clouds"],
      ...stepsFor(chosen).slice(2).map((s): [StepContext, StepId] => [chosen, s]),
    ];
    const shown = way.map(([ctx, step]) => progress(ctx, step)).map((p) => (p.kind === "steps" ? p : null));
    expect(shown.every((p) => p !== null)).toBe(true);
    const totals = shown.map((p) => p?.total).filter((t) => t !== null);
    expect(new Set(totals).size).toBe(1);
    expect(totals[0]).toBe(stepsFor(chosen).length);
    // The numbers go up by one, page by page, ending on "Step M of M".
    expect(shown.map((p) => p?.number)).toEqual(way.map((_, i) => i + 1));
  });

  it("keeps the total while the sign-in answer (key or keyless) is given, and after it", () => {
    const custom: StepContext = {
      profileClouds: ["aws", "gcp", "azure"],
      clouds: ["gcp"],
      publishesEvents: all,
      keylessOffered: { gcp: true, azure: true },
      keylessChosen: { gcp: true },
    };
    const key: StepContext = { ...custom, keylessChosen: { gcp: false } };
    // Until the sign-in question is answered the total depends on it: not shown.
    for (const ctx of [custom, key]) {
      expect(progress(ctx, "gcp-identity")).toEqual({ kind: "steps", number: 3, total: null });
      expect(progress(ctx, "gcp-access")).toEqual({ kind: "steps", number: 4, total: null });
    }
    expect(stepsFor(key).length).toBe(stepsFor(custom).length + 1); // the Credentials page
    expect(progress(custom, "gcp-storage")).toEqual({ kind: "steps", number: 5, total: stepsFor(custom).length });
    expect(progress(key, "gcp-storage")).toEqual({ kind: "steps", number: 5, total: stepsFor(key).length });
  });

  it("an events page opened by Change (its answer the default) has no number and leaves the total as it was", () => {
    const ctx: StepContext = { ...one, folded: { "aws-events": true } };
    const total = stepsFor(ctx).length;
    expect(progress(ctx, "check")).toMatchObject({ total });
    const open = { ...ctx, open: { "aws-events": true } };
    expect(progress(open, "aws-events")).toEqual({ kind: "steps", number: null, total });
    expect(progress(open, "check")).toEqual(progress(ctx, "check"));
  });

  it("is a task list with statuses when several clouds are chosen", () => {
    const p = progress(two, "gcp-storage");
    expect(p.kind).toBe("tasks");
    if (p.kind !== "tasks") return;
    expect(p.tasks.map((t) => [t.title, t.status])).toEqual([
      ["Your platform and clouds", "completed"],
      ["AWS", "completed"],
      ["Google Cloud", "in-progress"],
      ["Check and set up", "not-started"],
      ["Connect and test", "not-started"],
    ]);
  });

  it("several clouds: one line 'Section K of S', the same S on every page from the first cloud page to Done", () => {
    const ctx: StepContext = {
      profileClouds: null,
      clouds: ["aws", "gcp", "azure"],
      publishesEvents: all,
      keylessOffered: { gcp: true, azure: true },
      registration: { uploads: { gcp: true, azure: true } },
    };
    const key = { ...ctx, keylessChosen: { gcp: false, azure: false } };
    const keyless = { ...ctx, keylessChosen: { gcp: true, azure: true } };
    const sections = (c: StepContext) =>
      stepsFor(c)
        .filter((s) => s !== "start" && s !== "clouds")
        .map((s) => {
          const p = progress(c, s, "ML cube");
          if (p.kind !== "tasks") throw new Error(`a section line on ${s}`);
          return [p.section, p.total, p.tasks[p.section - 1].title] as const;
        });
    for (const c of [key, keyless]) {
      const shown = sections(c);
      expect(new Set(shown.map(([, total]) => total))).toEqual(new Set([7]));
      expect(shown[0]).toEqual([2, 7, "AWS"]);
      expect(shown.at(-1)).toEqual([7, 7, "Connect and test"]);
      // Sections only go forward.
      expect(shown.every(([k], i) => i === 0 || k >= shown[i - 1][0])).toBe(true);
    }
    expect(sections(key).find(([k]) => k === 5)?.[2]).toBe("Connect to ML cube");
  });

  it("is all completed on the Done page (the end is not 'in progress')", () => {
    const p = progress(two, "done");
    if (p.kind !== "tasks") throw new Error("a task list");
    expect(p.tasks.every((t) => t.status === "completed")).toBe(true);
  });

  it("Done: every section completed and the last step, whatever the clouds, vendor and answers", () => {
    const reg = { uploads: { gcp: true, azure: true } };
    for (const clouds of [["aws"], ["gcp"], ["azure"], ["aws", "gcp"], ["gcp", "azure"], ["aws", "gcp", "azure"]] as const)
      for (const registration of [null, reg])
        for (const keyless of [false, true]) {
          const ctx: StepContext = {
            profileClouds: null,
            clouds,
            publishesEvents: all,
            registration,
            keylessOffered: { gcp: true, azure: true },
            keylessChosen: { gcp: keyless, azure: keyless },
            folded: { "aws-events": true },
          };
          const p = progress(ctx, "done", "ML cube");
          if (p.kind === "steps") expect(p).toEqual({ kind: "steps", number: stepsFor(ctx).length, total: stepsFor(ctx).length });
          else {
            expect(p.tasks.map((t) => t.status)).toEqual(p.tasks.map(() => "completed"));
            expect(p.tasks.some((t) => t.status === "in-progress")).toBe(false);
            expect(p.section).toBe(p.total);
            expect(p.tasks.at(-1)).toMatchObject({ title: "Connect and test", status: "completed" });
          }
        }
  });
});

describe("a vendor with a registration API (ML cube)", () => {
  const reg = { uploads: { gcp: true, azure: true } };

  it("asks 'Connect to {vendor}' after the cloud pages and before Check your answers", () => {
    const ctx: StepContext = { profileClouds: ["aws", "gcp", "azure"], clouds: ["aws"], publishesEvents: all, registration: reg };
    expect(stepsFor(ctx)).toEqual([
      "start", "clouds", "aws-identity", "aws-storage", "aws-events", "vendor", "check", "route", "export", "test", "done",
    ]);
    expect(stepTitle("vendor", "ML cube Platform")).toBe("Connect to ML cube Platform");
    expect(stepTitle("send", "ML cube Platform")).toBe("Send to ML cube Platform");
  });

  it("sends the GCP key / Azure secret after Credentials, only for clouds with one that the vendor takes", () => {
    const ctx: StepContext = {
      profileClouds: ["aws", "gcp", "azure"],
      clouds: ["gcp", "azure"],
      publishesEvents: all,
      registration: { uploads: { gcp: false, azure: true } },
    };
    const steps = stepsFor(ctx);
    expect(steps.slice(steps.indexOf("check"))).toEqual(["check", "export", "credentials", "send", "test", "done"]);
    expect(sendClouds(ctx)).toEqual(["azure"]);
    const keyless = { ...ctx, keylessOffered: { azure: true }, keylessChosen: { azure: true } };
    expect(stepsFor(keyless)).not.toContain("send");
    // Every key and secret in the keyring (made by Apply): the credentials page folds, off the main
    // path; open while the person is on it.
    const stored = { ...ctx, folded: { credentials: true } };
    expect(stepsFor(stored).slice(stepsFor(stored).indexOf("check"))).toEqual(["check", "export", "send", "test", "done"]);
    expect(stepsFor({ ...stored, open: { credentials: true } })).toContain("credentials");
  });

  it("no registration, no vendor pages; none before a cloud is chosen", () => {
    expect(stepsFor({ profileClouds: null, clouds: ["gcp"], publishesEvents: all })).not.toContain("vendor");
    expect(stepsFor({ profileClouds: ["aws"], clouds: [], publishesEvents: all, registration: reg })).not.toContain("vendor");
  });

  it("the task list has a section for it", () => {
    const ctx: StepContext = { profileClouds: null, clouds: ["aws", "gcp"], publishesEvents: all, registration: reg };
    const p = progress(ctx, "vendor", "ML cube Platform");
    expect(p.kind === "tasks" && p.tasks.map((t) => [t.title, t.status])).toEqual([
      ["Your platform and clouds", "completed"],
      ["AWS", "completed"],
      ["Google Cloud", "completed"],
      ["Connect to ML cube Platform", "in-progress"],
      ["Check and set up", "not-started"],
      ["Connect and test", "not-started"],
    ]);
  });
});

describe("an events answer that needs no input (AWS: the single default bus)", () => {
  const reg = { uploads: { gcp: true, azure: true } };
  const ctx: StepContext = {
    profileClouds: ["aws", "gcp", "azure"],
    clouds: ["aws"],
    publishesEvents: all,
    registration: reg,
    folded: { "aws-events": true },
  };

  it("leaves the events page off the main path; it stays reachable for Change", () => {
    expect(stepsFor(ctx)).toEqual(["start", "clouds", "aws-identity", "aws-storage", "vendor", "check", "route", "export", "test", "done"]);
    expect(nextStep(stepsFor(ctx), "aws-storage")).toBe("vendor");
    expect(previousStep(stepsFor(ctx), "vendor")).toBe("aws-storage");
    expect(reachableSteps(ctx)).toContain("aws-events");
    expect(reachableSteps(ctx).indexOf("aws-events")).toBe(reachableSteps(ctx).indexOf("aws-storage") + 1);
  });

  it("shows the page while it is open (Change or a problem at its field)", () => {
    expect(stepsFor({ ...ctx, open: { "aws-events": true } })).toContain("aws-events");
    expect(stepsFor({ ...ctx, open: { "gcp-events": true } })).not.toContain("aws-events");
  });

  it("a non-default answer, a cloud without a default, or a vendor that publishes none: as before", () => {
    expect(stepsFor({ ...ctx, folded: { "aws-events": false } })).toContain("aws-events");
    const gcp = stepsFor({ ...ctx, clouds: ["aws", "gcp", "azure"] });
    expect(gcp).toContain("gcp-events");
    expect(gcp).toContain("azure-events");
    expect(gcp).not.toContain("aws-events");
    const none = { ...ctx, publishesEvents: { aws: false, gcp: false, azure: false } };
    expect(reachableSteps(none)).not.toContain("aws-events");
  });
});

describe("the set-up question (apply from this computer or export)", () => {
  const aws: StepContext = { profileClouds: ["aws", "gcp", "azure"], clouds: ["aws"], publishesEvents: all };

  it("is asked after Check your answers, before the page that applies or exports, when the plan has AWS", () => {
    for (const clouds of [["aws"], ["aws", "gcp"], ["aws", "azure"], ["gcp", "aws", "azure"]] as const) {
      const steps = stepsFor({ ...aws, clouds });
      expect(steps.filter((s) => s === "route")).toHaveLength(1);
      expect(nextStep(steps, "check")).toBe("route");
      expect(nextStep(steps, "route")).toBe("export");
      expect(previousStep(steps, "export")).toBe("route");
      expect(reachableSteps({ ...aws, clouds })).toContain("route");
    }
  });

  it("is not asked without AWS (export only), nor before a cloud is chosen", () => {
    for (const clouds of [[], ["gcp"], ["azure"], ["gcp", "azure"]] as const) {
      const steps = stepsFor({ ...aws, clouds });
      expect(steps).not.toContain("route");
      expect(nextStep(steps, "check")).toBe("export");
    }
    // AWS chosen but not offered by the vendor: no AWS in the plan, no question.
    expect(stepsFor({ ...aws, profileClouds: ["gcp"], clouds: ["aws", "gcp"] })).not.toContain("route");
  });

  it("is asked for a single-cloud AWS vendor too (the cloud question is skipped, not this one)", () => {
    expect(stepsFor({ ...aws, profileClouds: ["aws"], clouds: ["aws"] })).toContain("route");
  });

  it("names its page, and the next page after the answer", () => {
    expect(stepTitle("route")).toBe("How to set up");
    expect(stepTitle("export", null, "apply")).toBe("Apply to AWS");
    expect(stepTitle("export", null, "export")).toBe("Export the setup files");
    expect(stepTitle("export")).toBe("Export the setup files");
  });

  it("belongs to the 'Check and set up' task", () => {
    const p = progress({ ...aws, clouds: ["aws", "gcp"] }, "route");
    if (p.kind !== "tasks") throw new Error("a task list");
    expect(p.tasks.find((t) => t.title === "Check and set up")).toMatchObject({ steps: ["check", "route", "export"], status: "in-progress" });
  });
});
