// The role-pack path: Continue validated in Rust at each page, problems at their fields, Change
// links back to Check your answers, export and apply calls. IPC is mocked at @tauri-apps/api/core.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { filledMlspace, MLSPACE, SAGEMAKER } from "./fixtures.test-util";
import { MESSAGES } from "../ipc/messages";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.stubGlobal("window", { scrollTo() {} });
vi.stubGlobal("document", { getElementById: () => null });

const { PackFlow } = await import("./pack.svelte");

type Call = [string, Record<string, unknown> | undefined];
const calls = (name: string) => (invoke.mock.calls as Call[]).filter(([c]) => c === name).map(([, a]) => a);

const PREVIEW = {
  pack: "mlspace",
  display_name: "AWS MLSpace role pack",
  values: [{ name: "AWS_ACCOUNT", value: "123456789012", defaulted: false }],
  roles: [],
  managed_policies: [],
  files: [{ path: "SUMMARY.md", content: "# x" }],
  findings: [],
};

/** Rust as far as the pack path sees it; `problems` answers validate_pack_plan. */
function backend(problems: (args: Record<string, unknown>) => unknown[] = () => []) {
  invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
    switch (cmd) {
      case "list_packs":
        return [MLSPACE, SAGEMAKER];
      case "validate_pack_plan": {
        // Like Rust: only the problems under the asked fields.
        const fields = args.fields as string[] | undefined;
        const under = (f: string) => !fields || fields.some((w) => f === w || f.startsWith(`${w}.`) || f.startsWith(`${w}[`));
        return (problems(args) as { field: string }[]).filter((e) => under(e.field));
      }
      case "preview_pack":
        return PREVIEW;
      case "export_pack":
        return { dir: `${args.parent}/trustbridge-mlspace`, files: ["SUMMARY.md"] };
      case "apply_pack_aws":
        return { caller: { account: "123456789012", arn: "arn:aws:iam::123456789012:user/me" }, dry_run: args.dryRun, changes: [{ kind: "create_role", summary: "create role x", detail: ["+ trust sagemaker.amazonaws.com"] }] };
      default:
        return null;
    }
  });
}

const packProblem = { code: "validation.pack", message: "pack: choose one of the built-in role packs: mlspace (got '')", field: "pack", fix: null };
const accountProblem = {
  code: "validation.variables.AWS_ACCOUNT",
  message: "variables.AWS_ACCOUNT: required: The account (unfilled placeholder {AWS_ACCOUNT}) (got ''); for example '123456789012'",
  field: "variables.AWS_ACCOUNT",
  fix: "for example '123456789012'",
};

beforeEach(() => invoke.mockReset());
afterEach(() => vi.clearAllMocks());

async function onVariables(problems?: (args: Record<string, unknown>) => unknown[]) {
  backend(problems);
  const p = new PackFlow();
  await p.open();
  p.packId = "mlspace";
  await p.continue();
  return p;
}

describe("choosing a pack", () => {
  it("opens on the choose page with the packs from Rust; Back returns to the start page", async () => {
    backend();
    const p = new PackFlow();
    await p.open();
    expect(p.active).toBe(true);
    expect(p.step).toBe("pack-choose");
    expect(p.packs.map((x) => x.id)).toEqual(["mlspace", "sagemaker-service-role"]);
    await p.back();
    expect(p.active).toBe(false);
  });

  it("Continue without a pack: Rust's problem shown at the radios and in the summary", async () => {
    backend((args) => ((args.plan as { pack: string }).pack === "" ? [packProblem] : []));
    const p = new PackFlow();
    await p.open();
    await p.continue();
    expect(calls("validate_pack_plan")[0]).toMatchObject({ plan: { version: 1, pack: "" }, fields: ["pack"] });
    expect(p.step).toBe("pack-choose");
    expect(p.errorAt("pack")).toBe("Select the role pack to deploy.");
    expect(p.summary).toEqual([{ text: "Select the role pack to deploy.", href: "#f-pack-0" }]);
    expect(p.attempts).toBe(1);
  });

  it("a chosen pack moves on with its defaults prefilled; each pack keeps its own values", async () => {
    const p = await onVariables();
    expect(p.step).toBe("pack-variables");
    expect(p.current.MLSPACE_APP_ROLE_NAME).toBe("mlspace-app-role");
    p.setValue("AWS_ACCOUNT", "123456789012");
    await p.back();
    p.packId = "sagemaker-service-role";
    await p.continue();
    expect(p.current.MANAGED_POLICY).toBe("AmazonSageMakerFullAccess");
    expect(p.current.AWS_ACCOUNT).toBe("");
    await p.back();
    p.packId = "mlspace";
    await p.continue();
    expect(p.current.AWS_ACCOUNT).toBe("123456789012");
  });
});

