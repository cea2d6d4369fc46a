// A real moto server for the end-to-end tests: started on a free 127.0.0.1 port in its own process
// group and stopped by its PID; seeded with boto3; and a wrapper that starts the app with the AWS
// environment of a demo against it (and nothing from a real AWS config).
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** `env`: extra environment for moto (e.g. MOTO_IAM_LOAD_MANAGED_POLICIES=true). */
export async function startMoto(env = {}) {
  const port = await freePort();
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { detached: true, stdio: "ignore", env: { ...process.env, ...env } });
  const url = `http://127.0.0.1:${port}`;
  let exited = null;
  child.on("exit", (code) => (exited = code ?? "signal"));
  child.on("error", (e) => (exited = e.message));
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`moto_server exited (${exited}): pip install 'moto[server]'`);
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  stopMoto(child);
  throw new Error("moto_server did not answer within 20 s");
}

/** Stops the moto we started, by its PID (its own process group: the pyenv shim execs python). */
export function stopMoto(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    try {
      process.kill(child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}

/** Runs `py` (Python with boto3; `kw` holds the endpoint and credentials) against moto at `url`. */
export function boto(url, region, py) {
  const code = `import boto3\nkw = dict(endpoint_url=${JSON.stringify(url)}, aws_access_key_id="testing", aws_secret_access_key="testing")\n${py}`;
  const r = spawnSync("python3", ["-c", code], { env: { ...process.env, AWS_DEFAULT_REGION: region }, encoding: "utf8", timeout: 60000 });
  if (r.status !== 0) throw new Error(`boto3 against moto failed: ${r.stderr || r.error}`);
  return r.stdout;
}

/** The app with the AWS environment of a demo against moto (and nothing from a real AWS config). */
export function motoWrapper(url, region) {
  const bin = process.env.TRUSTBRIDGE_BIN;
  const file = join(process.env.HOME, "trustbridge-on-moto.sh");
  const q = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;
  writeFileSync(
    file,
    [
      "#!/bin/sh",
      `export AWS_ENDPOINT_URL=${q(url)} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=${region}`,
      "export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null",
      "unset AWS_PROFILE AWS_SESSION_TOKEN TRUSTBRIDGE_VENDOR_PROFILE TRUSTBRIDGE_VENDOR_ACCESS_KEY_ID TRUSTBRIDGE_VENDOR_SECRET_ACCESS_KEY",
      `exec ${q(bin)} "$@"`,
      "",
    ].join("\n"),
  );
  chmodSync(file, 0o755);
  return file;
}

/** Python: a client of member `account` (through its OrganizationAccountAccessRole), for seeding and read-backs. */
export const MEMBER_PY = `def member(account, service):
    c = boto3.client("sts", **kw).assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
    return boto3.client(service, endpoint_url=kw["endpoint_url"], aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
`;

/**
 * An AWS Organization on moto: the management account (moto's default 123456789012) makes it, a
 * unit "Training" and `n` member accounts in it (each gets OrganizationAccountAccessRole, as AWS
 * does), each with its bucket `org-data-<id>` made with the member's own credentials; `extra`
 * (Python, with `ids` and `ou` in scope) runs after. Returns { ou, ids }.
 */
export function seedOrganization(url, region, n = 2, extra = "") {
  const out = boto(
    url,
    region,
    `${MEMBER_PY}
org = boto3.client("organizations", **kw)
org.create_organization(FeatureSet="ALL")
root = org.list_roots()["Roots"][0]["Id"]
ou = org.create_organizational_unit(ParentId=root, Name="Training")["OrganizationalUnit"]["Id"]
ids = []
for i in range(${n}):
    a = org.create_account(AccountName=f"team-{i}", Email=f"team{i}@example.com")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=a, SourceParentId=root, DestinationParentId=ou)
    member(a, "s3").create_bucket(Bucket=f"org-data-{a}")
    ids.append(a)
${extra}
print(" ".join([ou] + ids))`,
  );
  const [ou, ...ids] = out.trim().split(" ");
  return { ou, ids };
}
