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
        .issue(user, SessionId::generate(), at)
        .expect("signed")
        .token
        .expose_secret()
        .to_owned()
}

fn is_invalid(result: &Result<AccessClaims, TokenError>) -> bool {
    matches!(result, Err(TokenError::Invalid(_)))
}

/// A token with any claims, header `kid` and signing key, as an attacker
/// holding some key could make.
fn forge(claims: &impl Serialize, kid: &str, signer: &SigningKey) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_ed_der(&signer.pkcs8_der().expect("encodes"));
    jsonwebtoken::encode(&header, claims, &key).expect("signed")
}

#[test]
fn a_token_verifies_to_the_claims_it_was_issued_with() {
    let tokens = tokens(&SigningKey::generate(), settings());
    let (admin, session) = (user(Role::Admin), SessionId::generate());
    let issued = tokens.issue(&admin, session, NOW).expect("signed");

    let claims = tokens
        .verify(issued.token.expose_secret(), NOW)
        .expect("valid");

    assert_eq!(
        claims,
        AccessClaims {
            user_id: admin.id,
            session_id: session,
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
fn a_token_without_a_session_is_invalid() {
    let key = SigningKey::generate();
    let tokens = tokens(&key, settings());
    let claims = serde_json::json!({
        "sub": Uuid::now_v7(), "role": "user", "iat": NOW.unix_timestamp(),
        "exp": (NOW + Duration::minutes(15)).unix_timestamp(),
        "iss": "doorman", "aud": "doorman-api",
    });

    assert!(is_invalid(
        &tokens.verify(&forge(&claims, key.key_id(), &key), NOW)
    ));
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

    assert!(is_invalid(&tokens.verify(&token, NOW)));
}

#[test]
fn a_token_verified_once_is_still_checked_against_the_clock() {
    let tokens = tokens(&SigningKey::generate(), settings());
    let issued = NOW + Duration::minutes(5);
    let token = issue(&tokens, &user(Role::User), issued);

    assert!(tokens.verify(&token, issued).is_ok());
    assert!(is_invalid(&tokens.verify(&token, NOW)));
    assert!(tokens.verify(&token, issued).is_ok());
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
        assert!(is_invalid(&ours.verify(&token, NOW)));
    }
}

#[test]
fn tokens_of_a_previous_key_verify_once_it_is_configured() {
    let (previous, current) = (SigningKey::generate(), SigningKey::generate());
    let old_token = issue(&tokens(&previous, settings()), &user(Role::User), NOW);
    let previous_pem = previous.to_pkcs8_pem().expect("encodes");
    let rotated = tokens(&current, settings())
        .with_verification_keys([VerificationKey::from_pem(&previous_pem).expect("a key")]);

    assert!(is_invalid(
        &tokens(&current, settings()).verify(&old_token, NOW)
    ));
    assert!(rotated.verify(&old_token, NOW).is_ok());
    let new_token = issue(&rotated, &user(Role::User), NOW);
    let header = jsonwebtoken::decode_header(&new_token).expect("header");
    assert_eq!(header.kid.as_deref(), Some(current.key_id()));
    assert!(rotated.verify(&new_token, NOW).is_ok());
}

#[test]
fn a_token_signed_by_another_key_than_its_kid_names_is_invalid() {
    let (current, previous, stranger) = (
        SigningKey::generate(),
        SigningKey::generate(),
        SigningKey::generate(),
    );
    let tokens = tokens(&current, settings()).with_verification_keys([previous.verification_key()]);
    let claims = Claims {
        sub: Uuid::now_v7(),
        sid: Uuid::now_v7(),
        role: "admin".to_owned(),
        iat: NOW.unix_timestamp(),
        exp: (NOW + Duration::minutes(15)).unix_timestamp(),
        iss: "doorman".to_owned(),
        aud: "doorman-api".to_owned(),
    };

    for kid in [current.key_id(), previous.key_id()] {
        assert!(is_invalid(
            &tokens.verify(&forge(&claims, kid, &stranger), NOW)
        ));
    }
    let swapped = forge(&claims, previous.key_id(), &current);
    assert!(is_invalid(&tokens.verify(&swapped, NOW)));
    assert!(
        tokens
            .verify(&forge(&claims, current.key_id(), &current), NOW)
            .is_ok()
    );
}

#[test]
fn the_jwks_lists_every_verification_key_signing_key_first() {
    let (current, first, second) = (
        SigningKey::generate(),
        SigningKey::generate(),
        SigningKey::generate(),
    );
    let tokens = tokens(&current, settings()).with_verification_keys([
        first.verification_key(),
        second.verification_key(),
        current.verification_key(),
        first.verification_key(),
    ]);

    let jwks = tokens.jwks();

    let listed: Vec<(&str, Vec<u8>)> = jwks
        .keys
        .iter()
        .map(|jwk| {
            (
                jwk.kid.as_str(),
                URL_SAFE_NO_PAD.decode(&jwk.x).expect("base64url"),
            )
        })
        .collect();
    let expected: Vec<(&str, Vec<u8>)> = [&current, &first, &second]
        .iter()
        .map(|key| (key.key_id(), key.verification_key().public_key().to_vec()))
        .collect();
    assert_eq!(listed, expected);
    let header =
        jsonwebtoken::decode_header(issue(&tokens, &user(Role::User), NOW)).expect("header");
    assert_eq!(header.kid.as_deref(), Some(jwks.keys[0].kid.as_str()));
    assert_eq!(
        serde_json::to_value(&jwks.keys[0]).expect("serialises"),
        serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "x": jwks.keys[0].x, "kid": current.key_id(),
            "alg": "EdDSA", "use": "sig",
        })
    );
}

#[test]
fn unsigned_altered_and_malformed_tokens_are_invalid() {
    let tokens = tokens(&SigningKey::generate(), settings());
    let token = issue(&tokens, &user(Role::User), NOW);
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let header = URL_SAFE_NO_PAD.decode(&parts[0]).expect("base64");
    let header: serde_json::Value = serde_json::from_slice(&header).expect("json");
    let unsigned_header = serde_json::json!({"alg": "none", "typ": "JWT", "kid": header["kid"]});
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
        assert!(is_invalid(&tokens.verify(bad, NOW)), "{bad:?} accepted");
    }
}

#[test]
fn a_token_of_another_type_is_invalid_even_when_signed_by_our_key() {
    let key = SigningKey::generate();
    let tokens = tokens(&key, settings());
    let claims = serde_json::json!({
        "sub": Uuid::now_v7(), "sid": Uuid::now_v7(), "role": "admin",
        "iat": NOW.unix_timestamp(), "exp": (NOW + Duration::minutes(5)).unix_timestamp(),
        "iss": "doorman", "aud": "doorman-api",
    });
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.key_id().to_owned());
    let encoding = EncodingKey::from_ed_der(&key.pkcs8_der().expect("encodes"));
    let typed = |typ: Option<&str>| {
        let mut header = header.clone();
        header.typ = typ.map(str::to_owned);
        jsonwebtoken::encode(&header, &claims, &encoding).expect("signed")
    };

    assert!(tokens.verify(&typed(Some("JWT")), NOW).is_ok());
    for other in [Some("id+jwt"), Some("logout+jwt"), None] {
        assert!(is_invalid(&tokens.verify(&typed(other), NOW)), "{other:?}");
    }
}
