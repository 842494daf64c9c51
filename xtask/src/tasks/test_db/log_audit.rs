//! The log audit of the black-box suite. The suite writes its logs (in the
//! service's JSON format) and the secrets and personal data its tests sent
//! or received into a directory; this searches every string of every log
//! line for those values, and for anything shaped like an email address, an
//! access token, a refresh or device token or a password hash, whoever made
//! it.

use std::collections::BTreeSet;
use std::fmt;
use std::fs::{self, File};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use anyhow::Context as _;
use regex::Regex;
use serde_json::Value;

use crate::workspace;

/// The variable that tells the suite where to write.
pub const DIRECTORY_VARIABLE: &str = "DOORMAN_LOG_AUDIT_DIR";

/// Shorter values would match ordinary words (a display name of `Ada`);
/// every email, token and hash is found by its shape whatever its length.
const SHORTEST_VALUE: usize = 6;

/// How many findings are printed; the count says how many there were.
const SHOWN: usize = 20;

/// The shapes that no log line may hold, whatever the tests remembered.
const SHAPES: [(&str, &str); 4] = [
    (
        "an email address",
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    ),
    (
        "an access token",
        r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.",
    ),
    (
        "a refresh or device token",
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}",
    ),
    ("a password hash", r"\$argon2(?:id|i|d)\$"),
];

/// What proves that the logs searched are the service's, as the audit
/// means them: a line of a request's span, and a statement logged with its
/// parameters. Without them a clean search would prove nothing.
const EXPECTED: [(&str, &str); 2] = [
    ("a line of a request's span", "\"name\":\"http.request\""),
    (
        "a statement logged with its parameters",
        "\"db.query.parameters\"",
    ),
];

/// The directory the suite writes into, emptied for each run.
pub struct LogAudit {
    directory: PathBuf,
}

/// What the search found.
pub enum Verdict {
    /// No test of the run started the service.
    NothingCaptured,
    /// These many log lines hold none of these many values, nor any shape.
    Clean { lines: usize, values: usize },
    /// The logs lack what shows that they are the service's.
    Missing { lines: usize, what: &'static str },
    /// The values and shapes found, where.
    Leaks {
        lines: usize,
        findings: Vec<Finding>,
    },
}

/// Something that should not be in one string of a log line.
struct Hit {
    field: String,
    what: &'static str,
    excerpt: String,
}

/// A hit, and the line it is on.
pub struct Finding {
    file: PathBuf,
    line: usize,
    hit: Hit,
}

impl fmt::Display for Finding {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}:{}: `{}` holds {}: {}",
            self.file.display(),
            self.line,
            self.hit.field,
            self.hit.what,
            self.hit.excerpt
        )
    }
}

impl LogAudit {
    pub fn prepare() -> anyhow::Result<Self> {
        Ok(Self {
            directory: workspace::fresh_dir("log-audit")?,
        })
    }

    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// Searches what the suite wrote.
    pub fn search(&self) -> anyhow::Result<Verdict> {
        let logs = self.files("logs-")?;
        if logs.is_empty() {
            return Ok(Verdict::NothingCaptured);
        }
        let values = self.remembered()?;
        let searcher = Searcher::new(&values)?;
        let mut lines = 0;
        let mut seen = [false; EXPECTED.len()];
        let mut findings = Vec::new();
        for file in &logs {
            let opened =
                File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
            for (index, line) in BufReader::new(opened).lines().enumerate() {
                let line = line.with_context(|| format!("cannot read {}", file.display()))?;
                lines += 1;
                for (seen, (_, marker)) in seen.iter_mut().zip(EXPECTED) {
                    *seen |= line.contains(marker);
                }
                findings.extend(searcher.search_line(&line).into_iter().map(|hit| Finding {
                    file: file.clone(),
                    line: index + 1,
                    hit,
                }));
            }
        }
        if let Some((_, (what, _))) = seen.iter().zip(EXPECTED).find(|(seen, _)| !**seen) {
            return Ok(Verdict::Missing { lines, what });
        }
        Ok(if findings.is_empty() {
            Verdict::Clean {
                lines,
                values: values.len(),
            }
        } else {
            Verdict::Leaks { lines, findings }
        })
    }

