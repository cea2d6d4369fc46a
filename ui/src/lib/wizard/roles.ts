// The "it gets the … role" sentences of the resource pages, from the roles the vendor profile
// grants (Rust sends them by the names the cloud's console shows; the wizard never names a role).

/** "the A role", "the A and B roles", "the A, B and C roles". */
export function rolePhrase(roles: readonly string[]): string {
  if (roles.length === 0) return "no role";
  const names = roles.length === 1 ? roles[0] : `${roles.slice(0, -1).join(", ")} and ${roles[roles.length - 1]}`;
  return `the ${names} role${roles.length === 1 ? "" : "s"}`;
}

/** "It gets the Storage Object Viewer role on each bucket, nothing wider." */
export function grantSentence(roles: readonly string[] | undefined, each: string, nothingWider = true): string {
  if (!roles) return "";
  return `It gets ${rolePhrase(roles)} on each ${each}${nothingWider ? ", nothing wider" : ""}.`;
}
