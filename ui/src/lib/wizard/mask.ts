// Presenter mode: hides account ids, external ids, tenant and subscription ids and key material
// in any text before it reaches the screen. Pure.

export const MASK = "••••••";

const ACCOUNT_ID = /(?<![0-9])[0-9]{12}(?![0-9])/g;
const GUID = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
const PEM = /-----BEGIN [A-Z ]+-----[\s\S]*?(?:-----END [A-Z ]+-----|$)/g;

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
  return out.replace(GUID, MASK).replace(ACCOUNT_ID, MASK);
}
