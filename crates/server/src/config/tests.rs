use clap::CommandFactory as _;

use super::*;

#[test]
fn the_command_line_is_well_formed() {
    Cli::command().debug_assert();
}

#[test]
fn defaults_need_only_the_database_and_a_key() {
    let cli = Cli::try_parse_from(["doorman"]).expect("parses");
    assert_eq!(cli.config.bind_address.to_string(), "127.0.0.1:8080");
    assert!(!cli.config.migrate);
    assert!(cli.config.signing_key().is_err());
}

#[test]
fn metrics_listen_on_their_own_port_unless_turned_off() {
    let default = Cli::try_parse_from(["doorman"]).expect("parses");
    let off = Cli::try_parse_from(["doorman", "--metrics-bind-address="]).expect("parses");
    let bad = Cli::try_parse_from(["doorman", "--metrics-bind-address=nowhere"]);

    assert_eq!(
        default.config.metrics_bind_address,
        Listen(Some("127.0.0.1:9464".parse().expect("address")))
    );
    assert_eq!(off.config.metrics_bind_address, Listen(None));
    assert!(bad.is_err());
}

#[test]
fn the_trace_sample_ratio_is_a_share() {
    let half = Cli::try_parse_from(["doorman", "--trace-sample-ratio=0.5"]).expect("parses");

    assert!((half.config.trace_sample_ratio - 0.5).abs() < f64::EPSILON);
    for refused in ["1.5", "-0.1", "some"] {
        let parsed = Cli::try_parse_from(["doorman", &format!("--trace-sample-ratio={refused}")]);
        assert!(parsed.is_err(), "{refused}");
    }
}

#[test]
fn a_bad_trusted_proxy_is_named() {
    let error = Cli::try_parse_from(["doorman", "--trusted-proxies", "10.0.0.0/8, nope"])
        .expect_err("refused")
        .to_string();

    assert!(error.contains("nope"), "{error}");
}

#[test]
fn sessions_may_not_idle_out_before_their_access_tokens() {
    let cli = Cli::try_parse_from([
        "doorman",
        "--access-token-ttl-secs",
        "3600",
        "--session-idle-timeout-secs",
        "600",
    ])
    .expect("parses");

    assert!(cli.config.auth_policy().is_err());
}

#[test]
fn out_of_range_values_are_refused() {
    for args in [
        &["doorman", "--db-max-connections", "0"][..],
        &["doorman", "--access-token-ttl-secs", "5"][..],
        &["doorman", "--bind-address", "localhost"][..],
        &["doorman", "--log-format", "xml"][..],
        &["doorman", "--trusted-proxies", "10.0.0.0/8, not-an-address"][..],
        &["doorman", "--password-min-score", "5"][..],
        &["doorman", "--refresh-grace-secs", "301"][..],
    ] {
        assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
    }
}
