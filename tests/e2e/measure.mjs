// Benchmark probe (run by tests/bench/wizard.sh through run.sh, not part of the e2e suite):
//  1. start → first step interactive: from the app process's start (kernel start time) to the
//     page's first contentful paint (the browser's Paint Timing entry: the step is on screen), which
//     must come after its `trustbridge-interactive` performance mark (vendor radios rendered from
//     Rust, set when the script has drawn them); a launch that painted something before the step
//     was drawn stops the benchmark rather than count another page's paint. The mark alone comes
//     before the page's first style, layout and paint, which is where the fonts are looked up; a
//     page is not usable before it is painted. Median of BENCH_RUNS WebDriver launches; with
//     BENCH_BASELINE_BIN, the minimal Tauri window is launched after each of ours and the ratio
//     of the two medians is printed (one run, the same machine state for both);
//  2. idle RSS and PSS of the app and all its WebKit child processes, the app started directly
//     (no WebDriver), with and without WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1.
// Prints "# bench <name>: <value>" lines.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { remote } from "webdriverio";
import { appDataDir, appPids } from "./harness.mjs";

const bin = process.env.TRUSTBRIDGE_BIN;
// The minimal Tauri window (tests/bench/wizard.sh builds it), launched after each of ours.
const baseline = process.env.BENCH_BASELINE_BIN;
const port = Number(process.env.TAURI_DRIVER_PORT);
const runs = Number(process.env.BENCH_RUNS ?? 9);
const idleSeconds = Number(process.env.BENCH_IDLE_S ?? 6);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = 100; // Linux USER_HZ (getconf CLK_TCK)

/** Wall-clock time (ms since epoch) at which a process started, from /proc (10 ms resolution). */
function startEpochMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  const uptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const bootEpoch = Date.now() - uptime * 1000;
  return bootEpoch + (startTicks / CLK_TCK) * 1000;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** One launch of `app` through tauri-driver: its figures, or an error when they cannot be told. */
