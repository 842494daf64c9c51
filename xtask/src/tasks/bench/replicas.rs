//! `cargo xtask bench replicas`: the throughput of two replicas behind
//! HAProxy against one, and what the balancer itself costs.
//!
//! Two instances of the release build share one throw-away cluster. One
//! HAProxy has the first replica behind it, another has both; wrk loads
//! `GET /v1/users/me` through each in turn and on the first replica
//! directly, the order rotating every round, and the report gives the
//! medians of the rounds' ratios. Every process shares the machine's
//! cores, wrk included: on a machine of two cores a second replica has no
//! core of its own, so the figure says what a second process costs or
//! gains there, not what a second machine would.

use std::process::ExitCode;
use std::time::Duration;

use super::instances::{
    Instance, PATH, SHARED_SCHEDULE, median_ratio, report, schedule_line, shared_load,
    sign_in_and_run,
};
use super::wrk::Wrk;
use crate::balancer::{Haproxy, replica_name};
use crate::postgres::{ScratchCluster, Tuning};
use crate::service::{Profile, Service, build_server, free_port};
use crate::{interrupt, workspace};

const DATABASE: &str = "doorman_replicas";

pub fn run() -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let wrk = Wrk::find()?;
    let haproxy = Haproxy::find()?;
    let doorman = build_server(Profile::Release)?;
    let work = workspace::fresh_dir("bench-replicas")?;

    // Declared before the servers so that the cluster outlives them.
    let scratch = ScratchCluster::tuned_with_database(Tuning::Load, DATABASE)?;
    let cluster = scratch.cluster();
    let key_file = work.join("access-token-ed25519.pem");
    let replica = |migrate: bool| -> anyhow::Result<Service> {
        Ok(Service {
            doorman: doorman.clone(),
            database_url: cluster.url(DATABASE),
            key_file: key_file.clone(),
            port: free_port()?,
            env: vec![("DOORMAN_MIGRATE", migrate.to_string())],
        })
    };
    let (first, second) = (replica(true)?, replica(false)?);
    first.keygen()?;
    let mut first_server = first.start(&work.join("replica1.log"))?;
    first_server.wait_until_ready(first.port, "/readyz")?;
    let mut second_server = second.start(&work.join("replica2.log"))?;
    second_server.wait_until_ready(second.port, "/readyz")?;
    let (one_port, two_port) = (free_port()?, free_port()?);
    // No line per request: writing tens of thousands a second would be
    // most of what the balancer costs here.
    let one = haproxy.start(&work, "haproxy-one", one_port, &[first.port], false)?;
    let two = haproxy.start(
        &work,
        "haproxy-two",
        two_port,
        &[first.port, second.port],
        false,
    )?;
    for balancer in [&one, &two] {
        for index in 0..balancer.replicas() {
            balancer.wait_for(&replica_name(index), "UP", Duration::from_secs(30))?;
        }
    }

    let mut instances = [
        Instance::new("direct", first.port),
        Instance::new("one", one_port),
        Instance::new("two", two_port),
    ];
    sign_in_and_run(
        &wrk,
        &work,
        first.port,
        &mut instances,
        shared_load,
        &SHARED_SCHEDULE,
    )?;

    let [direct, one_behind, two_behind] = &instances;
    println!();
    println!(
        "Replicas behind HAProxy {}: GET {PATH} with an access token, release build, \
         each replica with the default workers (wrk {}; outputs in {})",
        haproxy.version,
        wrk.version,
        work.display()
    );
    println!(
        "  {}, the order rotating",
        schedule_line(shared_load, &SHARED_SCHEDULE)
    );
    println!(
        "  direct: the first replica, no balancer; one: HAProxy, the first replica behind it;"
    );
    println!("  two: HAProxy, both replicas behind it, round robin");
    let clean = report(&instances);
    println!(
        "  two/one = {:.2}   one/direct = {:.2}   (medians of the rounds' ratios)",
        median_ratio(two_behind, one_behind),
        median_ratio(one_behind, direct)
    );
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
