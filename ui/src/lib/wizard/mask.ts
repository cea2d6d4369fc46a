// Presenter mode: hides account ids, AWS Organizations ids, external ids, tenant and subscription ids, key material, the
// person in a caller ARN, a home folder's owner, and the plan's own identifiers (project, buckets,
// storage accounts, …: the values given) in any text before it reaches the screen. Pure.

export const MASK = "••••••";

const ACCOUNT_ID = /(?<![0-9])[0-9]{12}(?![0-9])/g;
const GUID = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
const PEM = /-----BEGIN [A-Z ]+-----[\s\S]*?(?:-----END [A-Z ]+-----|$)/g;
/** The person behind a caller ARN: an IAM user's name, a federated user's, an assumed role's
 * session name (often an e-mail address). The role name and the account stay (the account masked). */
const PRINCIPAL_NAME = /(:(?:user|federated-user)\/(?:[^\s"',;()<>]*\/)?|:assumed-role\/[^\s"',;()<>/]+\/)[^\s"',;()<>]+/g;
/**
 * An AWS Organizations id: the organization (`o-…`), its root (`r-…`), an organizational unit
 * (`ou-…-…`), a service control policy (`p-…`, the customer's own; AWS's `p-FullAWSAccess` is public).
 */
const ORG_ID = /\b(?:o-[a-z0-9]{10,32}|r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|p-[0-9a-z_]{8,128})\b/g;
/** A home folder's owner in a path (`/home/alice/…`, `/Users/alice/…`): export folders. */
const HOME = /(\/(?:home|Users)\/)[^/\s"',;()<>]+/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `text` with every sensitive value replaced by a mask: the given values (case-insensitive, also
 * when they appear inside ARNs or JSON), any 12-digit AWS account id, any GUID (Azure tenant and
 * subscription ids) and any PEM block.
 */
export function mask(text: string, sensitive: readonly string[] = []): string {
  let out = text.replace(PEM, MASK);
  const values = [...new Set(sensitive.filter((v) => v.length >= 3))].sort((a, b) => b.length - a.length);
  if (values.length > 0) {
    out = out.replace(new RegExp(values.map(escapeRegExp).join("|"), "gi"), MASK);
  }
  return out
    .replace(GUID, MASK)
    .replace(ACCOUNT_ID, MASK)
    .replace(ORG_ID, MASK)
    .replace(PRINCIPAL_NAME, `$1${MASK}`)
    .replace(HOME, `$1${MASK}`);
}
