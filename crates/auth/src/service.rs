//! The account use cases: register, sign in, resolve a token to a user, end sessions, create
//! users from the CLI or bootstrap settings, list users, change roles and read their history.

use crate::remembered::{RememberedUsers, change_then_forget};
use crate::repository::UserRepository;
use crate::roles::{RoleChange, RoleChangeRecord};
use crate::token::TokenService;
use crate::user::{NewUser, User, normalize_email, validate_email, validate_password};
use crate::{password, session};
use driftguard_core::{DomainError, DomainResult, Page, Role, UserId, now};
use std::sync::Arc;
use tokio::sync::{Semaphore, SemaphorePermit};

/// What a successful sign-in returns.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The signed JWT.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// Who signed in.
    pub user: User,
}

/// Account use cases over a user store and a token service.
#[derive(Clone)]
pub struct AuthService {
    users: Arc<dyn UserRepository>,
    /// Where authentication finds the users tokens name without reading the store, if
    /// anywhere.
    remembered: Option<Arc<dyn RememberedUsers>>,
    tokens: TokenService,
    /// Password hashes running at once, whichever front end asked (API, UI, CLI): Argon2
    /// is slow on purpose, and a flood of sign-ins must not starve the blocking pool.
    hashes: Arc<Semaphore>,
}

/// The one message for every failed sign-in, so it does not tell which part was wrong.
const BAD_CREDENTIALS: &str = "Incorrect email or password";

impl AuthService {
    /// A service over this store and token service, running at most `max_hashes` password
    /// hashes at once (0: one per core); past that, sign-ins and new accounts are refused
    /// at once with [`DomainError::Busy`], never queued.
    pub fn new(users: Arc<dyn UserRepository>, tokens: TokenService, max_hashes: usize) -> Self {
        let max_hashes = if max_hashes > 0 {
            max_hashes
        } else {
            std::thread::available_parallelism().map_or(1, usize::from)
        };
        Self {
            users,
            remembered: None,
            tokens,
            hashes: Arc::new(Semaphore::new(max_hashes)),
        }
    }

    /// The same service, authenticating with the users `remembered` keeps (`None`: reading
    /// each request's user from the store). Role changes and ended sessions make it forget.
    pub fn remembering(self, remembered: Option<Arc<dyn RememberedUsers>>) -> Self {
        Self { remembered, ..self }
    }