async function launch(app) {
  rmSync(appDataDir(), { recursive: true, force: true });
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    path: "/",
    logLevel: "error",
    capabilities: { "tauri:options": { application: app }, "wdio:enforceWebDriverClassic": true },
  });
  try {
    const [pid] = appPids(app, port);
    const started = startEpochMs(pid);
    let mark = null;
    for (let k = 0; k < 200 && !mark; k += 1) {
      mark = await browser.execute(() => {
        const m = performance.getEntriesByName("trustbridge-interactive")[0];
        const paint = performance.getEntriesByName("first-contentful-paint")[0];
        const ok = document.querySelectorAll('input[name="platform"]').length > 0;
        const handed = performance.getEntriesByName("trustbridge-boot-handed").length > 0;
        const n = performance.getEntriesByType("navigation")[0];
        // Where the page's part goes: the HTML, the first script's modules fetched and evaluated
        // (ui/src/main.ts marks their end), the app mounted (before DOMContentLoaded), then the
        // first step's data from Rust until the mark, then style, layout and the first paint.
        // A page without the evaluated mark (the minimal window) counts all of its scripts as
        // evaluated.
        const e = performance.getEntriesByName("trustbridge-evaluated")[0];
        const mounted = n ? n.domContentLoadedEventStart - n.domInteractive : 0;
        const evaluated = n && e ? e.startTime - n.domInteractive : mounted;
        if (!m || !ok || !paint) return null;
        // Something painted before the step was drawn (the "Loading…" of a page that asked Rust
        // for its data): the first paint says nothing about the step's own, so no figure.
        if (paint.startTime < m.startTime) return "painted-before";
        const shown = paint.startTime;
        const parts = n
          ? [n.responseEnd, evaluated, mounted - evaluated, m.startTime - n.domContentLoadedEventEnd, shown - m.startTime]
          : [0, 0, 0, 0, 0];
        return [performance.timeOrigin, performance.timeOrigin + shown, ...parts, handed];
      });
      if (!mark) await sleep(50);
    }
    if (!mark) throw new Error("the first step never became interactive (its mark and first contentful paint)");
    if (mark === "painted-before") throw new Error("the page painted something before its first step was drawn: this launch cannot tell when the step was shown");
    return { time: mark[1] - started, nav: mark[0] - started, parts: mark.slice(2, 7), handed: mark[7] };
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

/** Prints one window's figures; `label` prefixes every line ("" for the app under test). */
function report(label, runs) {
  const p = label ? `${label} ` : "";
  const times = runs.map((r) => r.time);
  const navs = runs.map((r) => r.nav);
  console.log(`# bench ${p}start-to-interactive runs (ms): ${times.map((t) => t.toFixed(0)).join(" ")}`);
  console.log(`# bench ${p}process-start-to-navigation runs (ms): ${navs.map((t) => t.toFixed(0)).join(" ")}`);
  const part = (k) => median(runs.map((r) => r.parts[k])).toFixed(0);
  console.log(`# bench ${p}first page's data handed by the window (no IPC) in ${runs.filter((r) => r.handed).length} of ${runs.length} runs`);
  console.log(`# bench ${p}page part medians (ms): HTML loaded ${part(0)}, first script fetched + evaluated ${part(1)}, app mounted ${part(2)}, first step's data from Rust → drawn ${part(3)}, drawn → first paint ${part(4)}`);
  // The bimodal launches: some launches spend ≈ 500 ms more before the page's navigation starts
  // (GTK/WebKitGTK start-up). The minimal Tauri window shows the same (tests/bench/wizard.sh runs
  // both), with or without WebKit's sandbox, DMA-BUF renderer or the accessibility bridge, so it is
  // not the wizard's; the fast launches compare the two windows' own work.
  const fastest = Math.min(...navs);
  const fast = times.filter((_, i) => navs[i] - fastest < 300);
  const slow = navs.filter((n) => n - fastest >= 300);
  const extra = slow.length > 0 ? ` ≈ +${(median(slow) - fastest).toFixed(0)} ms before navigation` : "";
  console.log(`# bench ${p}start-to-interactive fast-launch median (ms): ${median(fast).toFixed(0)} (slow start in ${slow.length} of ${navs.length} launches${extra})`);
  console.log(`# bench ${p}start-to-interactive median (ms): ${median(times).toFixed(0)} (of which process start → page navigation start: median ${median(navs).toFixed(0)} ms; load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")})`);
  return { median: median(times), fast: median(fast), nav: median(navs) };
}

/**
 * BENCH_RUNS launches of the app; with BENCH_BASELINE_BIN (the minimal Tauri window), a launch of
 * that one after each of ours, in the same session and driver, so that both see the same machine
 * (its load and GTK/WebKit start-up times drift by tens of ms between runs a minute apart), and
 * their ratio is reported from this one run.
 */
async function startup() {
  const ours = [];
  const base = [];
  for (let i = 0; i < runs; i += 1) {
    ours.push(await launch(bin));
    await sleep(500);
    if (baseline) {
      base.push(await launch(baseline));
      await sleep(500);
    }
  }
  const a = report("", ours);
  if (!baseline) return;
  const b = report("baseline", base);
  console.log(`# bench start-to-interactive, ours / baseline, launches interleaved: median ${(a.median / b.median).toFixed(2)} (goal <= 1.1; ${a.median.toFixed(0)} / ${b.median.toFixed(0)} ms), fast launches ${(a.fast / b.fast).toFixed(2)} (${a.fast.toFixed(0)} / ${b.fast.toFixed(0)} ms), process start → navigation ${a.nav.toFixed(0)} / ${b.nav.toFixed(0)} ms`);
}

function children(pid) {
  const out = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

function tree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i += 1) all.push(...children(all[i]));
  return all;
}

function rollup(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
    const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    return { pid, name, rss: kb("Rss"), pss: kb("Pss") };
  } catch {
    return null;
  }
}

async function memory(label, saving) {
  rmSync(appDataDir(), { recursive: true, force: true });
  const env = { ...process.env };
  // The app turns both settings on unless they are set; "0" keeps WebKit's defaults (WebKitGTK
  // treats "0" as not disabled), which is the "without" case.
  const value = saving ? "1" : "0";
  Object.assign(env, { WEBKIT_DISABLE_DMABUF_RENDERER: value, WEBKIT_DISABLE_COMPOSITING_MODE: value });
  const child = spawn(bin, [], { env, detached: true, stdio: "ignore" });
  try {
    await sleep(idleSeconds * 1000);
    const procs = tree(child.pid).map(rollup).filter(Boolean);
    const rss = procs.reduce((s, p) => s + p.rss, 0);
    const pss = procs.reduce((s, p) => s + p.pss, 0);
    const parts = procs.map((p) => `${p.name}=${(p.pss / 1024).toFixed(0)}`).join(" ");
    console.log(`# bench idle-memory ${label}: RSS ${(rss / 1024).toFixed(0)} MiB, PSS ${(pss / 1024).toFixed(0)} MiB (${procs.length} processes; PSS MiB: ${parts})`);
  } finally {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await sleep(1000);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

try {
  await startup();
  // BENCH_MEMORY=0: the launch figure only (tests/bench/wizard.sh's hello-world baseline).
  if (process.env.BENCH_MEMORY !== "0") {
    await memory("default", false);
    await memory("webkit-saving", true);
  }
  process.exit(0);
} catch (e) {
  console.log(`not ok - measure: ${e?.stack ?? e}`);
  process.exit(1);
}
