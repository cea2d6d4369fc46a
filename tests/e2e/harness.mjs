// Shared helpers for the end-to-end scripts: one WebDriver session on the real app window,
// named checks with a pass/fail tally, screenshots under test-output/e2e/.
// Run through ./run.sh, which provides the environment below.
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, "..", "..");
export const OUT = resolve(process.env.E2E_OUT ?? join(REPO, "test-output", "e2e"));

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set: run this through tests/e2e/run.sh`);
    process.exit(2);
  }
  return value;
}

/** A named test script: `await e2e("smoke", async (t) => { ... })`. Exits 0 only if every check passed. */
export async function e2e(name, body) {
  const bin = required("TRUSTBRIDGE_BIN");
  const port = Number(required("TAURI_DRIVER_PORT"));
  mkdirSync(OUT, { recursive: true });

  let passed = 0;
  let failed = 0;
  let browser;
  const started = Date.now();

  const t = {
    /** A check that lets the script go on when it fails. */
    check(ok, what, detail = "") {
      if (ok) {
        passed += 1;
        console.log(`ok - ${what}`);
      } else {
        failed += 1;
        console.log(`not ok - ${what}${detail ? `: ${detail}` : ""}`);
      }
      return ok;
    },
    /** A check that stops the script when it fails (later steps depend on it). */
    require(ok, what, detail = "") {
      if (!t.check(ok, what, detail)) throw new Stop(what);
    },
    /** Waits for `predicate` (async) to return a truthy value; records one check. */
    async waitFor(predicate, what, { timeout = 15000, interval = 200, fatal = true } = {}) {
      const deadline = Date.now() + timeout;
      let last;
      let error;
      while (Date.now() < deadline) {
        try {
          last = await predicate();
          if (last) return t.check(true, what) && last;
        } catch (e) {
          error = e;
        }
        await new Promise((r) => setTimeout(r, interval));
      }
      const detail = `timed out after ${timeout} ms${error ? ` (${error.message ?? error})` : ""}`;
      if (fatal) t.require(false, what, detail);
      else t.check(false, what, detail);
      return undefined;
    },
    async screenshot(label) {
      const file = join(OUT, `${name}-${label}.png`);
      await browser.saveScreenshot(file);
      console.log(`# screenshot ${file}`);
      return file;
    },
    get browser() {
      return browser;
    },
  };

  try {
    browser = await remote({
      hostname: "127.0.0.1",
      port,
      path: "/",
      logLevel: process.env.E2E_WDIO_LOG ?? "error",
      connectionRetryTimeout: Number(process.env.E2E_SESSION_TIMEOUT ?? 60000),
      connectionRetryCount: 1,
      capabilities: {
        "tauri:options": { application: bin },
        "wdio:enforceWebDriverClassic": true,
      },
    });
    console.log(`# ${name}: session ${browser.sessionId} on ${basename(bin)}`);
    await body(t);
  } catch (e) {
    if (!(e instanceof Stop)) {
      failed += 1;
      console.log(`not ok - ${name} threw: ${e?.stack ?? e}`);
    }
    if (browser) {
      try {
        await t.screenshot("failure");
        writeFileSync(join(OUT, `${name}-failure.html`), await browser.getPageSource());
        console.log(`# page source ${join(OUT, `${name}-failure.html`)}`);
      } catch (inner) {
        console.log(`# could not capture the failure state: ${inner?.message ?? inner}`);
      }
    }
  } finally {
    if (browser) {
      try {
        await browser.deleteSession();
      } catch (e) {
        console.log(`# deleteSession failed: ${e?.message ?? e}`);
      }
    }
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`# ${name}: ${passed} passed, ${failed} failed in ${seconds} s`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

class Stop extends Error {}
