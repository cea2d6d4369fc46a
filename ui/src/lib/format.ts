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
