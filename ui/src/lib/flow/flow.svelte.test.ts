// The form-flow base both flows stand on: Continue / Back, problems at their fields and in the error
// summary (which is asked to take focus again on every attempt), Change links that come back to
// Check your answers, autosave. First on a small flow of its own, then on the vendor wizard and the
// role-pack path, which must both get it from the base. IPC is mocked at @tauri-apps/api/core.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { IpcError } from "../ipc/index";
import { filledMlspace, MLSPACE, SAGEMAKER } from "../pack/fixtures.test-util";
import { MLCUBE } from "../wizard/fixtures.test-util";

const invoke = vi.fn();
class FakeChannel {
  onmessage: (m: unknown) => void = () => {};
}
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args), Channel: FakeChannel }));
const focused: string[] = [];
vi.stubGlobal("window", { scrollTo() {} });
vi.stubGlobal("document", { getElementById: (id: string) => ({ focus: () => focused.push(id), closest: () => null }) });

const { FormFlow } = await import("./flow.svelte");
const { exportProblem, folderProblem } = await import("./export");
const { Wizard } = await import("../wizard/wizard.svelte");
const { PackFlow } = await import("../pack/pack.svelte");

type Call = [string, Record<string, unknown> | undefined];
const calls = (name: string) => (invoke.mock.calls as Call[]).filter(([c]) => c === name).map(([, a]) => a);

type Page = "name" | "colour" | "check" | "done";
const bad = (field: string, message: string): IpcError => ({ code: `validation.${field}`, message, field, fix: "try another" });

/** A flow of its own: two questions, Check your answers, done. Problems come from `rules`. */
class Toy extends FormFlow<Page> {
  readonly steps: readonly Page[] = ["name", "colour", "check", "done"];
  values = $state<Record<string, string>>({ name: "", colour: "" });
  presenter = false;
  arrived: Page[] = [];
  rules: (page: Page, values: Record<string, string>) => IpcError[] = () => [];
  sensitive = ["secret-project"];

  constructor(saveOnContinue = true) {
    super({ first: "name", check: "check", saveOnContinue });
  }
  protected presenting(): boolean {
    return this.presenter;
  }
  protected async validate(page: Page): Promise<IpcError[]> {
    return this.rules(page, this.values);
  }
  protected arrive(page: Page): void {
    this.arrived.push(page);
  }
  protected locate(field: string) {
    return field === "name" || field === "colour" ? { step: field as Page, focus: field } : null;
  }
  protected fieldValues(): Record<string, string> {
    return { ...this.values };
  }
  protected inputOf(e: IpcError): string | null {
    return e.field === this.step ? e.field : null;
  }
  protected messageFor(e: IpcError, input: string | null): string {
    return input ? `${e.message} (got '${this.errorValues[input] ?? ""}')` : e.message;
  }
  protected summaryItem(e: IpcError, input: string | null, text: string) {
    return input ? { text, href: `#f-${input}` } : { text, onselect: () => this.change(e.field ?? "") };
  }
  protected draftPlan() {
    return { version: 1, values: { ...this.values } };
  }
}

beforeEach(() => {
  invoke.mockReset();
  invoke.mockResolvedValue(null);
  focused.length = 0;
});
afterEach(() => {
  vi.clearAllMocks();
  vi.useRealTimers();
});

