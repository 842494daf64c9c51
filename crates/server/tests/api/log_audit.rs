//! The log audit. With `DOORMAN_LOG_AUDIT_DIR` set (as `cargo xtask
//! test-db` sets it), the suite's logs are written there in the service's
//! own JSON format, at `debug` and with every statement logged as slow, and
//! so is every secret and piece of personal data the tests send and every
//! token they receive, for the task to search the one for the other once
//! the suite has run.

use std::fs::File;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

const DIRECTORY: &str = "DOORMAN_LOG_AUDIT_DIR";

/// The request fields whose values are secret or personal.
const SENSITIVE_FIELDS: [&str; 8] = [
    "email",
    "password",
    "currentPassword",
    "newPassword",
    "displayName",
    "accessToken",
    "refreshToken",
    "deviceToken",
];

/// Where the values to look for are written, one JSON string per line.
struct Audit {
    sensitive: Mutex<File>,
}

static AUDIT: OnceLock<Option<Audit>> = OnceLock::new();

fn audit() -> Option<&'static Audit> {
    AUDIT.get_or_init(start).as_ref()
}

fn start() -> Option<Audit> {
    let directory = PathBuf::from(std::env::var_os(DIRECTORY)?);
    let create = |name: &str| {
        let path = directory.join(format!("{name}-{}.jsonl", std::process::id()));
        File::create(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
    };
    tracing_subscriber::registry()
        .with(
            server::json_log_layer(Mutex::new(create("logs"))).with_filter(EnvFilter::new("debug")),
        )
        .try_init()
        .expect("the audit's logger is the only one");
    Some(Audit {
        sensitive: Mutex::new(create("sensitive")),
    })
}

/// The flags the service under test gets on top of the test's: when the
/// logs are audited, every statement is logged with its parameters.
pub fn service_flags() -> &'static [&'static str] {
    if audit().is_some() {
        &["--db-slow-query-ms=0"]
    } else {
        &[]
    }
}

/// Notes `value` as one that must not reach the logs, as sent and as the
/// service keeps it (trimmed).
pub fn remember(value: &str) {
    if let Some(audit) = audit() {
        let mut lines = String::new();
        for form in [value, value.trim()] {
            lines.push_str(&serde_json::to_string(form).expect("a string encodes"));
            lines.push('\n');
        }
        audit
            .sensitive
            .lock()
            .expect("not poisoned")
            .write_all(lines.as_bytes())
            .expect("the audit's file takes the value");
    }
}

/// `body`, once every secret or personal value in it is remembered.
pub fn audited(body: Value) -> Value {
    remember_fields_of(&body);
    body
}

/// Remembers every secret or personal value in a request or response body.
pub fn remember_fields_of(value: &Value) {
    match value {
        Value::Object(fields) => {
            for (name, value) in fields {
                match value {
                    Value::String(text) if SENSITIVE_FIELDS.contains(&name.as_str()) => {
                        remember(text);
                    }
                    _ => remember_fields_of(value),
                }
            }
        }
        Value::Array(values) => values.iter().for_each(remember_fields_of),
        _ => {}
    }
}
