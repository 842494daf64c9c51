//! Access tokens: EdDSA-signed JSON Web Tokens.

mod jwks;
#[cfg(test)]
mod tests;
mod verified;

pub use jwks::{Jwk, JwkSet};

use domain::auth::{AccessClaims, IssuedAccessToken};
use domain::ports::{TokenError, TokenIssuer};
use domain::session::SessionId;
use domain::user::{Role, User};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use self::verified::VerifiedTokens;
use crate::signing_key::{InvalidSigningKey, SigningKey};
use crate::verification_key::VerificationKey;

/// The `typ` of the access tokens' header.
const TOKEN_TYPE: &str = "JWT";
/// Allowed disagreement between the clocks of the replicas.
const CLOCK_SKEW: Duration = Duration::seconds(30);
/// Verified tokens kept: a token per signed-in client of a busy replica,
/// about 100 bytes each.
const VERIFIED_TOKENS: usize = 10_000;

/// What tokens say about who made them and for whom.
#[derive(Debug, Clone)]
pub struct AccessTokenSettings {
    /// The `iss` claim: this service.
    pub issuer: String,
    /// The `aud` claim: the services that accept the tokens.
    pub audience: String,
    /// How long a token is accepted after it is issued.
    pub lifetime: Duration,
}

/// Issues access tokens with one Ed25519 key and verifies them with that
/// key or any other configured one, chosen by the token's `kid`, so that
/// tokens signed before a key rotation stay valid until they expire.
///
/// It is pinned to the EdDSA algorithm: tokens with `alg: none`, an HMAC
/// algorithm or an unknown key are refused.
pub struct Ed25519AccessTokens {
    encoding_key: EncodingKey,
    key_id: String,
    /// The signing key's public half first, then the extra keys.
    verifiers: Vec<Verifier>,
    settings: AccessTokenSettings,
    validation: Validation,
    verified: VerifiedTokens,
}

struct Verifier {
    key: VerificationKey,
    decoding_key: DecodingKey,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    sid: Uuid,
    role: String,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

impl Ed25519AccessTokens {
    /// Tokens signed with `key`, and verified with it only until
    /// [`with_verification_keys`](Self::with_verification_keys) adds others.
    ///
    /// # Errors
    ///
    /// [`InvalidSigningKey`] if the key cannot be encoded for signing.
    pub fn new(key: &SigningKey, settings: AccessTokenSettings) -> Result<Self, InvalidSigningKey> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        // Expiry is checked against the injected clock, below.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Ok(Self {
            encoding_key: EncodingKey::from_ed_der(&key.pkcs8_der()?),
            key_id: key.key_id().to_owned(),
            verifiers: vec![Verifier::new(key.verification_key())],
            settings,
            validation,
            verified: VerifiedTokens::new(VERIFIED_TOKENS),
        })
    }

    /// Also accepts tokens signed by `keys`, such as the previous signing
    /// keys. A key already accepted is not added twice.
    #[must_use]
    pub fn with_verification_keys(
        mut self,
        keys: impl IntoIterator<Item = VerificationKey>,
    ) -> Self {
        for key in keys {
            if self.decoding_key(key.key_id()).is_none() {
                self.verifiers.push(Verifier::new(key));
            }
        }
        self
    }

    /// The JSON Web Key Set of every key that verifies tokens, the signing
    /// key first.
    #[must_use]
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.verifiers.iter().map(|v| Jwk::from(&v.key)).collect(),
        }
    }

    fn decoding_key(&self, key_id: &str) -> Option<&DecodingKey> {
        self.verifiers
            .iter()
            .find(|verifier| verifier.key.key_id() == key_id)
            .map(|verifier| &verifier.decoding_key)
    }
}

impl Verifier {
    fn new(key: VerificationKey) -> Self {
        let decoding_key = DecodingKey::from_ed_der(&key.public_key());
        Self { key, decoding_key }
    }
}

impl TokenIssuer for Ed25519AccessTokens {
    fn issue(
        &self,
        user: &User,
        session: SessionId,
        now: OffsetDateTime,
    ) -> Result<IssuedAccessToken, TokenError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TOKEN_TYPE.to_owned());
        header.kid = Some(self.key_id.clone());
        let claims = Claims {
            sub: user.id.as_uuid(),
            sid: session.as_uuid(),
            role: user.role.as_str().to_owned(),
            iat: now.unix_timestamp(),
            exp: (now + self.settings.lifetime).unix_timestamp(),
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
        };
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding_key)
            .map_err(|error| TokenError::Signing(error.into()))?;
        Ok(IssuedAccessToken {
            token: SecretString::from(token),
            lifetime: self.settings.lifetime,
        })
    }

    fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, TokenError> {
        let digest = VerifiedTokens::digest(token);
        let (claims, cached) = match self.verified.get(&digest) {
            Some(claims) => (claims, true),
            None => (self.check_signature(token)?, false),
        };
        if claims.issued_at > now + CLOCK_SKEW {
            return Err(TokenError::Invalid("issued in the future".into()));
        }
        if claims.expires_at + CLOCK_SKEW <= now {
            return Err(TokenError::Expired);
        }
        if !cached {
            self.verified.insert(digest, claims.clone(), now);
        }
        Ok(claims)
    }
}

impl Ed25519AccessTokens {
    /// What a token says, once its signature, algorithm, issuer and
    /// audience are checked; its times are not.
    fn check_signature(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let invalid = |reason: &str| TokenError::Invalid(reason.to_owned().into());
        let header = jsonwebtoken::decode_header(token)
            .map_err(|error| TokenError::Invalid(error.into()))?;
        // Only what this service issues: another kind of JWT that a key of
        // ours might have signed is not an access token.
        if header.typ.as_deref() != Some(TOKEN_TYPE) {
            return Err(invalid("not of the type this service issues"));
        }
        let decoding_key = header
            .kid
            .as_deref()
            .and_then(|key_id| self.decoding_key(key_id))
            .ok_or_else(|| invalid("signed with an unknown key"))?;
        let claims = jsonwebtoken::decode::<Claims>(token, decoding_key, &self.validation)
            .map_err(|error| TokenError::Invalid(error.into()))?
            .claims;
        let at = |timestamp: i64| {
            OffsetDateTime::from_unix_timestamp(timestamp)
                .map_err(|_| invalid("timestamp out of range"))
        };
        Ok(AccessClaims {
            user_id: claims.sub.into(),
            session_id: claims.sid.into(),
            role: claims
                .role
                .parse::<Role>()
                .map_err(|_| invalid("unknown role"))?,
            issued_at: at(claims.iat)?,
            expires_at: at(claims.exp)?,
        })
    }
}
