import { describe, expect, it } from "vitest";
import { nextStep, previousStep, progress, reachableSteps, sendClouds, stepsFor, stepTitle, cloudOf, type StepContext } from "./steps";

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
  it("is 'step N of M' with one cloud", () => {
    const steps = stepsFor({ profileClouds: null, clouds: ["aws"], publishesEvents: all });
    expect(progress(steps, "aws-storage")).toEqual({ kind: "steps", number: 4, total: steps.length });
  });

  it("is a task list with statuses when several clouds are chosen", () => {
    const steps = stepsFor({ profileClouds: null, clouds: ["aws", "gcp"], publishesEvents: all });
    const p = progress(steps, "gcp-storage");
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

  it("is all completed on the Done page (the end is not 'in progress')", () => {
    const steps = stepsFor({ profileClouds: null, clouds: ["aws", "gcp"], publishesEvents: all });
    const p = progress(steps, "done");
    if (p.kind !== "tasks") throw new Error("a task list");
    expect(p.tasks.every((t) => t.status === "completed")).toBe(true);
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
  });

  it("no registration, no vendor pages; none before a cloud is chosen", () => {
    expect(stepsFor({ profileClouds: null, clouds: ["gcp"], publishesEvents: all })).not.toContain("vendor");
    expect(stepsFor({ profileClouds: ["aws"], clouds: [], publishesEvents: all, registration: reg })).not.toContain("vendor");
  });

  it("the task list has a section for it", () => {
    const ctx: StepContext = { profileClouds: null, clouds: ["aws", "gcp"], publishesEvents: all, registration: reg };
    const p = progress(stepsFor(ctx), "vendor", "ML cube Platform");
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
    eventsDefault: { aws: true },
  };

  it("leaves the events page off the main path; it stays reachable for Change", () => {
    expect(stepsFor(ctx)).toEqual(["start", "clouds", "aws-identity", "aws-storage", "vendor", "check", "route", "export", "test", "done"]);
    expect(nextStep(stepsFor(ctx), "aws-storage")).toBe("vendor");
    expect(previousStep(stepsFor(ctx), "vendor")).toBe("aws-storage");
    expect(reachableSteps(ctx)).toContain("aws-events");
    expect(reachableSteps(ctx).indexOf("aws-events")).toBe(reachableSteps(ctx).indexOf("aws-storage") + 1);
  });

  it("shows the page while it is open (Change or a problem at its field)", () => {
    expect(stepsFor({ ...ctx, eventsOpen: { aws: true } })).toContain("aws-events");
    expect(stepsFor({ ...ctx, eventsOpen: { gcp: true } })).not.toContain("aws-events");
  });

  it("a non-default answer, a cloud without a default, or a vendor that publishes none: as before", () => {
    expect(stepsFor({ ...ctx, eventsDefault: { aws: false } })).toContain("aws-events");
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
    const steps = stepsFor({ ...aws, clouds: ["aws", "gcp"] });
    const p = progress(steps, "route");
    if (p.kind !== "tasks") throw new Error("a task list");
    expect(p.tasks.find((t) => t.title === "Check and set up")).toMatchObject({ steps: ["check", "route", "export"], status: "in-progress" });
  });
});
