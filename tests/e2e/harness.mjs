// Shared helpers for the end-to-end scripts: one WebDriver session on the real app window,
// named checks with a pass/fail tally, screenshots under test-output/e2e/.
// Run through ./run.sh, which provides the environment below.
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
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

/** The app's data dir (where the wizard autosaves its draft) inside the private XDG_DATA_HOME. */
export function appDataDir() {
  return join(required("XDG_DATA_HOME"), "dev.trustbridge.wizard");
}

function parentPid(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/**
 * PIDs of the app processes started by OUR tauri-driver (the one on TAURI_DRIVER_PORT): other
 * test runs on the machine may run the same binary.
 */
export function appPids(bin = required("TRUSTBRIDGE_BIN"), port = required("TAURI_DRIVER_PORT")) {
  // `trustbridge` with no subcommand execs `trustbridge-window` from its folder (the same process).
  const exes = [bin, `${bin.slice(0, bin.lastIndexOf("/"))}/trustbridge-window`];
  const ours = (pid) => {
    for (let p = parentPid(pid), depth = 0; p > 1 && depth < 10; p = parentPid(p), depth += 1) {
      const args = cmdline(p);
      if (args.some((a) => a.endsWith("tauri-driver")) && args.includes(String(port))) return true;
    }
    return false;
  };
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return exes.includes(readlinkSync(`/proc/${pid}/exe`)) && ours(pid);
      } catch {
        return false;
      }
    });
}

/** A named test script: `await e2e("smoke", async (t) => { ... })`. Exits 0 only if every check passed.
 *  Each script starts with no saved draft unless `{ keepDraft: true }`. `{ application }` starts the
 *  app through another executable (a wrapper that sets the app's environment and execs the binary). */
export async function e2e(name, body, { keepDraft = false, application = null } = {}) {
  const bin = required("TRUSTBRIDGE_BIN");
  const port = Number(required("TAURI_DRIVER_PORT"));
  mkdirSync(OUT, { recursive: true });
  if (!keepDraft) rmSync(appDataDir(), { recursive: true, force: true });

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
    /** kill -9 the app (as a crash would), then start it again in a new WebDriver session. */
    async crashAndRestart() {
      const pids = appPids(bin, port);
      t.require(pids.length >= 1, "found the app process to kill", `pids ${JSON.stringify(pids)}`);
      for (const pid of pids) process.kill(pid, "SIGKILL");
      const deadline = Date.now() + 5000;
      while (appPids(bin, port).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      t.check(appPids(bin, port).length === 0, `app killed with SIGKILL (pid ${pids.join(", ")})`);
      try {
        await browser.deleteSession();
      } catch {
        // the session died with the app
      }
      browser = await connect();
      console.log(`# ${name}: new session ${browser.sessionId}`);
    },
  };

  const connect = () =>
    remote({
      hostname: "127.0.0.1",
      port,
      path: "/",
      logLevel: process.env.E2E_WDIO_LOG ?? "error",
      connectionRetryTimeout: Number(process.env.E2E_SESSION_TIMEOUT ?? 60000),
      connectionRetryCount: 1,
      capabilities: {
        "tauri:options": { application: application ?? bin },
        "wdio:enforceWebDriverClassic": true,
      },
    });

  try {
    browser = await connect();
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

  // Stop what the script started (a rig and its emulators) before the process ends: an exit would
  // cut the rig's own clean-up short and leave its emulators running.
  for (const fn of cleanups.splice(0)) {
    try {
      await fn();
    } catch (e) {
      console.log(`# clean-up failed: ${e?.message ?? e}`);
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`# ${name}: ${passed} passed, ${failed} failed in ${seconds} s`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

const cleanups = [];

/** An async clean-up run after the session, before the script's process exits. */
export function atEnd(fn) {
  cleanups.push(fn);
}

class Stop extends Error {}
