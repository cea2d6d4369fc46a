import { describe, expect, it } from "vitest";
import type { IpcError } from "../ipc/index";
import { FolderExport } from "./folder-export.svelte";

function flow() {
  const f = { errors: [] as IpcError[], failed: [] as IpcError[][], fail(problems: IpcError[]) { this.failed.push(problems); this.errors = problems; } };
  return f;
}
const err = (code: IpcError["code"]): IpcError => ({ code, message: "m", field: null, fix: null });

describe("FolderExport", () => {
  it("writes only under a typed full path, and says where", async () => {
    const f = flow();
    const parents: string[] = [];
    const x = new FolderExport(f, "export.folder", async (parent) => {
      parents.push(parent);
      return { dir: `${parent}/trustbridge-x`, files: ["SUMMARY.md"] };
    });
    x.folder = "relative";
    expect(await x.typed()).toBe(false);
    expect(parents).toEqual([]);
    expect(f.failed[0][0]).toMatchObject({ code: "export.folder_not_absolute", field: "export.folder" });
    x.folder = "  /home/a ";
    expect(await x.typed()).toBe(true);
    expect(parents).toEqual(["/home/a"]);
    expect(x.exported?.dir).toBe("/home/a/trustbridge-x");
    expect(f.errors).toEqual([]);
    expect(x.sensitive).toEqual(["/home/a", "/home/a/trustbridge-x"]);
    x.reset();
    expect(x.exported).toBeNull();
  });

  it("a Cancel in Rust's dialog is said, not shown as a problem; a failure shows at the folder", async () => {
    const f = flow();
    let answer = err("export.cancelled");
    const x = new FolderExport(f, "export.folder", () => Promise.reject(answer));
    expect(await x.to("/home/a")).toBe(false);
    expect(x.cancelled).toBe(true);
    expect(f.failed).toEqual([]);
    answer = err("export.io");
    expect(await x.to("/home/a")).toBe(false);
    expect(x.cancelled).toBe(false);
    expect(f.failed[0][0]).toMatchObject({ code: "export.io", field: "export.folder" });
    expect(x.exporting).toBe(false);
    // Back on the page later: an earlier Cancel's note is not shown again.
    answer = err("export.cancelled");
    await x.to("/home/a");
    expect(x.cancelled).toBe(true);
    x.arrived();
    expect(x.cancelled).toBe(false);
  });

  it("one export at a time", async () => {
    const f = flow();
    let release: () => void = () => {};
    const x = new FolderExport(f, "export.folder", () => new Promise((r) => (release = () => r({ dir: "/d", files: [] }))));
    const first = x.to("/a");
    expect(x.exporting).toBe(true);
    expect(await x.to("/b")).toBe(false);
    release();
    expect(await first).toBe(true);
  });
});
