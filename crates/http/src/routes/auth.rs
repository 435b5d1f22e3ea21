//! `/auth`: open registration, sign-in, who am I, and sign-out.

use crate::body::Body;
use crate::error::{ApiError, ErrorBody};
use crate::extract::CurrentUser;
use crate::middleware::client_ip::ClientIp;
use crate::server::HttpSettings;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use driftguard_app::Services;
use driftguard_auth::User;
use driftguard_core::{DomainError, Role, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Email address, unique (compared without regard to case).
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// 12 to 1,024 characters.
    #[schema(min_length = 12, max_length = 1024)]
    pub password: String,
    /// Display name, at most 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub full_name: Option<String>,
}

/// A user as the API shows it (never with the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// User id.
    #[schema(value_type = i64)]
    pub id: UserId,
    /// Email address.
    pub email: String,
    /// Display name.
    pub full_name: Option<String>,
    /// Role.
    pub role: Role,
    /// When the account was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            full_name: u.full_name,
            role: u.role,
            created_at: u.created_at,
        }
    }
}

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
}

/// The user part of a sign-in answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenUser {
    /// User id.
    #[schema(value_type = i64)]
    pub id: UserId,
    /// Email address.
    pub email: String,
    /// Role.
    pub role: Role,
}

/// A successful sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    /// Who signed in.
    pub user: TokenUser,
}

/// The client as the limiter resolved it (behind trusted proxies), for the login events.
fn client_ip(req: &HttpRequest) -> String {
    ClientIp::logged(req)
}

/// Creates a `viewer` account.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, body = UserResponse),
        (status = 403, description = "registration is closed", body = ErrorBody),
        (status = 409, description = "email taken", body = ErrorBody),
        (status = 422, description = "bad email or short password", body = ErrorBody),
    )
)]
#[post("/auth/register")]
pub async fn register(
    services: web::Data<Services>,
    settings: web::Data<HttpSettings>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    if !settings.open_registration {
        return Err(DomainError::Forbidden("open registration is switched off".into()).into());
    }
    let body: RegisterRequest = body.json().await?;
    let user = services
        .auth
        .register(&body.email, &body.password, body.full_name)
        .await?;
    tracing::info!(user_id = user.id.0, "user.registered");
    Ok(HttpResponse::Created().json(UserResponse::from(user)))
}

/// Signs in; a wrong email and a wrong password get the same 401.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Incorrect email or password", body = ErrorBody),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    services: web::Data<Services>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let ip = client_ip(&req);
    let body: LoginRequest = body.json().await?;
    match services.auth.login(&body.email, &body.password).await {
        Ok(outcome) => {
            tracing::info!(user_id = outcome.user.id.0, ip = %ip, "user.login_success");
            Ok(HttpResponse::Ok().json(TokenResponse {
                access_token: outcome.access_token,
                token_type: "bearer",
                expires_in: outcome.expires_in,
                user: TokenUser {
                    id: outcome.user.id,
                    email: outcome.user.email,
                    role: outcome.user.role,
                },
            }))
        }
        Err(e) => {
            tracing::warn!(ip = %ip, "user.login_failed");
            Err(e.into())
        }
    }
}

/// The signed-in user.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, body = UserResponse), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/auth/me")]
pub async fn me(user: CurrentUser) -> web::Json<UserResponse> {
    web::Json(user.0.into())
}

/// Signs out: ends every session of the caller, this token included (each token issued to
/// them so far is refused from now on; sign in again for a new one).
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204, description = "every session of the caller has ended"),
        (status = 401, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(
    user: CurrentUser,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    services.auth.end_sessions(user.0.id).await?;
    tracing::info!(user_id = user.0.id.0, "user.logout");
    Ok(HttpResponse::NoContent().finish())
}
