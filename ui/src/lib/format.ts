// Display helpers shared by the views.
import type { Cloud } from "./ipc/bindings/Cloud";

const CLOUD_NAMES: Record<Cloud, string> = {
  aws: "AWS",
  gcp: "Google Cloud",
  azure: "Azure",
};

/** Human names of clouds, e.g. ["aws","gcp"] → "AWS and Google Cloud". */
export function cloudList(clouds: readonly Cloud[]): string {
  const names = clouds.map((c) => CLOUD_NAMES[c] ?? c);
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * Splits text into the parts between which a line may break inside an identifier: after each run
 * of ':' or '/' (ARNs, paths, URLs), e.g. "arn:aws:s3:::b/k" → ["arn:", "aws:", "s3:::", "b/", "k"].
 * The parts join back to `text` exactly. Shown with <wbr> between them (components/Wrappable.svelte),
 * so an ARN wraps at its separators rather than mid-token. Apply it to text as shown (already
 * masked in presenter mode): it adds no characters.
 */
export function breakPoints(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if ((c === ":" || c === "/") && next !== undefined && next !== ":" && next !== "/") {
      parts.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length || parts.length === 0) parts.push(text.slice(start));
  return parts;
}
