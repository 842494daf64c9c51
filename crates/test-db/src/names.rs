//! Names of the databases this crate makes, and how they appear in SQL.
//!
//! A name says what a database is for, and so what may be done with it by
//! a test process other than the one that made it:
//!
//! - `doorman_ready_<schema key>_<id>`: a clone of the template nobody has
//!   used, for any process to claim by renaming it;
//! - `doorman_<kind>_<owner>_<n>`: in use by the process `owner` (see
//!   [`owner`](crate::owner)), swept once that process has ended;
//! - `doorman_kept_<owner>_<n>`: kept for a failed test to be looked at,
//!   left alone;
//! - `doorman_template_<schema key>` and `doorman_seeded_<schema key>_<seed
//!   key>`: templates, kept across runs; `doorman_building_...` while one
//!   is built.

use std::sync::atomic::{AtomicU64, Ordering};

use uuid::Uuid;

const PREFIX: &str = "doorman_";
const KEPT: &str = "kept";
const READY: &str = "ready";

/// The kinds of database that a process owns while it uses them.
pub(crate) const OWNED_KINDS: [&str; 3] = ["test", "fresh", "empty"];

/// A new name for a database of `kind` owned by `owner`, within
/// PostgreSQL's 63 bytes.
pub(crate) fn owned(kind: &str, owner: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{PREFIX}{kind}_{owner}_{n}")
}

/// The owner in a name that [`owned`] made, if it is one.
pub(crate) fn owner_of(name: &str) -> Option<&str> {
    let rest = name.strip_prefix(PREFIX)?;
    let (kind, rest) = rest.split_once('_')?;
    let (owner, n) = rest.split_once('_')?;
    let owned = OWNED_KINDS.contains(&kind)
        && !owner.is_empty()
        && !n.is_empty()
        && n.bytes().all(|byte| byte.is_ascii_digit());
    owned.then_some(owner)
}

/// What a database that [`owned`] named is renamed to when it is kept.
pub(crate) fn kept(name: &str) -> String {
    let rest = name
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split_once('_'))
        .map_or(name, |(_, rest)| rest);
    format!("{PREFIX}{KEPT}_{rest}")
}

/// The start of every ready clone's name, of any schema.
pub(crate) fn ready_prefix() -> String {
    format!("{PREFIX}{READY}_")
}

/// The start of the names of the ready clones of the template of `key`.
pub(crate) fn ready_prefix_of(key: &str) -> String {
    format!("{}{key}_", ready_prefix())
}

/// A new name for a ready clone of the template of `key`: unique across
/// processes, since any of them may claim it.
pub(crate) fn ready(key: &str) -> String {
    format!("{}{}", ready_prefix_of(key), Uuid::now_v7().simple())
}

/// The template of the schema of `key`.
pub(crate) fn template(key: &str) -> String {
    format!("{PREFIX}template_{key}")
}

/// The template of the schema of `key` loaded with the seed of `seed_key`.
pub(crate) fn seeded(key: &str, seed_key: &str) -> String {
    format!("{PREFIX}seeded_{key}_{seed_key}")
}

/// The start of the name of every template while it is built.
pub(crate) fn building_prefix() -> String {
    format!("{PREFIX}building_")
}

/// What the template named `template` is called while it is built.
pub(crate) fn building(template: &str) -> String {
    let what = template.strip_prefix(PREFIX).unwrap_or(template);
    let key = what.split_once('_').map_or(what, |(_, key)| key);
    format!("{}{key}", building_prefix())
}

/// The first 8 bytes of a digest in hexadecimal: 16 characters that tell
/// schemas and seeds apart.
pub(crate) fn short_hex(digest: &[u8]) -> String {
    digest
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A `LIKE` pattern for the names that start with `prefix`, whose
/// underscores are not wildcards.
pub(crate) fn starting_with(prefix: &str) -> String {
    format!("{}%", prefix.replace('_', "\\_"))
}

/// `name` as a quoted SQL identifier.
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_names_are_unique_and_name_their_owner() {
        let (first, second) = (owned("test", "0a1b2c3d"), owned("test", "0a1b2c3d"));
        assert_ne!(first, second);
        assert!(first.starts_with("doorman_test_0a1b2c3d_"), "{first}");
        assert_eq!(owner_of(&first), Some("0a1b2c3d"));
        assert_eq!(owner_of(&owned("empty", "ff")), Some("ff"));
    }

    #[test]
    fn kept_ready_and_foreign_names_have_no_owner() {
        let kept = kept("doorman_test_0a1b2c3d_7");
        assert_eq!(kept, "doorman_kept_0a1b2c3d_7");
        assert_eq!(owner_of(&kept), None);
        assert_eq!(owner_of(&ready("e5717edee3e2d61a")), None);
        assert_eq!(owner_of("doorman_template_e5717edee3e2d61a"), None);
        assert_eq!(owner_of("doorman_test_0a1b2c3d_x"), None);
        assert_eq!(owner_of("postgres"), None);
    }

    #[test]
    fn every_name_fits_in_an_identifier() {
        let key = "e5717edee3e2d61a";
        let longest = [
            ready(key),
            building(&seeded(key, key)),
            owned("fresh", "0a1b2c3d"),
            kept(&owned("fresh", "0a1b2c3d")),
        ];
        for name in longest {
            assert!(name.len() <= 63, "{name}");
        }
        assert!(ready("e5717edee3e2d61a").starts_with(&ready_prefix_of("e5717edee3e2d61a")));
    }

    #[test]
    fn a_template_and_a_seeded_one_are_built_under_different_names() {
        let (key, seed_key) = ("e5717edee3e2d61a", "0123456789abcdef");
        assert_eq!(building(&template(key)), format!("doorman_building_{key}"));
        assert_eq!(
            building(&seeded(key, seed_key)),
            format!("doorman_building_{key}_{seed_key}")
        );
        assert_eq!(owner_of(&seeded(key, seed_key)), None);
        assert_eq!(short_hex(&[0xab; 32]), "abababababababab");
        assert_eq!(starting_with("doorman_ready_"), "doorman\\_ready\\_%");
    }

    #[test]
    fn quoting_doubles_embedded_quotes() {
        assert_eq!(quoted("plain"), "\"plain\"");
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }
}
