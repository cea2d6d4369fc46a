import { describe, expect, it } from "vitest";
import { LAZY_VIEWS, loadView, preloadViews, viewComponent, viewsReady } from "./lazy.svelte";


describe("the later pages' scripts", () => {
  it("are not here before they are asked for, and each one loads as a component", async () => {
    expect(viewComponent("done")).toBeUndefined();
    await loadView("done");
    expect(typeof viewComponent("done")).toBe("function");
  });

  it("are all here once the preload has settled, and a page change then waits for nothing", async () => {
    const preload = preloadViews();
    const ready = viewsReady();
    await preload;
    await ready;
    expect(LAZY_VIEWS.length).toBe(20);
    for (const name of LAZY_VIEWS) expect(typeof viewComponent(name), name).toBe("function");
  });
});
