// Vendor profile files in the wizard: "Use a vendor profile file…" asks Rust (which raises the
// native file picker itself: the page never names a file); a file signed by a trusted key becomes a
// choice and is selected; an unsigned or unknown-key one goes to the warning page, where only Rust's
// native yes (accept_unsigned_profile) makes it usable; refusals show in the error summary with our
// wording; a resumed draft asks again. IPC is mocked at @tauri-apps/api/core.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CUSTOM, MLCUBE } from "./fixtures.test-util";
import { describeError } from "../ipc/messages";
import type { ImportedProfile } from "../ipc/bindings/ImportedProfile";
import type { ErrorCode } from "../ipc/index";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args), Channel: class {} }));
vi.stubGlobal("window", { scrollTo() {} });
vi.stubGlobal("document", { getElementById: () => null });

const { Wizard } = await import("./wizard.svelte");

type Args = Record<string, unknown>;
type Call = [string, Args | undefined];
const calls = (name: string) => (invoke.mock.calls as Call[]).filter(([c]) => c === name).map(([, a]) => a);

const ID = "imported:0123456789abcdef";
const KEY = "A1B2C3D4E5F60718";
const ACME = { ...CUSTOM, id: ID, display_name: "Acme ML", description: "Acme's profile" };
const imported = (origin: string, usable: boolean, key_id: string | null = null): ImportedProfile => ({
  profile: ACME,
  vendor_profile_id: "acme",
  origin,
  key_id,
  signer: origin === "signed" ? "Acme ML" : null,
  usable,
  grants: ["AWS: on each bucket you choose: s3:ListBucket, s3:GetObject"],
});
const err = (code: ErrorCode, field: string | null = null) => ({ code, message: `rust says ${code}`, field, fix: null });

function backend(answer: (cmd: string, args: Args) => unknown) {
  invoke.mockImplementation(async (cmd: string, args: Args) => {
    const r = await answer(cmd, args);
    if (r !== undefined) return r;
    switch (cmd) {
      case "list_profiles":
        return [MLCUBE, CUSTOM];
      case "load_draft":
        return null;
      case "validate_plan":
        return [];
      default:
        return null;
    }
  });
}

async function started() {
  const w = new Wizard();
  await w.init();
  return w;
}

beforeEach(() => invoke.mockReset());
afterEach(() => vi.clearAllMocks());