describe("the variables page", () => {
  it("lists a value that breaks several names the pack makes once, at its field", async () => {
    const breaks = (at: string) => ({
      code: "validation.variables.MLSPACE_APP_ROLE_NAME",
      message: `variables.MLSPACE_APP_ROLE_NAME: makes the policy name at ${at} invalid: a policy name may contain only letters, digits and + = , . @ _ - (got 'a b'); filled in, the policy name is 'a b-x'`,
      field: "variables.MLSPACE_APP_ROLE_NAME",
      fix: "filled in, the policy name is 'a b-x'",
    });
    const p = await onVariables(() => [breaks("pack.managed_policies[0].name"), breaks("pack.roles[0].inline_policies[0].name")]);
    await p.continue();
    expect(p.errors).toHaveLength(2);
    expect(p.summary).toEqual([
      {
        text: "The application role name makes the policy name invalid. A policy name may contain only letters, digits and + = , . @ _ -.",
        href: "#f-variables-MLSPACE-APP-ROLE-NAME",
      },
    ]);
  });

  it("validates every variable in Rust; a problem stays at its field with a summary link and blocks Continue", async () => {
    const p = await onVariables((args) => ((args.plan as { variables: Record<string, string> }).variables.AWS_ACCOUNT ? [] : [accountProblem]));
    await p.continue();
    const sent = calls("validate_pack_plan").at(-1)!;
    expect(sent.fields).toBeUndefined();
    expect(sent.plan).toEqual({ version: 1, pack: "mlspace", variables: { MLSPACE_APP_ROLE_NAME: "mlspace-app-role", MLSPACE_NOTEBOOK_ROLE_NAME: "mlspace-notebook-role", MLSPACE_SYSTEM_ROLE_NAME: "mlspace-system-role" } });
    expect(p.step).toBe("pack-variables");
    expect(p.errorAt("variables.AWS_ACCOUNT")).toBe("Enter the AWS account ID.");
    expect(p.summary).toEqual([{ text: "Enter the AWS account ID.", href: "#f-variables-AWS-ACCOUNT" }]);

    // The message keeps its wording while the person types; Continue re-checks.
    p.setValue("AWS_ACCOUNT", "12");
    expect(p.errorAt("variables.AWS_ACCOUNT")).toBe("Enter the AWS account ID.");
    for (const [k, v] of Object.entries(filledMlspace())) p.setValue(k, v);
    await p.continue();
    expect(p.step).toBe("pack-check");
    expect(p.errors).toEqual([]);
    expect(calls("preview_pack")).toHaveLength(1);
  });

  it("an invalid value is shown with Rust's rule and the value typed", async () => {
    const bad = {
      code: "validation.variables.MLSPACE_PRIVATE_SUBNET_2",
      message: "variables.MLSPACE_PRIVATE_SUBNET_2: a subnet id looks like subnet-0123456789abcdef0 (got 'subnet-XYZ')",
      field: "variables.MLSPACE_PRIVATE_SUBNET_2",
      fix: null,
    };
    const p = await onVariables(() => [bad]);
    p.setValue("MLSPACE_PRIVATE_SUBNET_2", "subnet-XYZ");
    await p.continue();
    expect(p.errorAt("variables.MLSPACE_PRIVATE_SUBNET_2")).toBe("Enter private subnet 2 in the correct format, like subnet-0123456789abcdef0.");
  });

  it("a problem that is not at a variable is still listed in the summary", async () => {
    const p = await onVariables(() => [{ code: "validation.pack.roles.name", message: "pack.roles[1].name: too long (got 'x')", field: "pack.roles[1].name", fix: null }]);
    await p.continue();
    expect(p.summary).toEqual([{ text: "Too long." }]);
    expect(p.step).toBe("pack-variables");
  });
});

