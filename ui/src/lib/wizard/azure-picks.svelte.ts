// Azure pick lists for the wizard's Azure pages, as the person's Azure sign-in in the window sees
// them through Resource Manager: the subscriptions (and the sign-in's tenant), then the chosen
// subscription's resource groups, the chosen group's storage accounts and Event Grid topics, and a
// chosen account's containers. Each list is asked only under names picked from the list above it
// (never under a half-typed name), once per name; a complete list of exactly one fills an empty
// answer — only on the person's first visit to its page, for the names still answered, and once.
// Talks to Rust only through $lib/ipc.
import { azureList, type AzureListing, type AzureListRequest } from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";
import type { Answers } from "./answers";

export type AzurePick = "subscriptions" | "resource_groups" | "storage_accounts" | "containers" | "topics";

export class AzurePicks {
  /** Listings by what they list under (see `keyOf`). */
  listed = $state<Record<string, AzureListing>>({});
  /** Why the last listing failed (`azure.no_credentials`: nobody is signed in to Azure here). */
  error = $state<IpcError | null>(null);
  /** Under way, and failed (not asked again until the next sign-in). */
  private pending = new Set<string>();
  private failed = new Set<string>();
  /** Lists that already filled an empty answer. */
  private filled = new Set<string>();
  /** The page last refreshed for: a listing that filled an answer goes on to the list under it. */
  private step = "";
  /** Visits to each Azure page (a list fills answers only on the first). */
  private visits: Record<string, number> = {};

  constructor(private readonly answers: () => Answers) {}

  /** The key of `what` under the answers now (`account`: a container list's storage account), or null when one is missing. */
  private keyOf(what: AzurePick, account = ""): string | null {
    const z = this.answers().azure;
    const sub = z.subscription_id.trim();
    const rg = z.resource_group.trim();
    switch (what) {
      case "subscriptions":
        return "subscriptions";
      case "resource_groups":
        return sub ? `resource_groups:${sub}` : null;
      case "storage_accounts":
      case "topics":
        return sub && rg ? `${what}:${sub}/${rg}` : null;
      case "containers":
        return sub && rg && account ? `containers:${sub}/${rg}/${account}` : null;
    }
  }

  private request(what: AzurePick, account: string): AzureListRequest {
    const z = this.answers().azure;
    const subscription = z.subscription_id.trim();
    const resource_group = z.resource_group.trim();
    switch (what) {
      case "subscriptions":
        return { what };
      case "resource_groups":
        return { what, subscription };
      case "storage_accounts":
      case "topics":
        return { what, subscription, resource_group };
      case "containers":
        return { what, subscription, resource_group, storage_account: account };
    }
  }

  /** The names to pick from for the answers now. */
  names(what: AzurePick, account = ""): string[] {
    const k = this.keyOf(what, account.trim());
    return (k && this.listed[k]?.names) || [];
  }

  /**
   * Who the subscriptions were listed as, when that sign-in is for the tenant answered (or none is
   * answered yet); null otherwise: nobody signed in here, or someone of another tenant.
   */
  actingAs(): string | null {
    const l = this.listed.subscriptions;
    const tenant = this.answers().azure.tenant_id.trim().toLowerCase();
    return l && (tenant === "" || l.tenant.toLowerCase() === tenant) ? l.acting_as : null;
  }

  /** A new sign-in: nothing of the one before is kept, and what failed may be asked again. */
  signedIn(): void {
    this.listed = {};
    this.failed.clear();
    this.error = null;
  }

  /** Start again: nothing listed, filled or visited. */
  reset(): void {
    this.signedIn();
    this.filled.clear();
    this.visits = {};
  }

  /** The person arrived at `step`: a list that failed is asked again, then what the page offers. */
  arrived(step: string): void {
    this.visits[step] = (this.visits[step] ?? 0) + 1;
    if (step.startsWith("azure-")) this.failed.clear();
    this.refresh(step);
  }

  /**
   * Lists what `step` offers and is not listed yet: its lists under the answers now, each only
   * under names picked from the list above it. Idempotent: pages call it whenever an answer changes.
   */
  refresh(step: string): void {
    this.step = step;
    const z = this.answers().azure;
    const picked = (what: AzurePick, v: string) => this.names(what).includes(v.trim());
    const groupPicked = picked("subscriptions", z.subscription_id) && picked("resource_groups", z.resource_group);
    if (!step.startsWith("azure-")) return;
    // Every Azure page makes sure of the lists above its own (the person may have gone on before they came).
    this.ensure("subscriptions");
    if (picked("subscriptions", z.subscription_id)) this.ensure("resource_groups");
    if (step === "azure-storage" && groupPicked) {
      this.ensure("storage_accounts");
      for (const row of z.storage) if (picked("storage_accounts", row.storage_account)) this.ensure("containers", row.storage_account.trim());
    } else if (step === "azure-events" && groupPicked) {
      this.ensure("topics");
    }
  }

  private ensure(what: AzurePick, account = ""): void {
    const key = this.keyOf(what, account);
    if (!key || this.listed[key] || this.pending.has(key) || this.failed.has(key)) return;
    this.pending.add(key);
    void azureList(this.request(what, account))
      .then((listing) => {
        this.listed[key] = listing;
        this.error = null;
        // Still the names answered now (the person may have changed one meanwhile), and all there is.
        if (key === this.keyOf(what, account) && !listing.truncated) this.fillTheOnly(what, key, listing, account);
        this.refresh(this.step);
      })
      .catch((e) => {
        this.failed.add(key);
        this.error = toIpcError(e);
      })
      .finally(() => this.pending.delete(key));
  }

  /** The sign-in's tenant, and exactly one listed with the answer still empty: they are the answers (once per list). */
  private fillTheOnly(what: AzurePick, key: string, l: AzureListing, account: string): void {
    const z = this.answers().azure;
    const page = what === "subscriptions" || what === "resource_groups" ? "azure-identity" : what === "topics" ? "azure-events" : "azure-storage";
    if (what === "subscriptions" && z.tenant_id.trim() === "") z.tenant_id = l.tenant;
    // Its page on screen, visited for the first time.
    if (this.step !== page || this.visits[page] !== 1) return;
    if (l.names.length !== 1 || this.filled.has(key)) return;
    const only = l.names[0];
    const rows = z.storage;
    if (what === "subscriptions" && z.subscription_id.trim() === "") z.subscription_id = only;
    else if (what === "resource_groups" && z.resource_group.trim() === "") z.resource_group = only;
    else if (what === "storage_accounts" && rows.length === 1 && rows[0].storage_account.trim() === "") rows[0].storage_account = only;
    else if (what === "containers") {
      for (const r of rows) if (r.storage_account.trim() === account && r.container.trim() === "") r.container = only;
    } else if (what === "topics" && z.events.length === 1 && z.events[0].name.trim() === "") z.events[0].name = only;
    else return;
    this.filled.add(key);
  }
}
