// Field paths of the wizard's own inputs that are not plan fields: Rust (or the page) reports
// errors at them like at a plan field, and the error summary links to them.

/** Field path of the export page's "type a folder" input. */
export const EXPORT_FOLDER = "export.folder";

/** The Credentials page's boxes, where Rust reports a refused key or secret (`credentials.gcp`). */
export const CREDENTIALS_FIELDS = { gcp: "credentials.gcp", azure: "credentials.azure" } as const;
export type CredentialsKind = keyof typeof CREDENTIALS_FIELDS;