describe("check your answers, export and apply", () => {
  async function onCheck() {
    const p = await onVariables();
    for (const [k, v] of Object.entries(filledMlspace())) p.setValue(k, v);
    await p.continue();
    await vi.waitFor(() => expect(p.preview).not.toBeNull());
    return p;
  }

  it("a Change link goes to the field and Continue comes back to the check page", async () => {
    const p = await onCheck();
    await p.change("variables.AWS_REGION");
    expect(p.step).toBe("pack-variables");
    expect(p.returnToCheck).toBe(true);
    await p.continue();
    expect(p.step).toBe("pack-check");
    expect(p.returnToCheck).toBe(false);
    await p.change("pack");
    expect(p.step).toBe("pack-choose");
    await p.continue();
    expect(p.step).toBe("pack-variables");
  });

  it("problems found on the check page link to their field through Change", async () => {
    const p = await onCheck();
    invoke.mockImplementation(async (cmd: string) => (cmd === "validate_pack_plan" ? [accountProblem] : null));
    p.setValue("AWS_ACCOUNT", "");
    await p.loadPreview();
    expect(p.preview).toBeNull();
    expect(p.summary[0].text).toBe("Enter the AWS account ID.");
    await p.summary[0].onselect!();
    expect(p.step).toBe("pack-variables");
    expect(p.returnToCheck).toBe(true);
  });

  it("exports to a typed absolute folder only", async () => {
    const p = await onCheck();
    await p.continue();
    expect(p.step).toBe("pack-route");
    await p.continue();
    expect(p.step).toBe("pack-export");
    expect(p.route).toBe("export"); // no AWS credentials here
    p.exports.folder = "relative/dir";
    expect(await p.exports.typed()).toBe(false);
    expect(p.errorAt("pack-export.folder")).toBe("Enter the full path of the folder, starting with /");
    expect(calls("export_pack")).toHaveLength(0);
    p.exports.folder = " /home/me/exports ";
    expect(await p.exports.typed()).toBe(true);
    expect(calls("export_pack")[0]).toMatchObject({ parent: "/home/me/exports", plan: { pack: "mlspace" } });
    expect(p.exports.exported?.dir).toBe("/home/me/exports/trustbridge-mlspace");
    expect(p.errors).toEqual([]);

    // Back to the start and into the pack path again: the answers stay, the last export does not.
    await p.close();
    await p.open();
    expect(p.exports.exported).toBeNull();
    expect(p.current.AWS_ACCOUNT).toBe("123456789012");
  });

  it("an export failure is shown at the folder field, in our words, with Rust's fix", async () => {
    const p = await onCheck();
    const fix = "Type the full path of a folder that exists, starting with /, or choose one.";
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "export_pack") throw { code: "export.io", message: "export: /nope: the parent folder does not exist", field: null, fix };
      return null;
    });
    p.exports.folder = "/nope";
    expect(await p.exports.typed()).toBe(false);
    expect(p.errorAt("pack-export.folder")).toBe(MESSAGES["export.io"]);
    expect(p.summary.map((s) => s.text)).toEqual([MESSAGES["export.io"], fix]);
  });

  it("a Cancel in Rust's dialog is said on the page until the page is left and shown again", async () => {
    const p = await onCheck();
    await p.continue();
    await p.continue();
    expect(p.step).toBe("pack-export");
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "export_pack") throw { code: "export.cancelled", message: "nothing was written", field: null, fix: null };
      return null;
    });
    p.exports.folder = "/home/me";
    expect(await p.exports.typed()).toBe(false);
    expect(p.exports.cancelled).toBe(true);
    expect(p.errors).toEqual([]);
    await p.back();
    await p.continue();
    expect(p.step).toBe("pack-export");
    expect(p.exports.cancelled).toBe(false);
  });

  it("a typed folder that is not a full path is refused before Rust is asked", async () => {
    const p = await onCheck();
    p.exports.folder = "";
    expect(await p.exports.typed()).toBe(false);
    expect(p.errorAt("pack-export.folder")).toBe("Enter the folder to export to");
    p.exports.folder = "relative/folder";
    expect(await p.exports.typed()).toBe(false);
    expect(p.errorAt("pack-export.folder")).toBe("Enter the full path of the folder, starting with /");
    expect(p.errors[0].code).toBe("export.folder_not_absolute");
    expect(invoke.mock.calls.some(([cmd]) => cmd === "export_pack")).toBe(false);
  });

  it("apply: a dry run first, then apply; the dry run is only offered for the plan it was made for", async () => {
    const p = await onCheck();
    await p.previewApply();
    expect(calls("apply_pack_aws")[0]).toMatchObject({ dryRun: true });
    expect(p.applyRun.previewFor).toBe(p.planKey);
    await p.applyNow();
    expect(calls("apply_pack_aws")[1]).toMatchObject({ dryRun: false });
    expect(p.applyRun.applied?.changes.map((c) => c.summary)).toEqual(["create role x"]);
    p.setValue("AWS_REGION", "eu-west-1");
    expect(p.applyRun.previewFor).not.toBe(p.planKey);
  });

  it("after apply, Check the roles reads the pack back for this plan only; a failure is kept apart", async () => {
    const p = await onCheck();
    await p.applyNow();
    const probes = [{ id: "aws:role:r", title: "Role r", status: "fail", duration_ms: 1, message: "role r: x (attached) allows something and is not in the pack", fix: "take it off", code: "pack.drift" }];
    invoke.mockImplementationOnce(async (cmd: string) => (cmd === "verify_pack_aws" ? probes : null));
    await p.checkRoles();
    expect(calls("verify_pack_aws")).toEqual([{ plan: p.plan }]);
    expect(p.roleCheck).toEqual({ probes, planKey: p.planKey });
    expect(p.roleCheckError).toBeNull();
    expect(calls("apply_pack_aws").filter((a) => a?.dryRun === false)).toHaveLength(1);

    invoke.mockImplementationOnce(async () => {
      throw { code: "aws.no_credentials", message: "no credentials", field: null, fix: null };
    });
    await p.checkRoles();
    expect(p.roleCheck).toBeNull();
    expect(p.roleCheckError?.code).toBe("aws.no_credentials");
    expect(p.checkingRoles).toBe(false);
  });

  it("a dry run still reading when the sign-in changes is dropped, not shown as the new identity's", async () => {
    const p = await onCheck();
    let answer: (v: unknown) => void = () => {};
    invoke.mockImplementationOnce((cmd: string) => (cmd === "apply_pack_aws" ? new Promise((r) => (answer = r)) : Promise.resolve(null)));
    const reading = p.previewApply();
    await p.signedInChanged(null);
    answer({ caller: { account: "123456789012", arn: "arn:aws:iam::123456789012:user/old" }, dry_run: true, changes: [] });
    await reading;
    expect(p.applyRun.preview).toBeNull();
    expect(p.applyRun.running).toBeNull();
  });

  it("signing in again drops the last check's error, and a check still reading then", async () => {
    const p = await onCheck();
    invoke.mockImplementationOnce(async () => {
      throw { code: "aws.account_mismatch", message: "another account", field: null, fix: null };
    });
    await p.checkRoles();
    expect(p.roleCheckError?.code).toBe("aws.account_mismatch");
    await p.signedInChanged(null);
    expect(p.roleCheckError).toBeNull();

    // A check under way while the sign-in changes: its answer is the old identity's, so it goes.
    let answer: (v: unknown) => void = () => {};
    invoke.mockImplementationOnce((cmd: string) => (cmd === "verify_pack_aws" ? new Promise((r) => (answer = r)) : Promise.resolve(null)));
    const reading = p.checkRoles();
    await p.signedInChanged(null);
    answer([{ id: "aws:role:r", title: "Role r", status: "pass", duration_ms: 1, message: "role r matches", fix: null, code: null }]);
    await reading;
    expect(p.roleCheck).toBeNull();
    expect(p.roleCheckError).toBeNull();
    expect(p.checkingRoles).toBe(false);
  });

  it("presenter mode masks the account id", async () => {
    let presenter = false;
    backend();
    const p = new PackFlow(() => presenter);
    await p.open();
    p.packId = "mlspace";
    await p.continue();
    p.setValue("AWS_ACCOUNT", "123456789012");
    expect(p.show("arn:aws:iam::123456789012:role/x")).toBe("arn:aws:iam::123456789012:role/x");
    presenter = true;
    expect(p.show("arn:aws:iam::123456789012:role/x")).toBe("arn:aws:iam::••••••:role/x");
  });
});

