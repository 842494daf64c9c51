//! `/v1/users`: accounts.

use actix_web::HttpResponse;
use actix_web::web::{Data, Path};
use uuid::Uuid;

use super::user_body::user_response;
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::server::ApiState;

pub(super) async fn get_me(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let user = state.users.get_me(&caller).await?;
    Ok(user_response(&user))
}

// The caller is authenticated before the path is parsed, so that strangers
// learn nothing, not even which ids are well-formed.
pub(super) async fn get_user(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    id: Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .users
        .get_user(&caller, id.into_inner().into())
        .await?;
    Ok(user_response(&user))
}
