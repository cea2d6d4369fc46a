// The rig of emulators and marked TEST DOUBLES (src-tauri/crates/cloud/examples/e2e_rig.rs), shared
// by the scripts: started with a one-line JSON spec on its stdin (secrets and the vendor API key
// travel there, never in argv), answers with the environment for the app (and the vendor double's
// URL), answers questions (`"vendor"`: what the ML cube double received, checked by the rig, never a
// secret) and stops everything when its stdin closes. Also: a wrapper that starts the app with an
// environment of its own, and the canary search of the session's files.
import { spawn } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { atEnd, OUT } from "./harness.mjs";

/** Starts the rig with `spec`; resolves with `{rig, env, vendor_url?, gcp_key_id?, ask(question), stop()}`. */
export async function startRig(spec) {
  const rig = spawn(process.env.TRUSTBRIDGE_E2E_RIG, [], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: rig.stdout });
  const waiting = [];
  const ready = new Promise((resolve, reject) => {
    rig.on("exit", (code) => {
      reject(new Error(`the rig exited (${code}) before it was ready`));
      for (const w of waiting.splice(0)) w.reject(new Error(`the rig exited (${code})`));
    });
    lines.once("line", (line) => {
      lines.on("line", (l) => waiting.shift()?.resolve(JSON.parse(l)));
      resolve(JSON.parse(line));
    });
  });
  rig.stdin.write(`${JSON.stringify(spec)}\n`);
  const first = await ready;
  // Closing stdin asks the rig to stop its emulators and doubles by PID; await it, or the process
  // exit below (SIGTERM) can cut that short and leave the emulators running.
  const stop = () =>
    new Promise((resolve) => {
      if (rig.exitCode !== null || rig.signalCode !== null) return resolve();
      const bound = setTimeout(resolve, 15000);
      rig.once("exit", () => {
        clearTimeout(bound);
        resolve();
      });
      rig.stdin.end();
    });
  atEnd(stop);
  process.on("exit", () => rig.kill("SIGTERM"));
  return {
    rig,
    ...first,
    stop,
    /** One question (a JSON value), one JSON answer. */
    ask(question) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        rig.stdin.write(`${JSON.stringify(question)}\n`);
      });
    },
  };
}

/**
 * A script that starts the app with `env` (exports) and `unset` (names), for it alone. `name` keeps
 * several wrappers of one script apart.
 */
export function appWrapper(env, { name = "trustbridge-on-rig.sh", unset = [] } = {}) {
  const file = join(process.env.HOME, name);
  const q = (v) => `'${String(v).replace(/'/g, "'\\''")}'`;
  const lines = ["#!/bin/sh", ...Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`)];
  if (unset.length > 0) lines.push(`unset ${unset.join(" ")}`);
  lines.push(`exec ${q(process.env.TRUSTBRIDGE_BIN)} "$@"`, "");
  writeFileSync(file, lines.join("\n"));
  chmodSync(file, 0o755);
  return file;
}

/** The AWS environment of a demo against moto (as moto.mjs's wrapper sets it), as variables. */
export function motoEnv(url, region) {
  return {
    env: {
      AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: region,
      AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    },
    unset: ["AWS_PROFILE", "AWS_SESSION_TOKEN", "TRUSTBRIDGE_VENDOR_PROFILE", "TRUSTBRIDGE_VENDOR_ACCESS_KEY_ID", "TRUSTBRIDGE_VENDOR_SECRET_ACCESS_KEY", "TRUSTBRIDGE_VENDOR_API_URL"],
  };
}

/**
 * Files of the private session that contain any of `needles`: HOME (export folders included), the
 * XDG dirs, the private TMPDIR and the logs in test-output/e2e (tauri-driver.log holds the app's
 * stdout and stderr). The keyring's own file is encrypted.
 */
export function canaryFiles(needles) {
  const roots = ["HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "TMPDIR"].map((k) => process.env[k]).filter(Boolean);
  roots.push(OUT);
  const hits = [];
  const walk = (dir, depth) => {
    let entries = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < 12) walk(p, depth + 1);
      else if (e.isFile()) {
        try {
          if (statSync(p).size > 50 * 1024 * 1024) continue;
          const text = readFileSync(p).toString("latin1");
          if (needles.some((n) => text.includes(n))) hits.push(p);
        } catch {
          // sockets, vanished files
        }
      }
    }
  };
  for (const r of new Set(roots)) walk(r, 0);
  return [...new Set(hits)];
}
