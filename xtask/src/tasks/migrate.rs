//! `cargo xtask migrate new <name>`: the next numbered pair of migration
//! files, with the reminders every migration needs.

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::workspace;

const USAGE: &str = "usage: cargo xtask migrate new <name> (lowercase words joined by `_`)";

pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let [command, name] = args else {
        bail!(USAGE);
    };
    if command != "new" {
        bail!(USAGE);
    }
    let directory = workspace::root().join("migrations");
    let (up, down) = create(&directory, name)?;
    println!("created {}\ncreated {}", up.display(), down.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes `NNNN_<name>.up.sql` and its `down` after the newest migration in
/// `directory`: their paths.
fn create(
    directory: &Path,
    name: &str,
) -> anyhow::Result<(std::path::PathBuf, std::path::PathBuf)> {
    let well_formed = !name.is_empty()
        && name.split('_').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !well_formed {
        bail!("`{name}` is not a migration name: {USAGE}");
    }
    let newest = workspace::entries(directory)?
        .iter()
        .filter_map(|path| {
            workspace::file_name(path)?
                .split_once('_')?
                .0
                .parse::<u32>()
                .ok()
        })
        .max()
        .unwrap_or(0);
    let stem = format!("{:04}_{name}", newest + 1);
    let up = directory.join(format!("{stem}.up.sql"));
    let down = directory.join(format!("{stem}.down.sql"));
    create_new(
        &up,
        "-- What this changes and why. Keep it backward compatible: the previous\n\
         -- version of the server runs against it during a rolling deploy.\n",
    )?;
    create_new(
        &down,
        "-- Undoes exactly the up migration; say here what it cannot keep.\n",
    )?;
    Ok((up, down))
}

/// Writes `text` to a file that must not exist yet.
fn create_new(path: &Path, text: &str) -> anyhow::Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .with_context(|| format!("cannot create {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_pair_follows_the_newest_migration_and_names_are_checked() {
        let directory =
            std::env::temp_dir().join(format!("doorman-migrate-new-{}", std::process::id()));
        fs::create_dir_all(&directory).expect("a scratch directory");
        for file in [
            "0001_a.up.sql",
            "0001_a.down.sql",
            "0007_b.up.sql",
            "README.md",
        ] {
            fs::write(directory.join(file), "").expect("written");
        }

        let (up, down) = create(&directory, "add_widgets").expect("created");
        let refused = ["", "Add", "add-widgets", "add__widgets"]
            .map(|name| create(&directory, name).is_err());

        assert!(up.ends_with("0008_add_widgets.up.sql"), "{}", up.display());
        assert!(
            down.ends_with("0008_add_widgets.down.sql"),
            "{}",
            down.display()
        );
        assert!(fs::read_to_string(&up).expect("read").starts_with("-- "));
        assert_eq!(refused, [true; 4]);
        fs::remove_dir_all(&directory).expect("removed");
    }
}
