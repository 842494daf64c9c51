//! What this task asks Prometheus, and which answers are sane: the queries
//! that the dashboard and the alert rules rest on, the rules themselves,
//! and every metric that the service documents.

use std::fmt;
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::api::Api;
use crate::interrupt;

/// A query whose one sample must be in a range.
struct Question {
    name: &'static str,
    query: &'static str,
    expected: &'static str,
    sane: fn(f64) -> bool,
    show: fn(f64) -> String,
}

const QUESTIONS: [Question; 4] = [
    Question {
        name: "target up",
        query: r#"up{job="doorman"}"#,
        expected: "= 1",
        sane: |value| value == 1.0,
        show: |value| format!("{value}"),
    },
    Question {
        name: "p95 db statement",
        query: "histogram_quantile(0.95, sum by (le) \
                (rate(db_client_operation_duration_seconds_bucket[30s])))",
        expected: "in (0, 10 s)",
        sane: |value| value > 0.0 && value < 10.0,
        show: |value| format!("{:.2} ms", value * 1e3),
    },
    Question {
        name: "pool utilisation",
        query: r#"sum(db_client_connection_count{db_client_connection_state="used"}) / sum(db_client_connection_max)"#,
        expected: "in [0, 1]",
        sane: |value| (0.0..=1.0).contains(&value),
        show: ratio,
    },
    Question {
        name: "statements under 100 ms",
        query: r#"sum(rate(db_client_operation_duration_seconds_bucket{le="0.1"}[30s])) / sum(rate(db_client_operation_duration_seconds_count[30s]))"#,
        expected: "in [0, 1]",
        sane: |value| (0.0..=1.0).contains(&value),
        show: ratio,
    },
];

/// The group of `deploy/prometheus/alerts.yml`, and its number of rules.
const GROUP: &str = "doorman";
const RULES: usize = 9;

/// Every metric of the operators' table, as Prometheus names it (the
/// `_bucket` series of a histogram); the service runs with a replica, so
/// the replica's are there too.
const METRICS: [&str; 20] = [
    "http_server_request_duration_seconds_bucket",
    "http_server_active_requests",
    "db_client_operation_duration_seconds_bucket",
    "db_client_connection_count",
    "db_client_connection_max",
    "db_client_connection_idle_max",
    "db_client_connection_idle_min",
    "db_client_connection_pending_requests",
    "db_client_connection_wait_time_seconds_bucket",
    "db_client_connection_use_time_seconds_bucket",
    "db_client_connection_create_time_seconds_bucket",
    "db_client_connection_timeouts_total",
    "doorman_auth_attempts_total",
    "doorman_password_hash_duration_seconds_bucket",
    "doorman_password_hash_queue",
    "doorman_transaction_attempts_total",
    "doorman_purge_deleted_total",
    "doorman_db_replica_lag_seconds",
    "doorman_db_replica_up",
    "doorman_db_replica_fallbacks_total",
];
const METRICS_QUERY: &str = r#"count by (__name__) ({job="doorman"})"#;

/// One answer, and whether it is sane.
pub struct Finding {
    name: &'static str,
    answer: String,
    expected: String,
    asked: String,
    pub sane: bool,
}

/// Asks everything once a second until every answer is sane or `deadline`
/// passes: the last answers.
pub fn poll(api: &Api, deadline: Instant) -> anyhow::Result<Vec<Finding>> {
    loop {
        interrupt::check()?;
        let findings = ask(api);
        if findings.iter().all(|finding| finding.sane) || Instant::now() >= deadline {
            return Ok(findings);
        }
        sleep(Duration::from_secs(1));
    }
}

fn ask(api: &Api) -> Vec<Finding> {
    let mut findings: Vec<Finding> = QUESTIONS
        .iter()
        .map(|question| {
            let (answer, sane) = match api.scalar(question.query) {
                Ok(value) => ((question.show)(value), (question.sane)(value)),
                Err(error) => (format!("{error:#}"), false),
            };
            Finding {
                name: question.name,
                answer,
                expected: question.expected.to_owned(),
                asked: question.query.to_owned(),
                sane,
            }
        })
        .collect();
    findings.push(rules(api));
    findings.push(metrics(api));
    findings
}

/// Whether Prometheus loaded every rule of the group and evaluated each
/// without error.
fn rules(api: &Api) -> Finding {
    let (answer, sane) = match api.rules(GROUP) {
        Ok(rules) => {
            let unhealthy: Vec<String> = rules
                .iter()
                .filter(|rule| rule.health != "ok")
                .map(|rule| format!("{} {}", rule.name, rule.health))
                .collect();
            let healthy = rules.len() - unhealthy.len();
            let mut answer = format!("{} rules, {healthy} ok", rules.len());
            if !unhealthy.is_empty() {
                answer += &format!(" ({})", unhealthy.join(", "));
            }
            (answer, rules.len() == RULES && unhealthy.is_empty())
        }
        Err(error) => (format!("{error:#}"), false),
    };
    Finding {
        name: "alert rules",
        answer,
        expected: format!("{RULES} rules, all ok"),
        asked: format!("GET /api/v1/rules (group {GROUP})"),
        sane,
    }
}

/// Whether Prometheus holds a series of every documented metric.
fn metrics(api: &Api) -> Finding {
    let (answer, sane) = match api.label_values(METRICS_QUERY, "__name__") {
        Ok(names) => {
            let missing: Vec<&str> = METRICS
                .into_iter()
                .filter(|metric| !names.iter().any(|name| name == metric))
                .collect();
            let mut answer = format!("{} of {}", METRICS.len() - missing.len(), METRICS.len());
            if !missing.is_empty() {
                answer += &format!(" (missing: {})", missing.join(", "));
            }
            (answer, missing.is_empty())
        }
        Err(error) => (format!("{error:#}"), false),
    };
    Finding {
        name: "metrics scraped",
        answer,
        expected: format!("all {}", METRICS.len()),
        asked: METRICS_QUERY.to_owned(),
        sane,
    }
}

/// A fraction, and as a percentage.
fn ratio(value: f64) -> String {
    format!("{value:.3} ({:.1}%)", value * 100.0)
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<24} = {:<16} expected {:<16} {}\n      {}",
            self.name,
            self.answer,
            self.expected,
            if self.sane { "PASS" } else { "FAIL" },
            self.asked
        )
    }
}
