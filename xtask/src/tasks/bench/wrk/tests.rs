use std::time::Duration;

use super::{Outcome, parse};

#[test]
fn a_clean_run_has_its_rate_latencies_and_no_errors() {
    let printed = "\
Running 5s test @ http://127.0.0.1:41234/v1/users/me
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.07ms  208.71us   6.02ms   87.63%
    Req/Sec    15.02k   530.69    15.82k    78.00%
  Latency Distribution
     50%  812.00us
     75%    1.10ms
     90%    1.40ms
     99%    3.10ms
  74724 requests in 5.00s, 38.34MB read
Requests/sec:  14943.97
Transfer/sec:      7.67MB
";
    assert_eq!(
        parse(printed).expect("wrk's output"),
        Outcome {
            rate: 14943.97,
            requests: 74724,
            non_success: 0,
            socket_errors: 0,
            p50: Duration::from_micros(812),
            p99: Duration::from_micros(3100),
        }
    );
}

#[test]
fn failed_responses_and_socket_errors_are_counted() {
    let printed = "\
Running 1s test @ http://127.0.0.1:18777/nonexistent
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.74ms    2.38ms  19.79ms   85.08%
    Req/Sec     1.62k   107.72     1.80k    60.00%
  Latency Distribution
     50%    2.00ms
     75%    3.00ms
     90%    5.00ms
     99%    1.20s
  1614 requests in 1.00s, 819.61KB read
  Socket errors: connect 0, read 3, write 1, timeout 2
  Non-2xx or 3xx responses: 1614
Requests/sec:   1610.86
Transfer/sec:    818.01KB
";
    let outcome = parse(printed).expect("wrk's output");
    assert_eq!(outcome.non_success, 1614);
    assert_eq!(outcome.socket_errors, 6);
    assert_eq!(outcome.p99, Duration::from_millis(1200));
}

#[test]
fn output_without_a_rate_is_refused() {
    assert!(parse("unable to connect to 127.0.0.1:1 Connection refused\n").is_err());
}

#[test]
fn output_without_latencies_is_refused() {
    let printed = "  10 requests in 1.00s, 1.00KB read\nRequests/sec:     10.00\n";
    assert!(parse(printed).is_err());
}
