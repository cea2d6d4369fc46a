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
      "start", "clouds", "aws-identity", "aws-storage", "aws-events", "check", "export", "test", "done",
    ]);
  });

  it("a single-cloud vendor skips the cloud question; no events page when it publishes none", () => {
    const ctx: StepContext = {
      profileClouds: ["aws"],
      clouds: ["aws"],
      publishesEvents: { aws: false, gcp: false, azure: false },
    };
    expect(stepsFor(ctx)).toEqual(["start", "aws-identity", "aws-storage", "check", "export", "test", "done"]);
  });

  it("several clouds in canonical order, credentials step for GCP/Azure, unsupported clouds dropped", () => {
    const ctx: StepContext = { profileClouds: ["aws", "azure"], clouds: ["azure", "gcp", "aws"], publishesEvents: all };
    const steps = stepsFor(ctx);
    expect(steps).toEqual([
      "start", "clouds",
      "aws-identity", "aws-storage", "aws-events",
      "azure-identity", "azure-storage", "azure-events",
      "check", "export", "credentials", "test", "done",
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
      ["Check and export", "not-started"],
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
      "start", "clouds", "aws-identity", "aws-storage", "aws-events", "vendor", "check", "export", "test", "done",
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
      ["Check and export", "not-started"],
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
    expect(stepsFor(ctx)).toEqual(["start", "clouds", "aws-identity", "aws-storage", "vendor", "check", "export", "test", "done"]);
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
