// Vendor profile files in the wizard: "Use a vendor profile file…" (Rust raises the native file
// picker, reads and verifies the file; the page never names a file), the warning page for one no
// trusted key signed ("Use it anyway" only asks Rust, which asks the person in its own native
// dialog), and a resumed draft's imported profile, verified again. The wizard's pages and its
// problems are the wizard's (`ProfileFilesContext`); the files imported are kept here.
import { tick } from "svelte";
import { acceptUnsignedProfile, importedProfile, importProfile, type ImportedProfile, type ProfileSummary } from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";
import { applyProfileDefaults, type Answers } from "./answers";
import type { StepId } from "./steps";

/** The `platform` of a vendor profile file imported through Rust's file picker. */
export const IMPORTED_PREFIX = "imported:";

/** What the vendor profile files need of the wizard. */
export interface ProfileFilesContext {
  /** The vendor choices: an imported file that is usable joins them. */
  profiles: ProfileSummary[];
  readonly answers: Answers;
  readonly profile: ProfileSummary | null;
  /** The warning page is a screen of its own; "wizard" is the pages. */
  screen: "loading" | "failed" | "resume" | "wizard" | "profile-warning";
  errors: IpcError[];
  busy: boolean;
  fail(problems: IpcError[]): void;
  goTo(step: StepId): Promise<void>;
}

export class ProfileFiles {
  /** Vendor profile files imported through Rust's file picker, by their `imported:…` id. */
  imported = $state<Record<string, ImportedProfile>>({});
  /** An imported file not signed by a trusted key: the warning page shows it until used or dropped. */
  pending = $state<ImportedProfile | null>(null);
  /** Rust's file picker is open (or the file is being read). */
  importing = $state(false);
  /**
   * Where "Use it anyway" leads: the start page, or the page a resumed draft was at — worked out
   * once the profile is a choice again, since which pages exist depends on it.
   */
  private afterAccept: () => StepId = () => "start";

  constructor(private readonly w: ProfileFilesContext) {}

  /**
   * "Use a vendor profile file…": signed by a trusted key, it becomes a choice, selected; unsigned
   * or an unknown key: the warning page; refused (a bad signature, a content error): the error
   * summary; Cancel: nothing.
   */
  async pick(): Promise<void> {
    if (this.importing) return;
    this.importing = true;
    this.w.errors = [];
    try {
      const imported = await importProfile();
      if (imported.usable) {
        this.add(imported);
        this.select(imported.profile);
      } else this.warn(imported, () => "start");
    } catch (e) {
      const error = toIpcError(e);
      if (error.code === "profile.import_cancelled") return;
      // A content error names the part of the file it is in (Rust never echoes the file's content).
      const part = error.code === "profile.invalid" && error.field?.startsWith("profile.") ? error.field.slice("profile.".length) : null;
      const fix = part ? `The problem is in the file's "${part}" part. ${error.fix ?? ""}`.trim() : error.fix;
      this.w.fail([{ ...error, field: null, fix }]);
    } finally {
      this.importing = false;
    }
  }

  /**
   * "Use it anyway" on the warning page: only the person's yes in Rust's native dialog (which shows
   * the key fingerprint) makes the profile usable. Cancel there: it stays unused and the page says so.
   */
  async accept(): Promise<void> {
    const pending = this.pending;
    if (!pending || this.w.busy) return;
    this.w.busy = true;
    this.w.errors = [];
    try {
      const accepted = await acceptUnsignedProfile(pending.profile.id);
      if (!accepted.usable) return;
      this.add(accepted);
      this.select(accepted.profile);
      this.pending = null;
      this.w.screen = "wizard";
      await this.w.goTo(this.afterAccept());
    } catch (e) {
      this.w.fail([{ ...toIpcError(e), field: null }]);
    } finally {
      this.w.busy = false;
    }
  }

  /** "Choose another vendor" on the warning page: the file is not used. */
  async chooseAnother(): Promise<void> {
    const pending = this.pending;
    this.pending = null;
    if (pending && this.w.answers.platform === pending.profile.id) this.w.answers.platform = "";
    this.w.screen = "wizard";
    await this.w.goTo("start");
  }

  /**
   * A resumed draft's vendor, when it is a file imported in an earlier run: Rust verifies its kept
   * copy again. Usable: a choice again, and true. Not signed by a trusted key: asked about again
   * (an acceptance is never remembered) on the warning page, whose "Use it anyway" leads to the
   * page `resumeAt` names once the profile is a choice again (a vendor's own pages exist only with
   * it), and false. Gone or refused: the vendor question again with Rust's problem, and false.
   */
  async restore(resumeAt: () => StepId): Promise<boolean> {
    const platform = this.w.answers.platform;
    if (!platform.startsWith(IMPORTED_PREFIX) || this.w.profiles.some((p) => p.id === platform)) return true;
    try {
      const imported = await importedProfile(platform);
      if (imported.usable) {
        this.add(imported);
        return true;
      }
      this.warn(imported, resumeAt);
    } catch (e) {
      this.w.answers.platform = "";
      this.w.screen = "wizard";
      await this.w.goTo("start");
      this.w.fail([{ ...toIpcError(e), field: null }]);
    }
    return false;
  }

  private warn(imported: ImportedProfile, after: () => StepId): void {
    this.imported = { ...this.imported, [imported.profile.id]: imported };
    this.pending = imported;
    this.afterAccept = after;
    this.w.errors = [];
    this.w.screen = "profile-warning";
    void tick().then(() => {
      window.scrollTo(0, 0);
      document.getElementById("page-heading")?.focus();
    });
  }

  /** A usable imported profile becomes one of the vendor choices. */
  private add(imported: ImportedProfile): void {
    this.imported = { ...this.imported, [imported.profile.id]: imported };
    this.w.profiles = [...this.w.profiles.filter((p) => p.id !== imported.profile.id), imported.profile];
  }

  private select(p: ProfileSummary): void {
    const previous = this.w.profile;
    this.w.answers.platform = p.id;
    if (previous !== p) applyProfileDefaults(this.w.answers, p, previous);
  }
}
