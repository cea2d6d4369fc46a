import { describe, expect, it } from "vitest";
import { nextStep, previousStep, progress, stepsFor, stepTitle, cloudOf, type StepContext } from "./steps";

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
});