describe("autosave and resume", () => {
  it("saves the pack, every typed value (blanks too) and the page; resuming restores them", async () => {
    backend();
    const p = new PackFlow();
    await p.open();
    p.packId = "mlspace";
    await p.continue();
    p.setValue("AWS_ACCOUNT", "123456789012");
    p.setValue("MLSPACE_APP_ROLE_NAME", ""); // a default cleared on purpose stays cleared
    await p.save();
    const saved = calls("save_draft");
    expect(saved).toHaveLength(1);
    const draft = (saved[0] as { draft: { step: string; plan: { pack: string; variables: Record<string, string> } } }).draft;
    expect(draft.step).toBe("pack-variables");
    expect(draft.plan.pack).toBe("mlspace");
    expect(draft.plan.variables.AWS_ACCOUNT).toBe("123456789012");
    expect(draft.plan.variables.MLSPACE_APP_ROLE_NAME).toBe("");
    await p.save();
    expect(calls("save_draft")).toHaveLength(1); // nothing changed: nothing written

    const q = new PackFlow();
    expect(await q.restore({ version: 1, step: "pack-check", plan: JSON.parse(JSON.stringify(draft.plan)) })).toBe(true);
    expect(q.active).toBe(true);
    expect(q.step).toBe("pack-check");
    expect(q.current.AWS_ACCOUNT).toBe("123456789012");
    expect(q.current.MLSPACE_APP_ROLE_NAME).toBe("");
    expect(q.current.MLSPACE_SYSTEM_ROLE_NAME).toBe("mlspace-system-role"); // defaults fill the rest
  });

  it("a vendor-wizard draft or junk is not a pack draft", async () => {
    backend();
    const q = new PackFlow();
    expect(await q.restore({ version: 1, step: "check", plan: { version: 1, platform: "mlcube" } })).toBe(false);
    expect(await q.restore({ version: 1, step: "pack-check", plan: { pack: 7, variables: "x" } })).toBe(false);
    expect(q.active).toBe(false);
    // An unknown pack (e.g. from an older version) resumes at the choice, with a bad step ignored.
    expect(await q.restore({ version: 1, step: "nowhere", plan: { pack: "gone", variables: { A: 1 } } })).toBe(true);
    expect(q.step).toBe("pack-choose");
  });
});

