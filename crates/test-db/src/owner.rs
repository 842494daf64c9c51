//! Which test process a database belongs to, and the sweeping of the
//! databases whose process has ended.
//!
//! A database is dropped in the background once its test has passed, so a
//! process may end with drops still pending, or be killed halfway through
//! a test. Each process therefore holds an advisory lock, named by its
//! owner id, for as long as it lives, on a session of its own; the next
//! process to start drops the databases of every owner whose lock is free.

use std::collections::BTreeMap;

use sqlx::{Connection, PgConnection};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::error::{Result, Step};
use crate::names::{self, OWNED_KINDS};
use crate::report::report;
use crate::server::{admin_connect_options, drop_database};

/// The class of the advisory locks (two-key form) that owners hold.
const OWNER_LOCK_CLASS: i32 = 0x646f_6f72;

/// This process's owner id (8 hex digits), locked on first use, when the
/// sweeping of dead owners' databases starts too. Must be awaited on the
/// shared runtime.
pub(crate) async fn owner() -> Result<&'static str> {
    static OWNER: OnceCell<String> = OnceCell::const_new();
    OWNER
        .get_or_try_init(|| async {
            let mut connection = PgConnection::connect_with(&admin_connect_options())
                .await
                .step("connect to DATABASE_URL")?;
            let owner = claim_an_id(&mut connection).await?;
            // The lock lasts as long as this session, which lasts as long
            // as the process.
            tokio::spawn(async move {
                let _holds_the_lock = connection;
                std::future::pending::<()>().await;
            });
            let sweeper = owner.clone();
            tokio::spawn(async move {
                if let Err(failure) = sweep(&sweeper).await {
                    report(&failure);
                }
            });
            Ok(owner)
        })
        .await
        .map(String::as_str)
}

/// Locks an id that no live process holds and no database carries.
async fn claim_an_id(connection: &mut PgConnection) -> Result<String> {
    loop {
        let id = random_low_bits();
        let owner = format!("{id:08x}");
        let claimed: bool = sqlx::query_scalar(
            "SELECT pg_try_advisory_lock($1, $2)
                AND NOT EXISTS (SELECT FROM pg_database WHERE strpos(datname, '_' || $3 || '_') > 0)",
        )
        .bind(OWNER_LOCK_CLASS)
        .bind(lock_key(id))
        .bind(&owner)
        .fetch_one(&mut *connection)
        .await
        .step("lock an owner id")?;
        if claimed {
            return Ok(owner);
        }
        // Either the lock or the name was taken: let go of the lock, if
        // it was got, and draw again.
        sqlx::query("SELECT pg_advisory_unlock_all()")
            .execute(&mut *connection)
            .await
            .step("release an owner id in use")?;
    }
}

/// 32 random bits: the end of a new time-ordered UUID (its start is the
/// time, which processes started together share).
fn random_low_bits() -> u32 {
    let bits = Uuid::now_v7().as_u128();
    u32::try_from(bits & u128::from(u32::MAX)).unwrap_or_default()
}

fn lock_key(id: u32) -> i32 {
    i32::from_be_bytes(id.to_be_bytes())
}

/// Drops the databases of every owner but `me` whose lock is free.
pub(crate) async fn sweep(me: &str) -> Result<()> {
    let mut connection = PgConnection::connect_with(&admin_connect_options())
        .await
        .step("connect to DATABASE_URL")?;
    let patterns: Vec<String> = OWNED_KINDS
        .iter()
        .map(|kind| format!("doorman\\_{kind}\\_%"))
        .collect();
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname LIKE ANY ($1)")
            .bind(&patterns)
            .fetch_all(&mut connection)
            .await
            .step("list the test databases")?;
    let mut by_owner: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for name in &names {
        if let Some(owner) = names::owner_of(name).filter(|owner| *owner != me) {
            by_owner.entry(owner).or_default().push(name);
        }
    }
    for (owner, databases) in by_owner {
        let Ok(id) = u32::from_str_radix(owner, 16) else {
            continue;
        };
        let ended: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(OWNER_LOCK_CLASS)
            .bind(lock_key(id))
            .fetch_one(&mut connection)
            .await
            .step(format!("check whether owner {owner} has ended"))?;
        if !ended {
            continue;
        }
        for database in databases {
            drop_database(database).await?;
        }
        sqlx::query("SELECT pg_advisory_unlock($1, $2)")
            .bind(OWNER_LOCK_CLASS)
            .bind(lock_key(id))
            .execute(&mut connection)
            .await
            .step(format!("release owner {owner}"))?;
    }
    connection.close().await.step("disconnect the sweeper")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run;
    use crate::runtime::on_shared_runtime;
    use crate::server::{admin_pool, database_exists, execute};

    async fn create(name: String) {
        on_shared_runtime(async move {
            execute(
                admin_pool().await?,
                format!("CREATE DATABASE {}", names::quoted(&name)),
            )
            .await
        })
        .await
        .expect("create a database");
    }

    async fn exists(name: &str) -> bool {
        let name = name.to_owned();
        on_shared_runtime(async move { database_exists(admin_pool().await?, &name).await })
            .await
            .expect("look for a database")
    }

    #[test]
    fn the_databases_of_an_ended_owner_are_swept_and_a_live_owners_kept() {
        run(async {
            let me = owner().await.expect("an owner").to_owned();
            let ended = format!("{:08x}", random_low_bits());
            let live = format!("{:08x}", random_low_bits());
            let mut holder = PgConnection::connect_with(&admin_connect_options())
                .await
                .expect("connect");
            let live_id = u32::from_str_radix(&live, 16).expect("hex");
            sqlx::query("SELECT pg_advisory_lock($1, $2)")
                .bind(OWNER_LOCK_CLASS)
                .bind(lock_key(live_id))
                .execute(&mut holder)
                .await
                .expect("hold the live owner's lock");
            let databases = [
                names::owned("test", &ended),
                names::owned("fresh", &ended),
                names::owned("test", &live),
                names::kept(&names::owned("test", &ended)),
                names::owned("test", &me),
            ];
            for database in &databases {
                create(database.clone()).await;
            }

            on_shared_runtime(async move { sweep(&me).await })
                .await
                .expect("swept");

            let mut remaining = Vec::new();
            for database in &databases {
                remaining.push(exists(database).await);
            }
            holder.close().await.expect("release the live owner's lock");
            for database in databases.iter().skip(2) {
                let database = database.clone();
                on_shared_runtime(async move { drop_database(&database).await })
                    .await
                    .expect("clean up");
            }
            assert_eq!(remaining, [false, false, true, true, true]);
        });
    }
}
