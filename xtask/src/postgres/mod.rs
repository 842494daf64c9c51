//! Local PostgreSQL clusters made from the binaries installed on the
//! machine.

mod binaries;
mod cluster;
mod owner;
mod pgbouncer;
mod scratch;
mod test_postgres;

pub use binaries::PgBinaries;
pub use cluster::{Cluster, StopOnDrop, Tuning};
pub use owner::ClusterOwner;
pub use pgbouncer::{PgBouncer, Resets};
pub use scratch::ScratchCluster;
pub use test_postgres::TestPostgres;

/// A stable, short name for a long path (FNV-1a).
pub fn path_hash(path: &std::path::Path) -> u64 {
    path.as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
        })
}
