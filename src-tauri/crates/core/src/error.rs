use crate::validate::Problem;

/// Declares a closed list of error codes from one table: the enum, each code's stable string
/// (`as_str`; the UI, the e2e tests and the docs match on it), the generic plain-language fix the
/// catalogue shows (`fix`; an error's own `fix()` says it for the case at hand) and every code
/// (`ALL`). One line per code, so no code can lack its string, its fix or its place in `ALL`.
/// (The secrets crate, which does not depend on this one, has its own copy.)
#[macro_export]
macro_rules! error_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $fix:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every code, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];

            /// The stable string.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )*
                }
            }

            /// What to do about it in general, in plain language (for the catalogue).
            pub const fn fix(self) -> &'static str {
                match self {
                    $( $name::$variant => $fix, )*
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

error_codes! {
    /// The codes of the core crate: its errors' ([`CoreError::error_code`]) and those a validation
    /// [`Problem`] carries instead of its field's (the profile signature codes,
    /// [`Problem::with_code`]). A field's own problem has the code `validation.<field path>`
    /// ([`VALIDATION_PREFIX`], one family).
    pub enum CoreCode {
        PlanVersion = "plan.version" => "Use a plan of version 1, the version this build reads; a plan written by a newer Trustbridge needs that Trustbridge.",
        PlanParse = "plan.parse" => "Correct the plan file where the message points (line, column and field): it must be a JSON plan as `trustbridge schema` describes.",
        ProfileUnreadable = "profile.unreadable" => "Choose a vendor profile file: a regular JSON file of at most 1 MiB.",
        ProfileInvalid = "profile.invalid" => "Ask the vendor for a corrected profile file: it breaks Trustbridge's profile rules or is not a profile; `trustbridge profile verify <file>` names every problem.",
        ProfileUnsigned = "profile.unsigned" => "Ask the vendor for the signed profile (the .json with its .minisig next to it); use an unsigned one only after checking where it came from.",
        ProfileUnknownKey = "profile.unknown_key" => "Ask the vendor for a file signed by a key Trustbridge trusts, or trust the vendor's public key after checking it with the vendor.",
        ProfileBadSignature = "profile.bad_signature" => "Get the profile file and its signature from the vendor again: the file changed after it was signed, or the signature is damaged or belongs to another file. Such a file is never used.",
        Validation = "validation" => "Correct every problem listed, one per field; `trustbridge validate --plan …` lists them all.",
        AwsSizeLimit = "aws.size_limit" => "Grant fewer buckets, prefixes or event buses in one role, or split them across integrations: a policy document is over its IAM size limit.",
        ExportIo = "export.io" => "Choose a folder that exists and that you may write to, with free space; nothing partial is left behind.",
        RandomUnavailable = "random.unavailable" => "The system's secure random source failed: try again, and if it keeps failing, check the operating system.",
    }
}

/// The prefix of a field's validation code, `validation.<field path without indices>`
/// (`validation.aws.storage.bucket`, see [`Problem::code`]): one documented family of codes.
pub const VALIDATION_PREFIX: &str = "validation.";

/// The catalogue's fix for the `validation.<field path>` family.
pub const VALIDATION_FIX: &str =
    "Correct the answer at that field (the code names it): the message says the rule it breaks and the value given.";

/// Errors of the core crate. Each has a stable code (see [`CoreError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("plan: unsupported plan version {got} (this build reads version 1)")]
    PlanVersion { got: String },
    #[error("plan: not a valid plan at line {line}, column {column}{}: {message}", at_field(.field))]
    PlanParse { line: usize, column: usize, field: String, message: String },
    #[error("profile '{id}': {message}")]
    /// A profile (or pack) that breaks the rules. `field` is the profile's top-level key the first
    /// problem is at, when it is one (`aws`, `registration`, …), for a page to point at without
    /// quoting the file.
    Profile { id: String, field: Option<String>, message: String },
    /// A vendor profile file that could not be read (not a regular file, too large, not UTF-8, an
    /// I/O error): `profile.unreadable`. Its text names the file, never its content.
    #[error("profile '{id}': {file}")]
    ProfileUnreadable { id: String, file: crate::profile::Unreadable },
    /// A vendor profile file refused by its signature (`profile.unsigned`, `profile.unknown_key`,
    /// `profile.bad_signature`; see `profile_trust`).
    #[error("profile '{id}': {message}; {fix}")]
    ProfileSignature { id: String, code: CoreCode, message: String, fix: String },
    #[error("{} problem(s) in the plan:\n{}", .0.len(), .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    #[error("{limit}: {document} is {size} characters, over the limit of {max} ({fix})")]
    SizeLimit { document: String, limit: String, size: usize, max: usize, fix: String },
    #[error("export: {path}: {message}")]
    Export { path: String, message: String },
    #[error("external id: the system random source failed: {0}")]
    Random(String),
}

/// `, field a.b[0].c` for messages; nothing for the document itself.
pub fn at_field(field: &str) -> String {
    if field.is_empty() || field == "." {
        String::new()
    } else {
        format!(", field {field}")
    }
}

/// Parses JSON into `T`; a failure names the field path (`aws.storage[0].bucket`), line and column.
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, (String, serde_json::Error)> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        (path, e.into_inner())
    })?;
    // Trailing characters after the document are an error too (as serde_json::from_str has it).
    de.end().map_err(|e| (String::new(), e))?;
    Ok(v)
}

/// A plan parse failure from [`parse_json`].
pub fn plan_parse((field, e): (String, serde_json::Error)) -> CoreError {
    CoreError::PlanParse { line: e.line(), column: e.column(), field, message: e.to_string() }
}

impl CoreError {
    /// The error's code.
    pub fn error_code(&self) -> CoreCode {
        match self {
            CoreError::PlanVersion { .. } => CoreCode::PlanVersion,
            CoreError::PlanParse { .. } => CoreCode::PlanParse,
            CoreError::Profile { .. } => CoreCode::ProfileInvalid,
            CoreError::ProfileUnreadable { .. } => CoreCode::ProfileUnreadable,
            CoreError::ProfileSignature { code, .. } => *code,
            CoreError::Invalid(_) => CoreCode::Validation,
            CoreError::SizeLimit { .. } => CoreCode::AwsSizeLimit,
            CoreError::Export { .. } => CoreCode::ExportIo,
            CoreError::Random(_) => CoreCode::RandomUnavailable,
        }
    }

    /// Stable machine-readable code; the UI maps codes to plain language.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
}
