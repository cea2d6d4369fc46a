//! A small YAML emitter for JSON values (block style, every string double-quoted by
//! [`super::quoted`], which YAML reads back exactly, line separators included). Enough for
//! CloudFormation templates.

use serde_json::Value;

pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    emit(v, 0, &mut out);
    out
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("null".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(super::quoted(s)),
        Value::Array(a) if a.is_empty() => Some("[]".into()),
        Value::Object(o) if o.is_empty() => Some("{}".into()),
        _ => None,
    }
}

/// Words YAML 1.1 reads as null or booleans (CloudFormation's `Null` condition operator is one).
const RESERVED: &[&str] = &["null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"];

fn key(k: &str) -> String {
    if !RESERVED.contains(&k.to_ascii_lowercase().as_str())
        && !k.is_empty()
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        && !k.starts_with(|c: char| c.is_ascii_digit())
    {
        k.to_string()
    } else {
        super::quoted(k)
    }
}

fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(o) if !o.is_empty() => {
            for (k, val) in o {
                match scalar(val) {
                    Some(s) => out.push_str(&format!("{pad}{}: {s}\n", key(k))),
                    None => {
                        out.push_str(&format!("{pad}{}:\n", key(k)));
                        emit(val, indent + 2, out);
                    }
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for item in a {
                match scalar(item) {
                    Some(s) => out.push_str(&format!("{pad}- {s}\n")),
                    None => {
                        // First line of the nested block goes after the dash.
                        let mut inner = String::new();
                        emit(item, indent + 2, &mut inner);
                        let trimmed = inner.trim_start_matches(' ');
                        out.push_str(&format!("{pad}- {trimmed}"));
                    }
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other).expect("scalar"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn reserved_words_are_quoted() {
        assert_eq!(to_yaml(&serde_json::json!({"Null": {"a": "false"}, "Yes": 1})), "\"Null\":\n  a: \"false\"\n\"Yes\": 1\n");
    }

    #[test]
    fn nested() {
        let v = serde_json::json!({"A": {"B": ["x", {"C": 1, "D": [true]}]}, "E": "q\"uote"});
        assert_eq!(to_yaml(&v), "A:\n  B:\n    - \"x\"\n    - C: 1\n      D:\n        - true\nE: \"q\\\"uote\"\n");
    }
}
