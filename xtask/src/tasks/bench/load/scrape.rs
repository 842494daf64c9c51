//! Histograms read from the service's `/metrics`, compared between two
//! scrapes: what happened in between.

use anyhow::bail;

use crate::service::Client;

/// The cumulative buckets of one histogram, summed over the series that
/// match, in the order of their bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// `(le, count)`, the last bound infinite.
    buckets: Vec<(f64, f64)>,
}

/// One scrape of the service's metrics.
pub struct Exposition(String);

impl Exposition {
    pub fn take(metrics_port: u16) -> anyhow::Result<Self> {
        let (status, text) = Client::new(metrics_port).exchange("GET", "/metrics", None)?;
        if status != 200 {
            bail!("GET /metrics got {status}");
        }
        Ok(Self(text))
    }

    /// The histogram `name` (its `_bucket` series) summed over the series
    /// whose labels contain `selector`, such as `operation="verify"`.
    pub fn histogram(&self, name: &str, selector: &str) -> Histogram {
        let prefix = format!("{name}_bucket{{");
        let mut buckets: Vec<(f64, f64)> = Vec::new();
        for line in self.0.lines() {
            let Some(rest) = line.strip_prefix(&prefix) else {
                continue;
            };
            let Some((labels, value)) = rest.rsplit_once("} ") else {
                continue;
            };
            if !labels.contains(selector) {
                continue;
            }
            let bound = labels
                .split("le=\"")
                .nth(1)
                .and_then(|le| le.split('"').next())
                .map(|le| {
                    if le == "+Inf" {
                        f64::INFINITY
                    } else {
                        le.parse().unwrap_or(f64::NAN)
                    }
                });
            let (Some(bound), Ok(count)) = (bound, value.trim().parse::<f64>()) else {
                continue;
            };
            match buckets.iter_mut().find(|(le, _)| *le == bound) {
                Some((_, total)) => *total += count,
                None => buckets.push((bound, count)),
            }
        }
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        Histogram { buckets }
    }
}

impl Histogram {
    /// What was observed after `earlier` was scraped.
    pub fn since(&self, earlier: &Self) -> Self {
        let buckets = self
            .buckets
            .iter()
            .map(|&(le, count)| {
                let before = earlier
                    .buckets
                    .iter()
                    .find(|(bound, _)| *bound == le)
                    .map_or(0.0, |&(_, count)| count);
                (le, count - before)
            })
            .collect();
        Self { buckets }
    }

    /// How many observations there are.
    pub fn count(&self) -> f64 {
        self.buckets.last().map_or(0.0, |&(_, count)| count)
    }

    /// The upper bound of the bucket that holds the `quantile`: the value
    /// that at least that share of observations does not exceed.
    pub fn quantile_bound(&self, quantile: f64) -> Option<f64> {
        let wanted = self.count() * quantile;
        self.buckets
            .iter()
            .find(|&&(_, count)| count >= wanted && count > 0.0)
            .map(|&(le, _)| le)
    }
}

#[cfg(test)]
mod tests {
    use super::Exposition;

    const SCRAPED: &str = "\
# TYPE db_client_connection_wait_time_seconds histogram
db_client_connection_wait_time_seconds_bucket{pool=\"primary\",le=\"0.0005\"} 90
db_client_connection_wait_time_seconds_bucket{pool=\"primary\",le=\"0.001\"} 98
db_client_connection_wait_time_seconds_bucket{pool=\"primary\",le=\"0.0025\"} 100
db_client_connection_wait_time_seconds_bucket{pool=\"primary\",le=\"+Inf\"} 100
db_client_connection_wait_time_seconds_count{pool=\"primary\"} 100
";

    #[test]
    fn a_quantile_falls_in_the_first_bucket_that_holds_it() {
        let histogram =
            Exposition(SCRAPED.to_owned()).histogram("db_client_connection_wait_time_seconds", "");
        assert_eq!(histogram.count(), 100.0);
        assert_eq!(histogram.quantile_bound(0.9), Some(0.0005));
        assert_eq!(histogram.quantile_bound(0.99), Some(0.0025));
    }

    #[test]
    fn only_what_came_after_the_earlier_scrape_counts() {
        let earlier = Exposition(
            "db_client_connection_wait_time_seconds_bucket{pool=\"primary\",le=\"0.0005\"} 80\n\
             db_client_connection_wait_time_seconds_bucket{pool=\"primary\",le=\"0.001\"} 80\n\
             db_client_connection_wait_time_seconds_bucket{pool=\"primary\",le=\"0.0025\"} 80\n\
             db_client_connection_wait_time_seconds_bucket{pool=\"primary\",le=\"+Inf\"} 80\n"
                .to_owned(),
        )
        .histogram("db_client_connection_wait_time_seconds", "pool=\"primary\"");
        let later =
            Exposition(SCRAPED.to_owned()).histogram("db_client_connection_wait_time_seconds", "");
        let between = later.since(&earlier);
        assert_eq!(between.count(), 20.0);
        assert_eq!(between.quantile_bound(0.5), Some(0.0005));
        assert_eq!(between.quantile_bound(0.99), Some(0.0025));
        assert_eq!(
            Exposition(String::new())
                .histogram("absent", "")
                .quantile_bound(0.5),
            None
        );
    }
}
