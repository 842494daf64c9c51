//! What keeps the service from trusting the database's schema, and what an
//! operator does about it.

use std::fmt;

use super::{MigrationState, MigrationStatus};

/// An applied migration that does not match this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Its SQL was changed after it was applied, or the database was
    /// migrated by another build.
    ChecksumDiffers { version: i64, description: String },
    /// It failed halfway and left its changes in place.
    Failed { version: i64, description: String },
    /// A newer build applied it: this one does not know it.
    Unknown { version: i64, description: String },
    /// The live schema is not what the applied migrations build: DDL was
    /// run by hand. Each list holds catalogue lines (`index ...`,
    /// `constraint ...`).
    SchemaDiffers {
        version: i64,
        missing: Vec<String>,
        unexpected: Vec<String>,
    },
}

impl Problem {
    /// The problems among these statuses.
    #[must_use]
    pub fn of(statuses: &[MigrationStatus]) -> Vec<Self> {
        statuses
            .iter()
            .filter_map(|status| {
                let (version, description) = (status.version, status.description.clone());
                match status.state {
                    MigrationState::ChecksumDiffers => Some(Self::ChecksumDiffers {
                        version,
                        description,
                    }),
                    MigrationState::Failed => Some(Self::Failed {
                        version,
                        description,
                    }),
                    MigrationState::Unknown => Some(Self::Unknown {
                        version,
                        description,
                    }),
                    MigrationState::Applied | MigrationState::Pending => None,
                }
            })
            .collect()
    }

    /// Every problem, one sentence each.
    pub(super) fn describe_all(problems: &[Self]) -> String {
        let sentences: Vec<String> = problems.iter().map(ToString::to_string).collect();
        sentences.join("; ")
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ChecksumDiffers {
                version,
                description,
            } => write!(
                formatter,
                "migration {version} ({description}) was applied with other SQL than this \
                 build's: restore the migration file as it was applied (migrations are never \
                 edited once applied), or run the build that applied it"
            ),
            Self::Failed {
                version,
                description,
            } => write!(
                formatter,
                "migration {version} ({description}) failed halfway: undo what it did by hand, \
                 delete its row from _sqlx_migrations, then migrate again"
            ),
            Self::SchemaDiffers {
                version,
                missing,
                unexpected,
            } => {
                write!(
                    formatter,
                    "the schema is not what migrations 1 to {version} build: it was changed by \
                     hand. Undo the change, or make it a migration"
                )?;
                for (what, lines) in [("missing", missing), ("not from a migration", unexpected)] {
                    for line in lines {
                        write!(formatter, "\n  {what}: {line}")?;
                    }
                }
                Ok(())
            }
            Self::Unknown {
                version,
                description,
            } => write!(
                formatter,
                "migration {version} ({description}) was applied by a newer build: run that \
                 build, or revert it with that build's `doorman migrate down --to <version>` \
                 before running this one"
            ),
        }
    }
}
