//! The template, a database with every migration applied, built once per
//! schema key on a server and kept there, and the rollback database cloned
//! from it.

use sqlx::{Connection, PgConnection};
use tokio::sync::OnceCell;

use crate::clone::{CloneStrategy, clone_database};
use crate::error::{Result, Step};
use crate::fresh;
use crate::migrations::{MIGRATOR, schema_key};
use crate::names::{self, quoted};
use crate::server::{admin_connect_options, database_exists, execute};

/// The advisory lock that test processes take in turn to build templates.
/// One for every key: building happens once per schema or seed on a
/// server (seconds at most, for a seed of many rows).
const BUILD_LOCK: i64 = 0x646f_6f72_6d61_6e74;

/// The databases made from the migrations of one schema key.
#[derive(Debug)]
pub(crate) struct Template {
    /// The schema key: a hash of the migrations.
    pub(crate) key: String,
    pub(crate) name: String,
    /// A clone of the template that every rollback transaction of every run
    /// shares: nothing is ever committed to it.
    pub(crate) rollback_database: String,
}

/// The template of the embedded migrations, built on first use. Must be
/// awaited on the shared runtime.
pub(crate) async fn template() -> Result<&'static Template> {
    static TEMPLATE: OnceCell<Template> = OnceCell::const_new();
    TEMPLATE
        .get_or_try_init(|| {
            let key = schema_key(MIGRATOR.iter());
            async move { prepare(&key).await }
        })
        .await
}

/// Builds the template of `key` and its rollback database, unless an
/// earlier run or another test process has.
pub(crate) async fn prepare(key: &str) -> Result<Template> {
    let template = Template {
        key: key.to_owned(),
        name: names::template(key),
        rollback_database: format!("doorman_rollback_{key}"),
    };
    under_build_lock(async |connection| {
        if !database_exists(&mut *connection, &template.name).await? {
            let building = names::building(&template.name);
            build(
                connection,
                &template.name,
                &building,
                fresh::create(&building),
            )
            .await?;
        }
        if !database_exists(&mut *connection, &template.rollback_database).await? {
            clone_database(
                &mut *connection,
                &template.rollback_database,
                &template.name,
                CloneStrategy::FASTEST,
            )
            .await?;
        }
        Ok(())
    })
    .await?;
    Ok(template)
}

/// Runs `work` on a connection of its own that holds the build lock, so
/// that test processes build templates in turn.
pub(crate) async fn under_build_lock(
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<()>,
) -> Result<()> {
    let mut connection = PgConnection::connect_with(&admin_connect_options())
        .await
        .step("connect to DATABASE_URL")?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(BUILD_LOCK)
        .execute(&mut connection)
        .await
        .step("wait for the template lock")?;
    let worked = work(&mut connection).await;
    // Ending the session releases the lock, whether or not the work failed.
    let closed = connection.close().await.step("release the template lock");
    worked.and(closed)
}

/// Makes `template` under the name `building` with `make`, marks it a
/// template, then renames it, so that a database by a template's name is
/// always a whole template. Must be called under the build lock.
pub(crate) async fn build(
    connection: &mut PgConnection,
    template: &str,
    building: &str,
    make: impl Future<Output = Result<()>>,
) -> Result<()> {
    drop_unfinished(&mut *connection).await?;
    make.await?;
    mark_template(&mut *connection, building).await?;
    let sql = format!(
        "ALTER DATABASE {} RENAME TO {}",
        quoted(building),
        quoted(template)
    );
    execute(&mut *connection, sql).await
}

/// Drops the templates left half-built by a build that failed or was
/// killed, whatever their key: only the holder of the build lock builds,
/// so none is in the making.
async fn drop_unfinished(connection: &mut PgConnection) -> Result<()> {
    let unfinished: Vec<String> =
        sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname LIKE $1")
            .bind(names::starting_with(&names::building_prefix()))
            .fetch_all(&mut *connection)
            .await
            .step("list the templates left half-built")?;
    for database in unfinished {
        drop_template(&mut *connection, &database).await?;
    }
    Ok(())
}

/// Makes `database` a template that nobody may connect to: cloning fails
/// while anybody is connected to the template.
async fn mark_template(connection: &mut PgConnection, database: &str) -> Result<()> {
    let sql = format!(
        "ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
        quoted(database)
    );
    execute(connection, sql).await
}

/// Drops `database`, a template or not (PostgreSQL drops no database marked
/// as a template).
async fn drop_template(connection: &mut PgConnection, database: &str) -> Result<()> {
    let sql = format!("ALTER DATABASE {} WITH IS_TEMPLATE false", quoted(database));
    execute(&mut *connection, sql).await?;
    let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quoted(database));
    execute(connection, sql).await
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::run;
    use crate::server::{admin_pool, connect_options, drop_database};

    async fn remove(template: &Template) {
        drop_database(&template.rollback_database)
            .await
            .expect("drop the rollback database");
        let mut connection = admin_pool()
            .await
            .expect("admin pool")
            .acquire()
            .await
            .expect("a connection");
        drop_template(&mut connection, &template.name)
            .await
            .expect("drop the template");
    }

    fn new_key() -> String {
        Uuid::now_v7().simple().to_string()[16..].to_owned()
    }

    #[test]
    fn a_build_drops_the_templates_left_half_built() {
        run(async {
            let pool = admin_pool().await.expect("admin pool");
            let left = names::building(&names::seeded(&new_key(), &new_key()));
            execute(pool, format!("CREATE DATABASE {}", quoted(&left)))
                .await
                .expect("half-built");
            let mut connection = pool.acquire().await.expect("a connection");
            mark_template(&mut connection, &left).await.expect("marked");
            drop(connection);

            let template = prepare(&new_key()).await.expect("prepared");
            let still_there = database_exists(pool, &left).await.expect("looked");
            remove(&template).await;

            assert!(!still_there, "{left} was left");
        });
    }

    #[test]
    fn racing_builders_make_one_template_that_nobody_can_connect_to() {
        run(async {
            let key = new_key();
            let builders: Vec<_> = (0..4)
                .map(|_| {
                    let key = key.clone();
                    tokio::spawn(async move { prepare(&key).await })
                })
                .collect();
            let mut templates = Vec::new();
            for builder in builders {
                templates.push(builder.await.expect("joins").expect("prepared"));
            }
            let template = &templates[0];
            let pool = admin_pool().await.expect("admin pool");

            let rows: Vec<(String, bool, bool)> = sqlx::query_as(
                "SELECT datname, datistemplate, datallowconn FROM pg_database
                  WHERE datname LIKE '%' || $1 ORDER BY datname",
            )
            .bind(&key)
            .fetch_all(pool)
            .await
            .expect("list databases");
            let connect = PgConnection::connect_with(&connect_options(&template.name)).await;
            let mut rollback =
                PgConnection::connect_with(&connect_options(&template.rollback_database))
                    .await
                    .expect("connect to the rollback database");
            let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
                .fetch_one(&mut rollback)
                .await
                .expect("count migrations");
            rollback.close().await.expect("disconnect");
            remove(template).await;

            assert_eq!(
                rows,
                [
                    (template.rollback_database.clone(), false, true),
                    (template.name.clone(), true, false),
                ]
            );
            assert!(connect.is_err(), "connected to the template");
            let ups = MIGRATOR
                .iter()
                .filter(|m| !m.migration_type.is_down_migration())
                .count();
            assert_eq!(usize::try_from(applied), Ok(ups));
        });
    }
}
