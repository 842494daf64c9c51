//! The least that actix-web and sqlx do for a request that reads one row:
//! `GET /account` reads a random row of `pgbench_accounts` by its primary
//! key and answers it as JSON. What Doorman adds to its own reads is
//! measured against this.
//!
//! Configured by the environment:
//! - `DATABASE_URL`: the database that `pgbench --initialize` filled;
//! - `FLOOR_BIND_ADDRESS`: where to listen, such as `127.0.0.1:8080`;
//! - `FLOOR_ROWS`: how many accounts there are (100000 per unit of scale);
//! - `FLOOR_POOL_SIZE`: connections in the pool (default 32);
//! - `FLOOR_PING_BEFORE_ACQUIRE`: whether sqlx pings a connection before
//!   handing it out, as it does by default (default `false`).

use std::env;
use std::str::FromStr;

use actix_web::{App, HttpResponse, HttpServer, get, web};
use anyhow::Context;
use serde::Serialize;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

#[derive(Serialize)]
struct Account {
    aid: i32,
    abalance: i32,
}

struct Floor {
    pool: PgPool,
    rows: i32,
}

#[get("/account")]
async fn account(floor: web::Data<Floor>) -> HttpResponse {
    let aid = fastrand::i32(1..=floor.rows);
    let found: Result<Option<(i32,)>, _> =
        sqlx::query_as("SELECT abalance FROM pgbench_accounts WHERE aid = $1")
            .bind(aid)
            .fetch_optional(&floor.pool)
            .await;
    match found {
        Ok(Some((abalance,))) => HttpResponse::Ok().json(Account { aid, abalance }),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn setting<T: FromStr>(name: &str, default: Option<T>) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match env::var(name) {
        Ok(value) => value
            .parse()
            .with_context(|| format!("{name} is not valid: {value:?}")),
        Err(_) => default.with_context(|| format!("{name} is not set")),
    }
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let url: String = setting("DATABASE_URL", None)?;
    let bind: String = setting("FLOOR_BIND_ADDRESS", None)?;
    let rows: i32 = setting("FLOOR_ROWS", None)?;
    let pool_size: u32 = setting("FLOOR_POOL_SIZE", Some(32))?;
    let ping: bool = setting("FLOOR_PING_BEFORE_ACQUIRE", Some(false))?;
    let pool = PgPoolOptions::new()
        .max_connections(pool_size)
        .min_connections(pool_size)
        .test_before_acquire(ping)
        .connect(&url)
        .await
        .context("cannot connect to the database")?;
    let floor = web::Data::new(Floor { pool, rows });
    HttpServer::new(move || {
        App::new()
            .app_data(floor.clone())
            .service(account)
            .service(healthz)
    })
    .bind(&bind)
    .with_context(|| format!("cannot listen on {bind}"))?
    .run()
    .await
    .context("the server failed")
}