describe("Use a vendor profile file…", () => {
  it("a file signed by a trusted key becomes a choice and is selected; the page sends no path", async () => {
    backend((cmd) => (cmd === "import_profile" ? imported("signed", true, KEY) : undefined));
    const w = await started();
    await w.files.pick();
    expect(calls("import_profile")).toEqual([undefined]);
    expect(w.screen).toBe("wizard");
    expect(w.profiles.map((p) => p.id)).toEqual(["mlcube", "custom", ID]);
    expect(w.answers.platform).toBe(ID);
    expect(w.profile?.display_name).toBe("Acme ML");
    expect(w.plan.platform).toBe(ID);
    expect(calls("accept_unsigned_profile")).toHaveLength(0);
  });

  it("an unsigned file goes to the warning page and is used only after Rust's native yes", async () => {
    let accepted = false;
    backend((cmd) => {
      if (cmd === "import_profile") return imported("no-signature", false);
      if (cmd === "accept_unsigned_profile") {
        if (!accepted) throw err("profile.accept_cancelled");
        return imported("no-signature", true);
      }
    });
    const w = await started();
    await w.files.pick();
    expect(w.screen).toBe("profile-warning");
    expect(w.files.pending?.key_id).toBeNull();
    expect(w.answers.platform).toBe("");
    expect(w.profiles.map((p) => p.id)).not.toContain(ID);

    // Cancel in Rust's dialog: still not used, the page says why.
    await w.files.accept();
    expect(calls("accept_unsigned_profile")).toEqual([{ id: ID }]);
    expect(w.screen).toBe("profile-warning");
    expect(w.answers.platform).toBe("");
    expect(w.summary.map((s) => s.text)).toEqual([describeError(err("profile.accept_cancelled"))]);

    accepted = true;
    await w.files.accept();
    expect(w.screen).toBe("wizard");
    expect(w.step).toBe("start");
    expect(w.answers.platform).toBe(ID);
    expect(w.errors).toEqual([]);
  });

  it("an unknown key shows its fingerprint; Choose another vendor drops the file", async () => {
    backend((cmd) => (cmd === "import_profile" ? imported("unknown-key", false, KEY) : undefined));
    const w = await started();
    w.answers.platform = "mlcube";
    await w.files.pick();
    expect(w.screen).toBe("profile-warning");
    expect(w.files.pending?.key_id).toBe(KEY);
    await w.files.chooseAnother();
    expect(w.screen).toBe("wizard");
    expect(w.files.pending).toBeNull();
    expect(w.answers.platform).toBe("mlcube");
    expect(calls("accept_unsigned_profile")).toHaveLength(0);
  });

  it("a bad signature or a content error is refused in the error summary in our words; Cancel says nothing", async () => {
    for (const code of ["profile.bad_signature", "profile.invalid", "profile.unreadable"] as const) {
      backend((cmd) => {
        if (cmd === "import_profile") throw err(code, code === "profile.invalid" ? "profile.azure" : "signature");
      });
      const w = await started();
      w.answers.platform = "mlcube";
      await w.files.pick();
      expect(w.screen).toBe("wizard");
      expect(w.answers.platform).toBe("mlcube");
      expect(w.attempts).toBe(1);
      expect(w.summary[0].text).toBe(describeError(err(code)));
      expect(w.summary[0].text).not.toContain("rust says");
      expect(w.summary[0].href ?? null).toBeNull();
    }
    backend((cmd) => {
      if (cmd === "import_profile") throw err("profile.import_cancelled");
    });
    const w = await started();
    await w.files.pick();
    expect(w.errors).toEqual([]);
    expect(w.attempts).toBe(0);
  });

  it("a resumed draft with an unsigned imported profile asks again, then goes on where it was", async () => {
    const draft = { version: 1, step: "clouds", plan: { version: 1, platform: ID, integration: { name: "A", project_id: "p" } } };
    backend((cmd) => {
      if (cmd === "load_draft") return draft;
      if (cmd === "imported_profile") return imported("no-signature", false);
      if (cmd === "accept_unsigned_profile") return imported("no-signature", true);
    });
    const w = await started();
    expect(w.screen).toBe("resume");
    await w.resume();
    expect(calls("imported_profile")).toEqual([{ id: ID }]);
    expect(w.screen).toBe("profile-warning");
    await w.files.accept();
    expect(w.screen).toBe("wizard");
    expect(w.step).toBe("clouds");
    expect(w.answers.platform).toBe(ID);
  });

  it("a draft resumed at a page only its unsigned vendor has goes back there once accepted, not to the start", async () => {
    // "Connect to {vendor}" exists only for a profile with a registration API: which page the draft
    // resumes at is worked out after "Use it anyway" made the profile a choice again.
    const registering = { ...imported("no-signature", true), profile: { ...MLCUBE, id: ID, display_name: "Acme ML" } };
    const aws = { account_id: "123456789012", region: "eu-west-1", buckets: [{ bucket: "b" }] };
    const draft = { version: 1, step: "vendor", plan: { version: 1, platform: ID, integration: { name: "A", project_id: "p" }, aws } };
    backend((cmd) => {
      if (cmd === "load_draft") return draft;
      if (cmd === "imported_profile") return { ...registering, usable: false };
      if (cmd === "accept_unsigned_profile") return registering;
    });
    const w = await started();
    await w.resume();
    expect(w.screen).toBe("profile-warning");
    await w.files.accept();
    expect(w.screen).toBe("wizard");
    expect(w.step).toBe("vendor");
  });

  it("a resumed draft whose imported profile Rust no longer has starts over at the vendor choice", async () => {
    const draft = { version: 1, step: "clouds", plan: { version: 1, platform: ID, integration: { name: "A", project_id: "p" } } };
    backend((cmd) => {
      if (cmd === "load_draft") return draft;
      if (cmd === "imported_profile") throw err("profile.not_imported", "platform");
    });
    const w = await started();
    await w.resume();
    expect(w.screen).toBe("wizard");
    expect(w.step).toBe("start");
    expect(w.answers.platform).toBe("");
    expect(w.summary[0].text).toBe(describeError(err("profile.not_imported")));
  });

  it("every code the import can answer with has our own message", () => {
    for (const code of [
      "profile.import_cancelled", "profile.unsigned", "profile.unknown_key", "profile.bad_signature", "profile.invalid",
      "profile.unreadable", "profile.accept_cancelled", "profile.not_imported", "dialog.failed",
    ] as const) {
      expect(describeError(err(code)), code).not.toBe(`rust says ${code}`);
    }
  });
});
