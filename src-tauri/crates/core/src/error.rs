use crate::validate::Problem;

/// Errors of the core crate. Each has a stable code (see [`CoreError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("plan: unsupported plan version {got} (this build reads version 1)")]
    PlanVersion { got: String },
    #[error("plan: not a valid plan at line {line}, column {column}: {message}")]
    PlanParse { line: usize, column: usize, message: String },
    #[error("profile '{id}': {message}")]
    Profile { id: String, message: String },
    #[error("{} problem(s) in the plan:\n{}", .0.len(), .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    #[error("{limit}: {document} is {size} characters, over the limit of {max} ({fix})")]
    SizeLimit { document: String, limit: String, size: usize, max: usize, fix: String },
    #[error("export: {path}: {message}")]
    Export { path: String, message: String },
    #[error("external id: the system random source failed: {0}")]
    Random(String),
}

impl CoreError {
    /// Stable machine-readable code; the UI maps codes to plain language.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::PlanVersion { .. } => "plan.version",
            CoreError::PlanParse { .. } => "plan.parse",
            CoreError::Profile { .. } => "profile.invalid",
            CoreError::Invalid(_) => "validation",
            CoreError::SizeLimit { .. } => "aws.size_limit",
            CoreError::Export { .. } => "export.io",
            CoreError::Random(_) => "random.unavailable",
        }
    }
}