describe("How do you want to set this up? (the same question as the vendor wizard's)", () => {
  /** Rust with AWS credentials on this computer for `account` (null: none). */
  function withCredentials(account: string | null) {
    backend();
    const base = invoke.getMockImplementation()!;
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
      if (cmd !== "aws_identity") return base(cmd, args);
      if (!account) throw { code: "aws.no_credentials", message: "no credentials", field: null, fix: null };
      return { caller: { account, arn: `arn:aws:iam::${account}:user/me` }, buckets: [], event_buses: [] };
    });
  }

  /** On the question, the pack filled in for `planAccount` (typed over what detection filled in). */
  async function onRoute(planAccount = "123456789012") {
    const p = new PackFlow();
    await p.open();
    p.packId = "mlspace";
    await p.continue();
    await new Promise((r) => setTimeout(r, 0)); // the detection on arrival ends
    for (const [k, v] of Object.entries(filledMlspace())) if (k !== "AWS_PARTITION") p.setValue(k, v);
    p.setValue("AWS_ACCOUNT", planAccount);
    await p.continue();
    expect(p.step).toBe("pack-check");
    await vi.waitFor(() => expect(p.preview).not.toBeNull());
    await p.continue();
    expect(p.step).toBe("pack-route");
    return p;
  }

  it("comes after Check your answers; apply is preselected when the credentials are for the pack's account", async () => {
    withCredentials("123456789012");
    const p = await onRoute();
    expect(p.detectedAccount).toBe("123456789012");
    expect(p.route).toBe("apply");
    expect(p.chosenRoute).toBeNull(); // preselected, not yet answered
    await p.continue();
    expect(p.step).toBe("pack-export");
    expect(p.chosenRoute).toBe("apply"); // Continue made it the answer
    await p.save();
    expect((calls("save_draft").at(-1) as { draft: { plan: { route?: string } } }).draft.plan.route).toBe("apply");
  });

  it("export is preselected without credentials, and with credentials for another account", async () => {
    withCredentials(null);
    expect((await onRoute()).route).toBe("export");
    invoke.mockReset();
    withCredentials("210987654321");
    const p = await onRoute("123456789012");
    expect(p.detectedAccount).toBe("210987654321");
    expect(p.route).toBe("export");
  });

  it("the answer chosen is kept, saved, and restored on resume", async () => {
    withCredentials("123456789012");
    const p = await onRoute();
    p.setRoute("export");
    p.setRoute("nonsense"); // not an answer: ignored
    expect(p.route).toBe("export");
    await p.continue();
    expect(p.step).toBe("pack-export");
    await p.save();
    const draft = (calls("save_draft").at(-1) as { draft: { step: string; plan: unknown } }).draft;
    expect(draft).toMatchObject({ step: "pack-export", plan: { pack: "mlspace", route: "export" } });
    const q = new PackFlow();
    expect(await q.restore({ version: 1, step: draft.step, plan: JSON.parse(JSON.stringify(draft.plan)) })).toBe(true);
    expect(q.step).toBe("pack-export");
    expect(q.chosenRoute).toBe("export");
    expect(q.route).toBe("export");
    await q.back();
    expect(q.step).toBe("pack-route");
  });
});

