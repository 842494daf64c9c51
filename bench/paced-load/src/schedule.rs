//! When each connection's requests are due.

use std::time::{Duration, Instant};

/// The due times of one connection: every `interval` from its offset, the
/// connections' offsets spread evenly over one interval, until the end.
pub struct Schedule {
    next: Instant,
    interval: Duration,
    end: Instant,
}

impl Schedule {
    pub fn new(start: Instant, length: Duration, rate: f64, connections: u32, index: u32) -> Self {
        let interval = Duration::from_secs_f64(f64::from(connections) / rate);
        let offset = interval.mul_f64(f64::from(index) / f64::from(connections));
        Self {
            next: start + offset,
            interval,
            end: start + length,
        }
    }
}

impl Iterator for Schedule {
    type Item = Instant;

    fn next(&mut self) -> Option<Instant> {
        let due = self.next;
        self.next += self.interval;
        (due < self.end).then_some(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connections_share_the_rate_evenly() {
        let start = Instant::now();
        let length = Duration::from_secs(1);
        let dues: Vec<Vec<Instant>> = (0..4)
            .map(|index| Schedule::new(start, length, 400.0, 4, index).collect())
            .collect();
        assert!(dues.iter().all(|due| due.len() == 100));
        assert_eq!(dues[1][0] - dues[0][0], Duration::from_micros(2500));
        assert_eq!(dues[0][1] - dues[0][0], Duration::from_millis(10));
        assert!(dues.iter().flatten().all(|due| *due < start + length));
    }
}
