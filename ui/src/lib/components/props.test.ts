// Components take everything as props (value, error, presenter-mode masking, …): none reaches into a
// flow's state (a `.svelte.ts` module such as the wizard or the role-pack path). Views may.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIR = fileURLToPath(new URL(".", import.meta.url));

/** The relative module specifiers `text` imports. */
function imports(text: string): string[] {
  return [...text.matchAll(/\bfrom\s*["'](\.[^"']*)["']|\bimport\s*\(?\s*["'](\.[^"']*)["']/g)].map((m) => m[1] ?? m[2]);
}

/** Whether `spec`, imported from `file`, is a module with runes state (`x.svelte` → `x.svelte.ts`). */
function isStateModule(file: string, spec: string): boolean {
  const base = resolve(dirname(file), spec);
  if (/\.svelte\.(ts|js)$/.test(base)) return true;
  return base.endsWith(".svelte") && (existsSync(`${base}.ts`) || existsSync(`${base}.js`));
}

describe("components", () => {
  const files = readdirSync(DIR)
    .filter((f) => /\.(svelte|ts)$/.test(f) && !f.endsWith(".test.ts"))
    .map((f) => join(DIR, f));

  it("recognise a state module and a component apart", () => {
    const here = join(DIR, "TextInput.svelte");
    expect(isStateModule(here, "../wizard/wizard.svelte")).toBe(true);
    expect(isStateModule(here, "../pack/pack.svelte")).toBe(true);
    expect(isStateModule(here, "./Checkbox.svelte")).toBe(false);
    expect(isStateModule(here, "../wizard/answers")).toBe(false);
  });

  it("import no flow's state: what they show comes in as props", () => {
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap((f) => imports(readFileSync(f, "utf8"))).length).toBeGreaterThan(0); // the scan is not vacuous
    const offenders = files.flatMap((f) =>
      imports(readFileSync(f, "utf8"))
        .filter((spec) => isStateModule(f, spec))
        .map((spec) => `${f.slice(DIR.length)}: ${spec}`),
    );
    expect(offenders, "components take props; only views read the stores").toEqual([]);
  });
});
