import { describe, expect, it } from "vitest";
import { DryRunApply } from "./apply.svelte";

/** A promise answered from outside, as a dry run still reading the account. */
function pending<T>() {
  let answer: (v: T) => void = () => {};
  const promise = new Promise<T>((r) => (answer = r));
  return { promise, answer };
}

describe("DryRunApply", () => {
  it("a dry run from before a reset neither shows nor holds up the new identity's", async () => {
    const d = new DryRunApply<string>();
    const old = pending<string>();
    const stale = d.dryRun("k", () => old.promise);
    d.reset(); // signed in as someone else while it reads
    const fresh = pending<string>();
    const now = d.dryRun("k", () => fresh.promise);
    expect(d.running).toBe("preview");
    old.answer("the old identity's changes");
    await stale;
    expect(d.preview).toBeNull();
    expect(d.running).toBe("preview"); // the new one is still reading
    fresh.answer("the new identity's changes");
    await now;
    expect(d.preview).toBe("the new identity's changes");
    expect(d.running).toBeNull();
  });

  it("a reset with no new dry run leaves nothing running and nothing shown", async () => {
    const d = new DryRunApply<string>();
    const old = pending<string>();
    const stale = d.dryRun("k", () => old.promise);
    d.reset();
    old.answer("old");
    await stale;
    expect(d.preview).toBeNull();
    expect(d.running).toBeNull();
  });

  it("a second dry run for the same identity waits for the first", async () => {
    const d = new DryRunApply<string>();
    const first = pending<string>();
    const a = d.dryRun("k", () => first.promise);
    let called = false;
    await d.dryRun("k", async () => {
      called = true;
      return "second";
    });
    expect(called).toBe(false);
    first.answer("first");
    await a;
    expect(d.preview).toBe("first");
  });
});
