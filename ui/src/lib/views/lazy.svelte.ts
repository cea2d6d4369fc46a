// The pages after the first one, loaded as their own scripts.
//
// The first page (vendor and start, or resume) is in the window's first script; the others are
// fetched from the app's own origin once that page is drawn (`preloadViews`, called by main.ts
// after the first frame), so the window starts evaluating a fraction of the code and every later
// page is already here when the user first presses Continue. A page asked for before its script has
// arrived is loaded then and drawn when it arrives (`viewComponent` returns undefined meanwhile).
import type { Component } from "svelte";

type Loader = () => Promise<{ default: Component<any> }>;

const LOADERS = {
  clouds: () => import("./CloudsView.svelte"),
  awsIdentity: () => import("./AwsIdentityView.svelte"),
  awsStorage: () => import("./AwsStorageView.svelte"),
  awsAccounts: () => import("./AwsAccountsView.svelte"),
  gcpIdentity: () => import("./GcpIdentityView.svelte"),
  gcpAccess: () => import("./GcpAccessView.svelte"),
  azureAccess: () => import("./AzureAccessView.svelte"),
  azureIdentity: () => import("./AzureIdentityView.svelte"),
  azureStorage: () => import("./AzureStorageView.svelte"),
  nameList: () => import("./NameListView.svelte"),
  check: () => import("./CheckView.svelte"),
  route: () => import("./RouteView.svelte"),
  export: () => import("./ExportView.svelte"),
  credentials: () => import("./CredentialsView.svelte"),
  vendor: () => import("./VendorView.svelte"),
  send: () => import("./SendView.svelte"),
  test: () => import("./TestView.svelte"),
  done: () => import("./DoneView.svelte"),
  profileWarning: () => import("./ProfileWarningView.svelte"),
  pack: () => import("./PackView.svelte"),
} satisfies Record<string, Loader>;

export type LazyView = keyof typeof LOADERS;

/** Every page loaded by name. */
export const LAZY_VIEWS = Object.keys(LOADERS) as LazyView[];

const loaded: Partial<Record<LazyView, Component<any>>> = $state({});
const pending = new Map<LazyView, Promise<void>>();

/** Fetches one page's script once; a failed fetch may be asked again. */
export function loadView(name: LazyView): Promise<void> {
  let p = pending.get(name);
  if (!p) {
    p = LOADERS[name]().then(
      (module) => {
        loaded[name] = module.default;
      },
      (error: unknown) => {
        pending.delete(name);
        throw error;
      },
    );
    pending.set(name, p);
  }
  return p;
}

/** The page's component if its script is here; otherwise undefined, and its fetch is started. */
export function viewComponent(name: LazyView): Component<any> | undefined {
  const component = loaded[name];
  if (!component) queueMicrotask(() => void loadView(name).catch(() => {}));
  return component;
}

let preloading: Promise<void> = Promise.resolve();

/** Fetches every later page's script, one after another so the first page keeps the thread. */
export function preloadViews(): Promise<void> {
  preloading = (async () => {
    for (const name of LAZY_VIEWS) {
      try {
        await loadView(name);
      } catch {
        // Asked again when the page is needed.
      }
    }
  })();
  return preloading;
}

/**
 * Settles once the later pages' scripts are here (at once when they are, or were never asked for):
 * a page change waits for it before it moves the focus, so the focus never lands on "Loading…".
 */
export function viewsReady(): Promise<void> {
  return preloading;
}
