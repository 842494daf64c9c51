//! The hashes themselves, computed by `argon2-rust` in memory that the
//! caller keeps; `argon2` checks the parameters and reads the PHC strings.

use argon2::password_hash::phc;
use argon2::{ARGON2ID_IDENT, Params, Version};
use domain::password::PasswordHash;
use domain::ports::HasherError;
use secrecy::{ExposeSecret, SecretString};

use super::workers::Memory;

fn failed(error: impl std::error::Error + Send + Sync + 'static) -> HasherError {
    HasherError::Failed(error.into())
}

/// argon2id v0x13 at `params`' costs.
fn argon2id(params: &Params) -> Result<argon2_rust::Argon2, HasherError> {
    let costs = argon2_rust::Params::builder()
        .memory(argon2_rust::params::Memory::kib(u64::from(params.m_cost())))
        .passes(params.t_cost())
        .lanes(params.p_cost())
        .build()
        .map_err(failed)?;
    Ok(argon2_rust::Argon2::new(
        argon2_rust::Algorithm::Argon2id,
        argon2_rust::Version::V0x13,
        costs,
    ))
}

/// A new argon2id hash of `password` with `params` and a random salt, in
/// PHC form.
pub(super) fn hash_with(
    memory: &mut Memory,
    params: &Params,
    password: &SecretString,
) -> Result<PasswordHash, HasherError> {
    let phc = memory
        .hasher(argon2id(params)?)
        .hash_password_with_random_salt(password.expose_secret().as_bytes())
        .map_err(failed)?;
    PasswordHash::parse(phc).map_err(failed)
}

/// Checks `password` against `hash`, with the algorithm, version and costs
/// recorded in the hash (so that hashes made with older settings still
/// verify), in memory kept for the current costs `params`. The outputs are
/// compared in constant time.
pub(super) fn verify_with(
    memory: &mut Memory,
    params: &Params,
    password: &SecretString,
    hash: &PasswordHash,
) -> Result<bool, HasherError> {
    let recorded = argon2_rust::decode_phc(hash.expose()).map_err(failed)?;
    match memory.hasher(argon2id(params)?).verify_encoded(
        hash.expose(),
        password.expose_secret().as_bytes(),
        recorded.algorithm,
    ) {
        Ok(()) => Ok(true),
        Err(argon2_rust::Error::VerifyMismatch) => Ok(false),
        Err(error) => Err(failed(error)),
    }
}

/// Whether `phc` was made by argon2id v0x13 with exactly `params`' costs.
///
/// A hash that cannot be read counts as outdated: it was certainly not made
/// with the current settings. Verifying it fails anyway, so this never
/// replaces a hash whose password was not checked.
pub(super) fn is_current(phc: &str, params: &Params) -> bool {
    let Ok(hash) = phc::PasswordHash::new(phc) else {
        return false;
    };
    let Ok(recorded) = Params::try_from(&hash) else {
        return false;
    };
    hash.algorithm == ARGON2ID_IDENT
        && hash.version == Some(Version::V0x13.into())
        && recorded.m_cost() == params.m_cost()
        && recorded.t_cost() == params.t_cost()
        && recorded.p_cost() == params.p_cost()
}
