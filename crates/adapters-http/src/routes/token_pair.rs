//! The token pair that sign-in and refresh return.

use actix_web::HttpResponse;
use actix_web::http::header::CACHE_CONTROL;
use app::auth::SignedIn;
use domain::device::DeviceToken;
use secrecy::ExposeSecret;
use serde::Serialize;
use utoipa::ToSchema;

use super::user_body::UserResponseBody;

/// The token pair of a sign-in or a refresh. Never cached
/// (`Cache-Control: no-store`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TokenPair, example = TokenResponseBody::example)]
pub(super) struct TokenResponseBody {
    /// A JWT signed with EdDSA (`kid` in its header; keys at
    /// `/.well-known/jwks.json`), for `Authorization: Bearer`.
    access_token: String,
    token_type: TokenType,
    /// Seconds until the access token expires.
    expires_in: i64,
    /// `<session id>.<secret>`, for `POST /v1/auth/refresh` and
    /// `POST /v1/auth/logout`; a refresh replaces it.
    refresh_token: String,
    /// Sign-in only: `<device id>.<secret>`, to send as `deviceToken` with
    /// this client's next sign-in to the account, which replaces it. It
    /// vouches for this client while the account is locked for others,
    /// until it expires (`DOORMAN_DEVICE_TOKEN_LIFETIME_DAYS` after the
    /// sign-in) or the password changes. Keep it like a refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    device_token: Option<String>,
    user: UserResponseBody,
}

/// How to present the access token.
#[derive(Serialize, ToSchema)]
enum TokenType {
    Bearer,
}

impl TokenResponseBody {
    /// The refresh token of the examples of the OpenAPI document.
    pub(super) fn example_refresh_token() -> &'static str {
        "0193a5c2-9d04-7e61-8a3b-6c1f2e4d5a70.q8ZCdI1vYlHk3Jm0sT5wXo9aRb2eNf7gUp4yLc6iKzE"
    }

    /// The device token of the examples of the OpenAPI document.
    pub(super) fn example_device_token() -> &'static str {
        "0193a5c2-9d04-7e61-8a3b-6c1f2e4d5a71.M3kVx9QpLr0sT5wXo9aRb2eNf7gUp4yLc6iKzEq8ZCd"
    }

    /// The example of the OpenAPI document.
    fn example() -> Self {
        Self {
            access_token: "eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl"
                .to_owned(),
            token_type: TokenType::Bearer,
            expires_in: 900,
            refresh_token: Self::example_refresh_token().to_owned(),
            device_token: Some(Self::example_device_token().to_owned()),
            user: UserResponseBody::example(),
        }
    }
}

/// 200 with the token pair; never cached.
pub(super) fn token_pair(signed_in: &SignedIn) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(TokenResponseBody {
            access_token: signed_in.access_token.token.expose_secret().to_owned(),
            token_type: TokenType::Bearer,
            expires_in: signed_in.access_token.lifetime.whole_seconds(),
            refresh_token: signed_in.refresh_token.expose(),
            device_token: signed_in.device_token.as_ref().map(DeviceToken::expose),
            user: (&signed_in.user).into(),
        })
}
