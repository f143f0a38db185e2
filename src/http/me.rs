use actix_web::{get, web};

use crate::{
    auth::Principal,
    error::{self, ApiError},
    services::accounts::{self, Account},
    startup::AppState,
};

/// The caller's own account.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account", body = Account),
        (status = 401, response = error::Unauthorized),
        (status = 500, response = error::InternalError),
    )
)]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<web::Json<Account>, ApiError> {
    Ok(web::Json(accounts::find(&state.db, caller.id).await?))
}
