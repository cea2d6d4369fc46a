// Google Cloud pick lists for the wizard's Google Cloud pages: the projects the person's sign-in
// sees (the window's "Sign in with Google", else this computer's gcloud application-default
// login), then the chosen project's buckets and Pub/Sub topics. Rust lists them (names a plan may
// hold, nothing else); here they become datalists, and a complete list of exactly one fills an
// empty answer — only on the person's first visit to its page, for the project still answered, and
// once (an answer emptied or left empty on purpose stays so) — as the vendor's only project is on
// "Connect to {vendor}". Talks to Rust only through $lib/ipc.
import { gcpList, type GcpListing } from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";
import type { Answers, NameRow } from "./answers";

export type GcpPick = "projects" | "buckets" | "topics";

/** The page whose pick list is listed on arrival, and after a sign-in made on it. */
export const GCP_PICK_STEPS: Readonly<Record<string, GcpPick>> = {
  "gcp-identity": "projects",
  "gcp-storage": "buckets",
  "gcp-events": "topics",
};

export class GcpPicks {
  /** Each list as last listed, with the project it was listed for ("" for the projects). */
  listed = $state<Record<GcpPick, { listing: GcpListing; project: string } | null>>({ projects: null, buckets: null, topics: null });
  /** Why the last listing failed (`gcp.no_credentials`: nobody is signed in; the project page offers to). */
  error = $state<IpcError | null>(null);
  /** Lists that already filled an empty answer (once each: an answer emptied on purpose stays empty). */
  private filled = new Set<string>();
  /** Moved on by every listing: an older answer is dropped. */
  private asked: Record<GcpPick, number> = { projects: 0, buckets: 0, topics: 0 };
  /** Visits to each Google Cloud page, and the page on screen (see `arrived`). */
  private visits: Record<string, number> = {};
  private step = "";

  constructor(private readonly answers: () => Answers) {}

  private project(): string {
    return this.answers().gcp.project_id.trim();
  }

  /** The names to pick from on `what`'s page: for the project answered now, else none. */
  names(what: GcpPick): string[] {
    const l = this.listed[what];
    if (!l || (what !== "projects" && l.project !== this.project())) return [];
    return l.listing.names;
  }

  /** Who `what` was listed as (null: not listed). */
  actingAs(what: GcpPick): string | null {
    return this.listed[what]?.listing.acting_as ?? null;
  }

  /** The person arrived at `step`: what it asks for is listed (nothing on other pages). */
  async arrived(step: string): Promise<void> {
    this.step = step;
    this.visits[step] = (this.visits[step] ?? 0) + 1;
    await this.listFor(step);
  }

  /** Lists what `step` asks for (nothing on other pages). */
  async listFor(step: string): Promise<void> {
    const what = GCP_PICK_STEPS[step];
    if (what) await this.list(what);
  }

  /** Start again: nothing listed, filled or visited. */
  reset(): void {
    this.listed = { projects: null, buckets: null, topics: null };
    this.error = null;
    this.filled.clear();
    this.visits = {};
    for (const k of Object.keys(this.asked) as GcpPick[]) this.asked[k] += 1;
  }

  async list(what: GcpPick): Promise<void> {
    const project = what === "projects" ? "" : this.project();
    if (what !== "projects" && project === "") return;
    const turn = ++this.asked[what];
    try {
      const listing = await gcpList(what === "projects" ? { what } : { what, project });
      if (turn !== this.asked[what]) return;
      this.listed[what] = { listing, project };
      this.error = null;
      if (!listing.truncated) this.fillTheOnly(what, listing.names, project);
    } catch (e) {
      if (turn !== this.asked[what]) return;
      this.listed[what] = null;
      this.error = toIpcError(e);
    }
  }

  /** Exactly one listed and the answer still empty: it is the answer (once per list and project). */
  private fillTheOnly(what: GcpPick, names: string[], project: string): void {
    const key = `${what}:${project}`;
    const page = Object.keys(GCP_PICK_STEPS).find((s) => GCP_PICK_STEPS[s] === what) ?? "";
    // Its page on screen, visited for the first time, and the project the list is of still answered.
    if (this.step !== page || this.visits[page] !== 1 || (what !== "projects" && project !== this.project())) return;
    if (names.length !== 1 || this.filled.has(key)) return;
    const g = this.answers().gcp;
    if (what === "projects") {
      if (g.project_id.trim() !== "") return;
      g.project_id = names[0];
    } else {
      const rows: NameRow[] = what === "buckets" ? g.storage : g.events;
      if (rows.length !== 1 || rows[0].name.trim() !== "") return;
      rows[0].name = names[0];
    }
    this.filled.add(key);
  }
}