describe("AWS account from this computer's credentials", () => {
  it("fills an empty AWS_ACCOUNT and AWS_PARTITION from GetCallerIdentity, never over a typed value", async () => {
    backend();
    const base = invoke.getMockImplementation()!;
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) =>
      cmd === "aws_identity"
        ? { caller: { account: "210987654321", arn: "arn:aws-us-gov:iam::210987654321:user/me" }, buckets: [], event_buses: [] }
        : base(cmd, args),
    );
    const p = new PackFlow();
    await p.open();
    p.packId = "mlspace";
    p.setValue("AWS_PARTITION", "");
    await p.continue();
    await p.detectAccount();
    expect(p.current.AWS_ACCOUNT).toBe("210987654321");
    expect(p.current.AWS_PARTITION).toBe("aws-us-gov");
    p.setValue("AWS_ACCOUNT", "123456789012");
    await p.detectAccount();
    expect(p.current.AWS_ACCOUNT).toBe("123456789012");
  });

  it("without credentials the fields stay as they are", async () => {
    backend();
    const base = invoke.getMockImplementation()!;
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === "aws_identity") throw { code: "aws.no_credentials", message: "no credentials", field: null, fix: null };
      return base(cmd, args);
    });
    const p = new PackFlow();
    await p.open();
    p.packId = "mlspace";
    await p.continue();
    await p.detectAccount();
    expect(p.current.AWS_ACCOUNT).toBe("");
  });
});
