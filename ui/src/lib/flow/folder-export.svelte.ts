// The export into a new folder, as both flows run it: under a folder chosen in the native picker
// Rust raises, or a typed one (a full path, checked here first; Rust confirms it in a native dialog).
// What was written, whether an export is running, and whether the person cancelled are state the
// page shows (`components/ExportFolder.svelte`). A failure shows at the folder field in the flow's
// error summary; a cancelled confirmation is no failure. Talks to Rust only through `write`.
import { pickFolder, type ExportResult } from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";
import { exportProblem, folderProblem } from "./export";

/** The flow the problems are shown in. */
type Flow = { errors: IpcError[]; fail(problems: IpcError[]): void };

export class FolderExport {
  /** The last export (forgotten by `reset`: a new start, the pack path opened again). */
  exported = $state<ExportResult | null>(null);
  /** The typed folder. */
  folder = $state("");
  exporting = $state(false);
  /** The person chose Cancel in Rust's "Write N files to …?" dialog. */
  cancelled = $state(false);

  /**
   * `field`: the folder's field path (where its problems show); `write`: the export itself, into a
   * new folder under `parent`.
   */
  constructor(
    private readonly flow: Flow,
    readonly field: string,
    private readonly write: (parent: string) => Promise<ExportResult>,
  ) {}

  /** What presenter mode hides besides the answers: the typed folder and where the export went. */
  get sensitive(): string[] {
    return [this.folder.trim(), this.exported?.dir ?? ""];
  }

  /** The export page shown again: the note of an earlier Cancel is not (the last export stays). */
  arrived(): void {
    this.cancelled = false;
  }

  /** Forgets the last export (new answers, a new start). */
  reset(): void {
    this.exported = null;
    this.cancelled = false;
  }

  /** Exports into a new folder under `parent`; true when written. */
  async to(parent: string): Promise<boolean> {
    if (this.exporting) return false;
    this.exporting = true;
    this.cancelled = false;
    this.flow.errors = [];
    try {
      this.exported = await this.write(parent);
      return true;
    } catch (e) {
      this.failed(e);
      return false;
    } finally {
      this.exporting = false;
    }
  }

  /** "Choose a folder and export": the native folder picker (closing it exports nothing). */
  async picked(): Promise<boolean> {
    try {
      const folder = await pickFolder();
      return folder ? await this.to(folder) : false;
    } catch (e) {
      this.failed(e);
      return false;
    }
  }

  /** "Export to this folder": the typed path, which must be a full one. */
  async typed(): Promise<boolean> {
    const folder = this.folder.trim();
    const problem = folderProblem(folder, this.field);
    if (problem) {
      this.flow.fail([problem]);
      return false;
    }
    return this.to(folder);
  }

  private failed(e: unknown): void {
    const err = toIpcError(e);
    if (err.code === "export.cancelled") {
      this.cancelled = true;
      return;
    }
    this.flow.fail([exportProblem(err, this.field)]);
  }
}
