//! `cargo xtask bench pooler`: what the transaction-pooler mode costs `me`,
//! with PgBouncer and without it.
//!
//! Three instances of the release build share one throw-away cluster:
//! `direct` as by default; `mode` in pooler mode but connected directly,
//! which isolates what the mode itself costs (a transaction around each
//! statement outside a unit, the limits set in each, statements parsed
//! unnamed every time); `pgbouncer` in pooler mode behind PgBouncer in
//! transaction mode as deployed (no reset between transactions), with
//! fewer server connections than the service opens.
//! wrk loads `GET /v1/users/me` on each in turn, the order rotating every
//! round, and the report gives the medians of the rounds' ratios. Every
//! process shares the machine's cores, PgBouncer and wrk included.

use std::process::ExitCode;

use super::instances::{
    Instance, PATH, SHARED_SCHEDULE, median_ratio, report, schedule_line, shared_load,
    sign_in_and_run,
};
use super::wrk::Wrk;
use crate::postgres::{ClusterOwner, PgBouncer, Resets, ScratchCluster, Tuning};
use crate::service::{Profile, Service, build_server, free_port};
use crate::{interrupt, workspace};

const DATABASE: &str = "doorman_pooler";
/// PgBouncer's server connections, half of the 32 the service may open.
const POOL_SIZE: u32 = 16;

pub fn run() -> anyhow::Result<ExitCode> {
    interrupt::install()?;
    let wrk = Wrk::find()?;
    let pgbouncer = PgBouncer::find()?;
    let doorman = build_server(Profile::Release)?;
    let work = workspace::fresh_dir("bench-pooler")?;

    // Declared before the servers so that the cluster outlives them.
    let scratch = ScratchCluster::tuned_with_database(Tuning::Load, DATABASE)?;
    let cluster = scratch.cluster();
    let direct_url = cluster.url(DATABASE);
    let pooler = pgbouncer.start(
        &direct_url,
        &ClusterOwner::detect()?,
        POOL_SIZE,
        Resets::AsDeployed,
    )?;
    let key_file = work.join("access-token-ed25519.pem");
    let service =
        |database_url: &str, env: Vec<(&'static str, String)>| -> anyhow::Result<Service> {
            Ok(Service {
                doorman: doorman.clone(),
                database_url: database_url.to_owned(),
                key_file: key_file.clone(),
                port: free_port()?,
                env,
            })
        };
    let pooled = || {
        vec![
            ("DOORMAN_DB_POOLER", "transaction".to_owned()),
            ("DOORMAN_MIGRATION_DATABASE_URL", direct_url.clone()),
        ]
    };
    let services = [
        service(&direct_url, vec![("DOORMAN_MIGRATE", "true".to_owned())])?,
        service(&direct_url, pooled())?,
        service(&pooler.url, pooled())?,
    ];
    services[0].keygen()?;
    let mut servers = Vec::new();
    for (service, name) in services.iter().zip(["direct", "mode", "pgbouncer"]) {
        let mut server = service.start(&work.join(format!("{name}.log")))?;
        server.wait_until_ready(service.port, "/readyz")?;
        servers.push(server);
    }

    let mut instances = [
        Instance::new("direct", services[0].port),
        Instance::new("mode", services[1].port),
        Instance::new("pgbouncer", services[2].port),
    ];
    sign_in_and_run(
        &wrk,
        &work,
        services[0].port,
        &mut instances,
        shared_load,
        &SHARED_SCHEDULE,
    )?;

    let [direct, mode, behind] = &instances;
    println!();
    println!(
        "The transaction-pooler mode: GET {PATH} with an access token, release build, \
         default workers and 32 database connections ({}, {POOL_SIZE} server connections; \
         wrk {}; outputs in {})",
        pgbouncer.version,
        wrk.version,
        work.display()
    );
    println!(
        "  {}, the order rotating",
        schedule_line(shared_load, &SHARED_SCHEDULE)
    );
    println!("  direct: no pooler mode; mode: pooler mode, connected directly;");
    println!("  pgbouncer: pooler mode behind PgBouncer in transaction mode");
    let clean = report(&instances);
    println!(
        "  mode/direct = {:.2}   pgbouncer/direct = {:.2}   (medians of the rounds' ratios)",
        median_ratio(mode, direct),
        median_ratio(behind, direct)
    );
    drop(servers);
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