    /// Tells what the search found, and whether the audit passed: a run of
    /// the whole suite must also have captured the service's logs.
    pub fn report(&self, verdict: &Verdict, whole_suite: bool) -> bool {
        match verdict {
            Verdict::NothingCaptured if whole_suite => {
                eprintln!(
                    "xtask: log audit: the suite wrote no logs to {}: is {DIRECTORY_VARIABLE} \
                     reaching it?",
                    self.directory.display()
                );
                false
            }
            Verdict::NothingCaptured => {
                eprintln!("xtask: log audit: no test started the service, nothing to search");
                true
            }
            Verdict::Clean { lines, values } => {
                eprintln!(
                    "xtask: log audit: {lines} log lines hold none of the {values} secrets \
                     and personal values the tests used, and nothing shaped like one"
                );
                true
            }
            Verdict::Missing { lines, what } => {
                eprintln!(
                    "xtask: log audit: the {lines} log lines in {} hold no {what}, so they \
                     cannot show that the service's logs are clean",
                    self.directory.display()
                );
                // A few tests picked by name may have no statement to log.
                !whole_suite
            }
            Verdict::Leaks { lines, findings } => {
                eprintln!(
                    "xtask: log audit: {} findings in {lines} log lines (in {}):",
                    findings.len(),
                    self.directory.display()
                );
                for finding in findings.iter().take(SHOWN) {
                    eprintln!("  {finding}");
                }
                false
            }
        }
    }

    fn files(&self, prefix: &str) -> anyhow::Result<Vec<PathBuf>> {
        let mut files = workspace::entries(&self.directory)?;
        files
            .retain(|path| workspace::file_name(path).is_some_and(|name| name.starts_with(prefix)));
        Ok(files)
    }

    /// Every value the tests remembered, long enough to search for.
    fn remembered(&self) -> anyhow::Result<BTreeSet<String>> {
        let mut values = BTreeSet::new();
        for file in self.files("sensitive-")? {
            let text = fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            for line in text.lines() {
                let value: String = serde_json::from_str(line)
                    .with_context(|| format!("{}: not a JSON string", file.display()))?;
                if value.chars().count() >= SHORTEST_VALUE {
                    values.insert(value);
                }
            }
        }
        Ok(values)
    }
}

/// The remembered values and the shapes, compiled.
struct Searcher {
    values: Option<AhoCorasick>,
    shapes: Vec<(&'static str, Regex)>,
}

impl Searcher {
    fn new(values: &BTreeSet<String>) -> anyhow::Result<Self> {
        let values = if values.is_empty() {
            None
        } else {
            Some(AhoCorasick::new(values).context("cannot compile the remembered values")?)
        };
        let shapes = SHAPES
            .iter()
            .map(|&(what, pattern)| Ok((what, Regex::new(pattern)?)))
            .collect::<Result<_, regex::Error>>()
            .context("cannot compile the shapes")?;
        Ok(Self { values, shapes })
    }

    /// Everything found in one log line: in each string of it when it is
    /// JSON (as the service writes), in the line itself otherwise.
    fn search_line(&self, line: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        match serde_json::from_str::<Value>(line) {
            Ok(value) => self.search_value("", &value, &mut hits),
            Err(_) => self.search_text("(not JSON)", line, &mut hits),
        }
        hits
    }

