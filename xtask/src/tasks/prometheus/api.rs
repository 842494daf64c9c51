//! Prometheus's HTTP API: instant queries and the loaded rules.

use std::fmt::Write as _;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::service::Client;

/// The API of the Prometheus on a port of 127.0.0.1.
pub struct Api {
    client: Client,
}

/// One rule as Prometheus evaluates it.
pub struct Rule {
    pub name: String,
    /// `ok`, `err` or `unknown` (not evaluated yet).
    pub health: String,
}

impl Api {
    pub fn new(port: u16) -> Self {
        Self {
            client: Client::new(port),
        }
    }

    /// The value of the one sample that `query` gives now.
    pub fn scalar(&self, query: &str) -> anyhow::Result<f64> {
        let result = self.query(query)?;
        let [sample] = result.as_slice() else {
            bail!("{} samples instead of one", result.len());
        };
        // Values are strings, so that NaN and infinities fit: `"0.0019"`.
        let text = sample["value"][1]
            .as_str()
            .with_context(|| format!("a sample without a value: {sample}"))?;
        text.parse()
            .with_context(|| format!("a value that is no number: {text}"))
    }

    /// The value of `label` in each series that `query` gives now.
    pub fn label_values(&self, query: &str, label: &str) -> anyhow::Result<Vec<String>> {
        Ok(self
            .query(query)?
            .iter()
            .filter_map(|series| series["metric"][label].as_str().map(str::to_owned))
            .collect())
    }

    /// The rules of group `group`, as evaluated last.
    pub fn rules(&self, group: &str) -> anyhow::Result<Vec<Rule>> {
        let data = self.get("/api/v1/rules")?;
        let groups = data["groups"].as_array().context("no groups")?;
        let rules = groups
            .iter()
            .filter(|found| found["name"] == group)
            .flat_map(|found| found["rules"].as_array().into_iter().flatten())
            .map(|rule| Rule {
                name: rule["name"].as_str().unwrap_or("(no name)").to_owned(),
                health: rule["health"].as_str().unwrap_or("(no health)").to_owned(),
            })
            .collect();
        Ok(rules)
    }

    /// The series of an instant query's vector.
    fn query(&self, query: &str) -> anyhow::Result<Vec<Value>> {
        let data = self.get(&format!("/api/v1/query?query={}", urlencode(query)))?;
        if data["resultType"] != "vector" {
            bail!("a {} instead of a vector", data["resultType"]);
        }
        data["result"]
            .as_array()
            .cloned()
            .context("a vector without its series")
    }

    /// The `data` of a successful answer.
    fn get(&self, path: &str) -> anyhow::Result<Value> {
        let (status, mut answer) = self
            .client
            .request("GET", path, None)
            .with_context(|| format!("cannot ask Prometheus GET {path}"))?;
        if status != 200 || answer["status"] != "success" {
            bail!("Prometheus answered {status}: {answer}");
        }
        Ok(answer["data"].take())
    }
}

/// `text` as one component of a URL's query: every byte but the unreserved
/// ones percent-encoded.
fn urlencode(text: &str) -> String {
    text.bytes().fold(String::new(), |mut encoded, byte| {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
        encoded
    })
}

#[cfg(test)]
mod tests;