describe("the base, on a flow of its own", () => {
  it("Continue goes page by page, saving the draft with the next page first; Back goes back", async () => {
    const t = new Toy();
    expect(t.step).toBe("name");
    t.values.name = "Ada";
    await t.continue();
    expect(t.step).toBe("colour");
    expect(calls("save_draft")[0]).toEqual({ draft: { version: 1, step: "colour", plan: { version: 1, values: { name: "Ada", colour: "" } } } });
    expect(t.arrived).toEqual(["colour"]);
    expect(focused.at(-1)).toBe("page-heading");
    await t.back();
    expect(t.step).toBe("name");
    await t.back();
    expect(t.step).toBe("name"); // nothing before the first page
  });

  it("a problem keeps the page, shows at its field with the value it was found with, and asks the summary for focus each time", async () => {
    const t = new Toy();
    t.rules = (page, v) => (page === "name" && v.name.length < 3 ? [bad("name", "Too short")] : []);
    t.values.name = "Al";
    await t.continue();
    expect(t.step).toBe("name");
    expect(t.attempts).toBe(1);
    expect(t.errorAt("name")).toBe("Too short (got 'Al')");
    expect(t.summary).toEqual([{ text: "Too short (got 'Al')", href: "#f-name" }, { text: "try another" }]);
    t.values.name = "Alo"; // typing does not change the message
    expect(t.errorAt("name")).toBe("Too short (got 'Al')");
    t.values.name = "Al";
    await t.continue();
    expect(t.attempts).toBe(2); // the same problem again: focus moves to the summary again
    expect(calls("save_draft")).toHaveLength(0);
    t.values.name = "Alan";
    await t.continue();
    expect(t.step).toBe("colour");
    expect(t.errors).toEqual([]);
  });

  it("a Change link to a field under a closed \"More options\" opens it before the focus", async () => {
    const fold = { open: false };
    vi.stubGlobal("document", { getElementById: (id: string) => ({ focus: () => focused.push(id), closest: (s: string) => (s === "details" ? fold : null) }) });
    try {
      const f = new Toy();
      await f.goTo("check");
      await f.change("colour");
      expect(f.step).toBe("colour");
      expect(fold.open).toBe(true);
    } finally {
      vi.stubGlobal("document", { getElementById: (id: string) => ({ focus: () => focused.push(id), closest: () => null }) });
    }
  });

  it("a Change link opens the field's page; Continue and Back return to Check, which forgets the return", async () => {
    const t = new Toy();
    await t.goTo("check");
    await t.change("name");
    expect(t.step).toBe("name");
    expect(t.returnToCheck).toBe(true);
    expect(focused.at(-1)).toBe("f-name");
    await t.continue();
    expect(t.step).toBe("check");
    expect(t.returnToCheck).toBe(false);
    await t.change("colour");
    await t.back();
    expect(t.step).toBe("check");
    expect(t.returnToCheck).toBe(false);
    await t.continue();
    expect(t.step).toBe("done");
    await t.change("nowhere");
    expect(t.step).toBe("done");
  });

  it("a summary line for a field on another page changes to it and comes back", async () => {
    const t = new Toy();
    await t.goTo("check");
    t.fail([bad("colour", "Pick a colour")]);
    expect(t.attempts).toBe(1);
    const [line] = t.summary;
    expect(line.text).toBe("Pick a colour");
    await line.onselect!();
    expect(t.step).toBe("colour");
    expect(t.returnToCheck).toBe(true);
  });

  it("a draft that cannot be written stops Continue and says so", async () => {
    const t = new Toy();
    invoke.mockRejectedValue({ code: "draft.io", message: "disk full", field: null, fix: null });
    await t.continue();
    expect(t.step).toBe("name");
    expect(t.errors.map((e) => e.code)).toEqual(["draft.io"]);
    expect(t.attempts).toBe(1);
  });

  it("a flow that does not save on Continue moves on without writing", async () => {
    const t = new Toy(false);
    await t.continue();
    expect(t.step).toBe("colour");
    expect(calls("save_draft")).toHaveLength(0);
  });

  it("saves only what changed, and autosaves a while after the last change", async () => {
    vi.useFakeTimers();
    const t = new Toy();
    await t.save();
    await t.save();
    expect(calls("save_draft")).toHaveLength(1);
    t.values.name = "B";
    const cancel = t.autosave(300);
    t.values.colour = "red";
    cancel(); // a newer change restarts the wait (the effect's cleanup)
    t.autosave(300);
    await vi.advanceTimersByTimeAsync(299);
    expect(calls("save_draft")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls("save_draft").at(-1)).toMatchObject({ draft: { step: "name", plan: { values: { name: "B", colour: "red" } } } });
  });

  it("presenter mode masks the flow's values and what mask always hides", () => {
    const t = new Toy();
    const text = "secret-project in 123456789012";
    expect(t.show(text)).toBe(text);
    t.presenter = true;
    expect(t.show(text)).toBe("•••••• in ••••••");
  });
});