    fn search_value(&self, path: &str, value: &Value, hits: &mut Vec<Hit>) {
        match value {
            Value::String(text) => self.search_text(path, text, hits),
            Value::Array(values) => {
                for (index, value) in values.iter().enumerate() {
                    self.search_value(&format!("{path}[{index}]"), value, hits);
                }
            }
            Value::Object(fields) => {
                for (name, value) in fields {
                    let path = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    self.search_text(&format!("{path} (its name)"), name, hits);
                    self.search_value(&path, value, hits);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    fn search_text(&self, field: &str, text: &str, hits: &mut Vec<Hit>) {
        let remembered = self
            .values
            .as_ref()
            .is_some_and(|values| values.is_match(text))
            .then_some("a value a test sent or received");
        let shaped = self
            .shapes
            .iter()
            .filter(|(_, shape)| shape.is_match(text))
            .map(|(what, _)| *what);
        hits.extend(remembered.into_iter().chain(shaped).map(|what| Hit {
            field: field.to_owned(),
            what,
            excerpt: text.chars().take(120).collect(),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found_in(values: &[&str], line: &str) -> Vec<String> {
        let values = values.iter().map(|&value| value.to_owned()).collect();
        Searcher::new(&values)
            .expect("compiles")
            .search_line(line)
            .into_iter()
            .map(|hit| format!("{}: {}", hit.field, hit.what))
            .collect()
    }

    #[test]
    fn a_remembered_value_is_found_in_any_string_of_a_line_even_escaped() {
        let line = r#"{"message":"slow","spans":[{"name":"q","p":"say \"Ada Lovelace\""}]}"#;
        assert_eq!(
            found_in(&["Ada Lovelace"], line),
            ["spans[0].p: a value a test sent or received"]
        );
    }

    #[test]
    fn emails_tokens_and_hashes_are_found_by_their_shape() {
        let line = concat!(
            r#"{"a":"mail ada@example.co.uk","b":"eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxIn0.sig","#,
            r#""c":"0193a5c2-7b1e-7c3a-9f4e-2d8b6a1c0e55.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","#,
            r#""d":"$argon2id$v=19$m=1024"}"#
        );
        assert_eq!(
            found_in(&[], line),
            [
                "a: an email address",
                "b: an access token",
                "c: a refresh or device token",
                "d: a password hash"
            ]
        );
    }

    #[test]
    fn ids_addresses_and_connection_strings_are_not_mistaken_for_secrets() {
        let line = concat!(
            r#"{"request.id":"0193a5c2-7b1e-7c3a-9f4e-2d8b6a1c0e55","ip":"2001:db8::1","#,
            r#""db":"postgres://postgres@127.0.0.1:5432/doorman","user.id":"0193a5c2"}"#
        );
        assert!(found_in(&["correct horse"], line).is_empty());
    }

    /// The verdict on a directory holding these logs and remembered values.
    fn verdict_on(name: &str, logs: &str, remembered: &str) -> Verdict {
        let directory =
            std::env::temp_dir().join(format!("doorman-log-audit-{name}-{}", std::process::id()));
        fs::create_dir_all(&directory).expect("a scratch directory");
        fs::write(directory.join("logs-1.jsonl"), logs).expect("written");
        fs::write(directory.join("sensitive-1.jsonl"), remembered).expect("written");
        let verdict = LogAudit {
            directory: directory.clone(),
        }
        .search()
        .expect("searched");
        fs::remove_dir_all(&directory).expect("removed");
        verdict
    }

    #[test]
    fn logs_without_the_services_requests_and_statements_prove_nothing() {
        let verdict = verdict_on("missing", "{\"message\":\"client connected\"}\n", "");
        assert!(
            matches!(verdict, Verdict::Missing { lines: 1, what } if what.contains("request")),
            "a client's line alone is not the service's logs"
        );
    }

    #[test]
    fn the_services_logs_are_clean_only_without_a_remembered_value() {
        let service = concat!(
            r#"{"message":"request refused","spans":[{"name":"http.request"}]}"#,
            "\n",
            r#"{"message":"slow database statement","db.query.parameters":"email=[redacted]"}"#,
            "\n",
        );
        let remembered = "\"hunter2hunter2\"\n\"Ada\"\n";
        assert!(matches!(
            verdict_on("clean", service, remembered),
            Verdict::Clean {
                lines: 2,
                values: 1
            }
        ));
        let leaked = format!("{service}{{\"message\":\"oops hunter2hunter2\"}}\n");
        assert!(matches!(
            verdict_on("leaked", &leaked, remembered),
            Verdict::Leaks { lines: 3, ref findings } if findings.len() == 1
        ));
    }

    #[test]
    fn a_line_that_is_not_json_is_searched_whole() {
        assert_eq!(
            found_in(&["hunter2hunter2"], "panicked at hunter2hunter2"),
            ["(not JSON): a value a test sent or received"]
        );
    }
}