    /// A slot for one password hash, held until dropped, or `Busy`.
    fn hash_slot(&self) -> DomainResult<SemaphorePermit<'_>> {
        self.hashes
            .try_acquire()
            .map_err(|_| DomainError::Busy("Too many sign-ins at once; try again shortly".into()))
    }

    /// The token service (for its lifetime setting).
    pub fn tokens(&self) -> &TokenService {
        &self.tokens
    }

    /// Creates a user with a role, after checking the email and password.
    pub async fn create_user(
        &self,
        email: &str,
        password: &str,
        full_name: Option<String>,
        role: Role,
    ) -> DomainResult<User> {
        let email = normalize_email(email);
        let errors: Vec<_> = [validate_email(&email), validate_password(password)]
            .into_iter()
            .flatten()
            .collect();
        if !errors.is_empty() {
            return Err(DomainError::invalid_fields(errors));
        }
        // Counted as sent, as the OpenAPI document's maxLength counts; stored trimmed.
        if full_name.as_ref().is_some_and(|n| n.chars().count() > 200) {
            return Err(DomainError::invalid_field(
                "full_name",
                "must be at most 200 characters",
            ));
        }
        let full_name = full_name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        let password_hash = {
            let _slot = self.hash_slot()?;
            password::hash(password).await?
        };
        self.users
            .create(NewUser {
                email,
                full_name,
                role,
                password_hash,
            })
            .await
    }

    /// Open registration: a new `viewer`.
    pub async fn register(
        &self,
        email: &str,
        password: &str,
        full_name: Option<String>,
    ) -> DomainResult<User> {
        self.create_user(email, password, full_name, Role::Viewer)
            .await
    }

    /// Signs a user in; a wrong email and a wrong password fail alike, in the same time.
    /// Right after the user's sessions were ended, the token waits for the next second (at
    /// most one), so that it is not refused with the ended ones ([`session`]).
    pub async fn login(&self, email: &str, password: &str) -> DomainResult<LoginOutcome> {
        let _slot = self.hash_slot()?;
        let user = self.users.find_by_email(&normalize_email(email)).await?;
        let ok =
            password::verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
        match user {
            Some(user) if ok => {
                let wait = session::wait_before_issuing(now(), user.tokens_valid_after);
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                Ok(LoginOutcome {
                    access_token: self.tokens.issue(user.id, user.role)?,
                    expires_in: self.tokens.lifetime_seconds(),
                    user,
                })
            }
            _ => Err(DomainError::Unauthorized(BAD_CREDENTIALS.into())),
        }
    }

    /// The user a token belongs to. The role comes from the store, not the token, so a role
    /// change or a removed account takes effect at once; so does the end of the user's
    /// sessions, checked against the token's `iat` on every request.
    pub async fn authenticate(&self, token: &str) -> DomainResult<User> {
        let claims = self.tokens.verify(token)?;
        let id = claims.user_id()?;
        let user = match &self.remembered {
            Some(remembered) => {
                remembered
                    .user(id, Box::pin(self.users.find_by_id(id)))
                    .await
            }
            None => self.users.find_by_id(id).await,
        }?
        .ok_or_else(|| DomainError::Unauthorized("Could not validate credentials".into()))?;
        if session::is_revoked(claims.iat, user.tokens_valid_after) {
            return Err(DomainError::Unauthorized(
                "This session has ended; sign in again".into(),
            ));
        }
        Ok(user)
    }

    /// Ends every session of a user: each token issued until now is refused from the next
    /// request on (a sign-out ends the caller's own; an admin can end anyone's).
    pub async fn end_sessions(&self, user_id: UserId) -> DomainResult<()> {
        let users = self.users.clone();
        let change = async move { users.end_sessions(user_id, now()).await };
        change_then_forget(change, self.remembered.clone()).await
    }

    /// Creates the first admin when there are no users at all; `Ok(None)` when users exist.
    pub async fn bootstrap_admin(&self, email: &str, password: &str) -> DomainResult<Option<User>> {
        if self.users.count().await? > 0 {
            return Ok(None);
        }
        match self.create_user(email, password, None, Role::Admin).await {
            Ok(user) => Ok(Some(user)),
            // Another replica bootstrapped the same admin at the same moment.
            Err(DomainError::Conflict(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The user with this email (normalised as sign-in normalises it), if any.
    pub async fn user_by_email(&self, email: &str) -> DomainResult<Option<User>> {
        self.users.find_by_email(&normalize_email(email)).await
    }

    /// The user with this id, if any.
    pub async fn user_by_id(&self, id: UserId) -> DomainResult<Option<User>> {
        self.users.find_by_id(id).await
    }

    /// A page of users and the total.
    pub async fn list_users(&self, page: Page) -> DomainResult<(Vec<User>, u64)> {
        self.users.list(page).await
    }

    /// Changes a user's role on an admin's behalf, recording the change; the last admin
    /// keeps the role (`Conflict`).
    pub async fn set_role(&self, change: RoleChange) -> DomainResult<User> {
        let users = self.users.clone();
        let change = async move { users.set_role(change).await };
        change_then_forget(change, self.remembered.clone()).await
    }

    /// A page of a user's role changes, newest first, and the total.
    pub async fn role_changes(
        &self,
        user_id: UserId,
        page: Page,
    ) -> DomainResult<(Vec<RoleChangeRecord>, u64)> {
        self.users.role_changes(user_id, page).await
    }
}