describe("both flows stand on it", () => {
  function wizardBackend(problem: IpcError | null) {
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === "list_profiles") return [MLCUBE];
      if (cmd === "validate_plan") return problem && (args.fields as string[] | undefined)?.some((f) => f.startsWith("integration")) ? [problem] : [];
      return null;
    });
  }
  function packBackend(problem: IpcError | null) {
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === "list_packs") return [MLSPACE, SAGEMAKER];
      if (cmd === "validate_pack_plan") return problem && !args.fields ? [problem] : [];
      if (cmd === "preview_pack") return { pack: "mlspace", display_name: "", values: [], roles: [], managed_policies: [], files: [], findings: [] };
      return null;
    });
  }

  it("the vendor wizard: error-summary focus on each failed Continue, and Change returns to Check", async () => {
    const problem: IpcError = { code: "validation.integration.name", message: "integration.name: bad (got 'x y')", field: "integration.name", fix: null };
    wizardBackend(problem);
    const w = new Wizard();
    expect(w).toBeInstanceOf(FormFlow);
    await w.init();
    w.answers.integration.name = "x y";
    await w.continue();
    await w.continue();
    expect(w.step).toBe("start");
    expect(w.attempts).toBe(2);
    expect(w.summary[0]).toMatchObject({ href: "#f-integration-name" });

    wizardBackend(null);
    w.answers.integration.name = "p1";
    w.answers.clouds = ["aws"];
    await w.goTo("check");
    await w.change("integration.name");
    expect(w.step).toBe("start");
    expect(w.returnToCheck).toBe(true);
    expect(focused.at(-1)).toBe("f-integration-name");
    await w.continue();
    expect(w.step).toBe("check");
    expect(w.returnToCheck).toBe(false);
  });

  it("the role-pack path: error-summary focus on each failed Continue, and Change returns to Check", async () => {
    const problem: IpcError = { code: "validation.variables.AWS_ACCOUNT", message: "variables.AWS_ACCOUNT: required (got '')", field: "variables.AWS_ACCOUNT", fix: null };
    packBackend(problem);
    const p = new PackFlow();
    expect(p).toBeInstanceOf(FormFlow);
    await p.open();
    p.packId = "mlspace";
    await p.continue();
    expect(p.step).toBe("pack-variables");
    await p.continue();
    await p.continue();
    expect(p.step).toBe("pack-variables");
    expect(p.attempts).toBe(2);
    expect(p.summary[0]).toMatchObject({ href: "#f-variables-AWS-ACCOUNT" });

    packBackend(null);
    for (const [k, v] of Object.entries(filledMlspace())) p.setValue(k, v);
    await p.continue();
    expect(p.step).toBe("pack-check");
    await p.change("variables.AWS_REGION");
    expect(p.step).toBe("pack-variables");
    expect(p.returnToCheck).toBe(true);
    expect(focused.at(-1)).toBe("f-variables-AWS-REGION");
    await p.continue();
    expect(p.step).toBe("pack-check");
    expect(p.returnToCheck).toBe(false);
  });

  it("neither autosaves a secret: the vendor's API key typed in the wizard stays out of the draft", async () => {
    vi.useFakeTimers();
    wizardBackend(null);
    const w = new Wizard();
    await w.init();
    w.answers.integration.project_id = "p1";
    w.cloud.vendorKey = "canary-api-key-never-saved";
    w.autosave(300);
    await vi.advanceTimersByTimeAsync(300);
    expect(calls("save_draft")).toHaveLength(1);
    expect(JSON.stringify(calls("save_draft"))).not.toContain("canary-api-key-never-saved");
  });
});

describe("export folders, as both flows word them", () => {
  it("a typed folder must be a full path", () => {
    expect(folderProblem("/home/me", "f")).toBeNull();
    expect(folderProblem("C:\\Users\\me", "f")).toBeNull();
    expect(folderProblem("\\\\server\\share", "f")).toBeNull();
    expect(folderProblem("", "f")).toMatchObject({ code: "export.folder_missing", field: "f" });
    expect(folderProblem("relative/dir", "f")).toMatchObject({ code: "export.folder_not_absolute", field: "f" });
  });

  it("a failure is shown at the folder in our words, a field's own problem at its field in Rust's", () => {
    const io: IpcError = { code: "export.io", message: "export: /nope: no such folder", field: null, fix: "choose another" };
    expect(exportProblem(io, "f")).toMatchObject({ code: "export.io", field: "f", fix: "choose another" });
    expect(exportProblem(io, "f").message).not.toBe(io.message);
    const own: IpcError = { code: "validation.aws.account_id", message: "aws.account_id: 12 digits", field: "aws.account_id", fix: null };
    expect(exportProblem(own, "f")).toEqual(own);
  });
});
