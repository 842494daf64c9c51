//! Templates of the migrated schema with rows loaded by a seed (SQL), for
//! tests that start from many rows: each seed is loaded once per schema
//! key and kept on the server as the template is, and every test that
//! starts from it gets a clone.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::sync::Mutex;

use crate::clone::{CloneStrategy, clone_database};
use crate::error::{Result, Step};
use crate::names;
use crate::server::{admin_pool, connect_options, database_exists};
use crate::template::{build, template, under_build_lock};

/// The name of the template of the migrated schema loaded with `seed`,
/// built unless an earlier run or another test process has. Must be
/// awaited on the shared runtime.
pub(crate) async fn template_of(seed: &str) -> Result<String> {
    // The seeded templates this process has found or built.
    static KNOWN: Mutex<BTreeSet<String>> = Mutex::const_new(BTreeSet::new());
    let template = template().await?;
    let seed_key = seed_key(seed);
    let name = names::seeded(&template.key, &seed_key);
    let mut known = KNOWN.lock().await;
    if known.contains(&name) {
        return Ok(name);
    }
    under_build_lock(async |connection| {
        if database_exists(&mut *connection, &name).await? {
            return Ok(());
        }
        let building = names::building(&name);
        let make = async {
            clone_database(
                admin_pool().await?,
                &building,
                &template.name,
                CloneStrategy::FASTEST,
            )
            .await?;
            load(&building, seed).await
        };
        build(connection, &name, &building, make).await
    })
    .await?;
    known.insert(name.clone());
    Ok(name)
}

/// Runs `seed` on `database`, on a connection of its own.
pub(crate) async fn load(database: &str, seed: &str) -> Result<()> {
    let mut connection = PgConnection::connect_with(&connect_options(database))
        .await
        .step(format!("connect to {database}"))?;
    let loaded = sqlx::raw_sql(AssertSqlSafe(seed))
        .execute(&mut connection)
        .await
        .map(drop)
        .step(format!("load the seed into {database}"));
    let closed = connection
        .close()
        .await
        .step(format!("disconnect from {database}"));
    loaded.and(closed)
}

/// A short hash of the seed's text: a changed seed makes a new template.
fn seed_key(seed: &str) -> String {
    names::short_hex(&Sha256::digest(seed.as_bytes()))
}
