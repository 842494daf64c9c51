//! Access tokens: EdDSA-signed JSON Web Tokens.

use domain::auth::{AccessClaims, IssuedAccessToken};
use domain::ports::{TokenError, TokenIssuer};
use domain::user::{Role, User};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::signing_key::{InvalidSigningKey, SigningKey};

/// Allowed disagreement between the clocks of the replicas.
const CLOCK_SKEW: Duration = Duration::seconds(30);

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

/// Issues and verifies access tokens with one Ed25519 key, pinned to the
/// EdDSA algorithm: tokens with `alg: none`, an HMAC algorithm or another
/// key are refused.
pub struct Ed25519AccessTokens {
    encoding_key: EncodingKey,
    decoding_key: DecodingKey,
    key_id: String,
    settings: AccessTokenSettings,
    validation: Validation,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    role: String,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

impl Ed25519AccessTokens {
    /// Tokens signed with `key`.
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
            decoding_key: DecodingKey::from_ed_der(&key.public_key()),
            key_id: key.key_id().to_owned(),
            settings,
            validation,
        })
    }
}

impl TokenIssuer for Ed25519AccessTokens {
    fn issue(&self, user: &User, now: OffsetDateTime) -> Result<IssuedAccessToken, TokenError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key_id.clone());
        let claims = Claims {
            sub: user.id.as_uuid(),
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
        let invalid = |reason: &str| TokenError::Invalid(reason.to_owned().into());
        let header = jsonwebtoken::decode_header(token)
            .map_err(|error| TokenError::Invalid(error.into()))?;
        if header.kid.as_deref() != Some(self.key_id.as_str()) {
            return Err(invalid("signed with an unknown key"));
        }
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding_key, &self.validation)
            .map_err(|error| TokenError::Invalid(error.into()))?
            .claims;
        let at = |timestamp: i64| {
            OffsetDateTime::from_unix_timestamp(timestamp)
                .map_err(|_| invalid("timestamp out of range"))
        };
        let (issued_at, expires_at) = (at(claims.iat)?, at(claims.exp)?);
        if issued_at > now + CLOCK_SKEW {
            return Err(invalid("issued in the future"));
        }
        if expires_at + CLOCK_SKEW <= now {
            return Err(TokenError::Expired);
        }
        Ok(AccessClaims {
            user_id: claims.sub.into(),
            role: claims
                .role
                .parse::<Role>()
                .map_err(|_| invalid("unknown role"))?,
            issued_at,
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use domain::password::PasswordHash;
    use domain::user::{DisplayName, Email, UserId, UserStatus};
    use secrecy::ExposeSecret;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-27 09:00 UTC);

    fn settings() -> AccessTokenSettings {
        AccessTokenSettings {
            issuer: "doorman".to_owned(),
            audience: "doorman-api".to_owned(),
            lifetime: Duration::minutes(15),
        }
    }

    fn tokens(key: &SigningKey, settings: AccessTokenSettings) -> Ed25519AccessTokens {
        Ed25519AccessTokens::new(key, settings).expect("key encodes")
    }

    fn user(role: Role) -> User {
        User {
            id: UserId::generate(),
            email: Email::parse("ada@example.com").expect("valid"),
            display_name: DisplayName::parse("Ada").expect("valid"),
            password_hash: PasswordHash::parse("$argon2id$v=19$x".to_owned()).expect("valid"),
            role,
            status: UserStatus::Active,
            email_verified: false,
            version: 1,
            created_at: NOW,
            updated_at: NOW,
        }
    }

    fn issue(tokens: &Ed25519AccessTokens, user: &User, at: OffsetDateTime) -> String {
        tokens
            .issue(user, at)
            .expect("signed")
            .token
            .expose_secret()
            .to_owned()
    }

    #[test]
    fn a_token_verifies_to_the_claims_it_was_issued_with() {
        let tokens = tokens(&SigningKey::generate(), settings());
        let admin = user(Role::Admin);

        let claims = tokens
            .verify(&issue(&tokens, &admin, NOW), NOW)
            .expect("valid");

        assert_eq!(
            claims,
            AccessClaims {
                user_id: admin.id,
                role: Role::Admin,
                issued_at: NOW,
                expires_at: NOW + Duration::minutes(15),
            }
        );
    }

    #[test]
    fn the_header_names_the_algorithm_and_key() {
        let key = SigningKey::generate();
        let tokens = tokens(&key, settings());
        let token = issue(&tokens, &user(Role::User), NOW);

        let header = jsonwebtoken::decode_header(&token).expect("header");

        assert_eq!(header.alg, Algorithm::EdDSA);
        assert_eq!(header.kid.as_deref(), Some(key.key_id()));
    }

    #[test]
    fn a_token_expires_after_its_lifetime_and_the_allowed_skew() {
        let tokens = tokens(&SigningKey::generate(), settings());
        let token = issue(&tokens, &user(Role::User), NOW);
        let end = NOW + Duration::minutes(15) + CLOCK_SKEW;

        assert!(tokens.verify(&token, end - Duration::seconds(1)).is_ok());
        assert!(matches!(
            tokens.verify(&token, end),
            Err(TokenError::Expired)
        ));
    }

    #[test]
    fn a_token_from_the_future_is_invalid() {
        let tokens = tokens(&SigningKey::generate(), settings());
        let token = issue(&tokens, &user(Role::User), NOW + Duration::minutes(5));

        assert!(matches!(
            tokens.verify(&token, NOW),
            Err(TokenError::Invalid(_))
        ));
    }

    #[test]
    fn tokens_of_another_key_issuer_or_audience_are_invalid() {
        let key = SigningKey::generate();
        let ours = tokens(&key, settings());
        let others = [
            tokens(&SigningKey::generate(), settings()),
            tokens(
                &key,
                AccessTokenSettings {
                    issuer: "elsewhere".to_owned(),
                    ..settings()
                },
            ),
            tokens(
                &key,
                AccessTokenSettings {
                    audience: "other-api".to_owned(),
                    ..settings()
                },
            ),
        ];
        for other in &others {
            let token = issue(other, &user(Role::User), NOW);
            assert!(matches!(
                ours.verify(&token, NOW),
                Err(TokenError::Invalid(_))
            ));
        }
    }

    #[test]
    fn unsigned_altered_and_malformed_tokens_are_invalid() {
        let tokens = tokens(&SigningKey::generate(), settings());
        let token = issue(&tokens, &user(Role::User), NOW);
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let header = URL_SAFE_NO_PAD.decode(&parts[0]).expect("base64");
        let header: serde_json::Value = serde_json::from_slice(&header).expect("json");
        let unsigned_header =
            serde_json::json!({"alg": "none", "typ": "JWT", "kid": header["kid"]});
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(unsigned_header.to_string()),
            parts[1]
        );
        let claims = URL_SAFE_NO_PAD.decode(&parts[1]).expect("base64");
        let promoted = String::from_utf8(claims)
            .expect("utf-8")
            .replace("\"user\"", "\"admin\"");
        parts[1] = URL_SAFE_NO_PAD.encode(promoted);
        let altered = parts.join(".");

        for bad in [
            unsigned.as_str(),
            altered.as_str(),
            "",
            "a.b.c",
            "not a token",
        ] {
            assert!(
                matches!(tokens.verify(bad, NOW), Err(TokenError::Invalid(_))),
                "{bad:?} accepted"
            );
        }
    }
}
