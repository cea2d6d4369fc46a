use crate::validate::Problem;

/// Errors of the core crate. Each has a stable code (see [`CoreError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("plan: unsupported plan version {got} (this build reads version 1)")]
    PlanVersion { got: String },
    #[error("plan: not a valid plan at line {line}, column {column}{}: {message}", at_field(.field))]
    PlanParse { line: usize, column: usize, field: String, message: String },
    #[error("profile '{id}': {message}")]
    Profile { id: String, message: String },
    /// A vendor profile file refused by its signature (`profile.unsigned`, `profile.unknown_key`,
    /// `profile.bad_signature`; see `profile_trust`).
    #[error("profile '{id}': {message}; {fix}")]
    ProfileSignature { id: String, code: &'static str, message: String, fix: String },
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
    /// Stable machine-readable code; the UI maps codes to plain language.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::PlanVersion { .. } => "plan.version",
            CoreError::PlanParse { .. } => "plan.parse",
            CoreError::Profile { .. } => "profile.invalid",
            CoreError::ProfileSignature { code, .. } => code,
            CoreError::Invalid(_) => "validation",
            CoreError::SizeLimit { .. } => "aws.size_limit",
            CoreError::Export { .. } => "export.io",
            CoreError::Random(_) => "random.unavailable",
        }
    }
}
