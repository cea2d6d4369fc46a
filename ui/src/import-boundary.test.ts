// Only src/lib/ipc may import Tauri's packages: the rest of the UI talks to Rust through it.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL(".", import.meta.url));
const ALLOWED = join("lib", "ipc") + sep;
const SOURCE = /\.(ts|js|mjs|cts|mts|svelte)$/;
const PACKAGE = "@" + "tauri-apps/"; // split so this file does not match itself

/** Lines of `text` that import, re-export or require a Tauri package (static or dynamic). */
export function tauriImports(text: string): string[] {
  const spec = `["'\`]${PACKAGE.replace("/", "\\/")}`;
  const pattern = new RegExp(
    `(?:\\bfrom\\s*${spec}|\\bimport\\s*\\(?\\s*${spec}|\\brequire\\s*\\(\\s*${spec})`,
  );
  return text.split("\n").filter((line) => pattern.test(line));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE.test(entry.name) ? [path] : [];
  });
}

describe("import boundary", () => {
  it("recognises every form of import it is meant to catch", () => {
    const pkg = PACKAGE + "api/core";
    expect(tauriImports(`import { invoke } from "${pkg}";`)).toHaveLength(1);
    expect(tauriImports(`import type { X } from '${pkg}';`)).toHaveLength(1);
    expect(tauriImports(`export * from "${pkg}";`)).toHaveLength(1);
    expect(tauriImports(`import "${pkg}";`)).toHaveLength(1);
    expect(tauriImports(`const m = await import("${pkg}");`)).toHaveLength(1);
    expect(tauriImports(`const m = require("${pkg}");`)).toHaveLength(1);
    expect(tauriImports(`import { call } from "./lib/ipc";`)).toHaveLength(0);
  });

  it("finds no Tauri import outside src/lib/ipc", () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(5);
    const offenders = files
      .map((file) => relative(SRC, file))
      .filter((rel) => !rel.startsWith(ALLOWED))
      .flatMap((rel) =>
        tauriImports(readFileSync(join(SRC, rel), "utf8")).map((line) => `${rel}: ${line.trim()}`),
      );
    expect(offenders, "only src/lib/ipc may import Tauri packages").toEqual([]);
  });

  it("still sees the import inside src/lib/ipc (the scan is not vacuous)", () => {
    const index = readFileSync(join(SRC, "lib", "ipc", "index.ts"), "utf8");
    expect(tauriImports(index).length).toBeGreaterThan(0);
  });
});
