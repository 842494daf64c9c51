//! The headers that keep browsers and caches from misusing the answers.

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderMap, X_CONTENT_TYPE_OPTIONS};

use crate::helpers::spawn_app;

fn header<'a>(headers: &'a HeaderMap, name: &reqwest::header::HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

#[tokio::test]
async fn answers_with_account_data_or_tokens_are_never_stored_nor_sniffed_nor_framed() {
    let app = spawn_app().await;
    let (email, tokens) = app.new_account().await;
    let me = app.get_with_token("/v1/users/me", &tokens.access).await;
    let sessions = app
        .get_with_token("/v1/users/me/sessions", &tokens.access)
        .await;
    let login = app.login(&email, crate::helpers::PASSWORD).await;
    let refused = app.get_with_token("/v1/users/me", "not a token").await;
    let no_route = app
        .client
        .get(app.url("/nowhere"))
        .send()
        .await
        .expect("sent");

    for (what, response) in [
        ("me", &me),
        ("sessions", &sessions),
        ("login", &login),
        ("refused", &refused),
        ("no route", &no_route),
    ] {
        let headers = response.headers();
        assert_eq!(
            header(headers, &X_CONTENT_TYPE_OPTIONS),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(header(headers, &CACHE_CONTROL), Some("no-store"), "{what}");
        assert_eq!(
            header(headers, &CONTENT_SECURITY_POLICY),
            Some("default-src 'none'; frame-ancestors 'none'"),
            "{what}"
        );
    }
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(sessions.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_documentation_keeps_its_own_policy_and_the_key_set_its_caching() {
    let app = spawn_app().await;
    let docs = app.client.get(app.url("/docs")).send().await.expect("sent");
    let jwks = app
        .client
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .expect("sent");

    assert_eq!(docs.status(), StatusCode::OK);
    let policy = header(docs.headers(), &CONTENT_SECURITY_POLICY).unwrap_or_default();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert_eq!(
        header(docs.headers(), &X_CONTENT_TYPE_OPTIONS),
        Some("nosniff")
    );
    assert_eq!(
        header(jwks.headers(), &CACHE_CONTROL),
        Some("public, max-age=300")
    );
}
