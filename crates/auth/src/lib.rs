//! DriftGuard users and their rights: Argon2id password hashing, JWT issue and verification,
//! the permission table of SPEC §2, the `UserRepository` and `RememberedUsers` ports and the
//! account use cases: role changes (audited, never removing the last admin) and ending
//! sessions.

pub mod password;
pub mod permission;
pub mod remembered;
pub mod repository;
pub mod roles;
pub mod service;
pub mod session;
pub mod token;
pub mod user;

pub use permission::{Action, authorize};
pub use remembered::{ReadUser, RememberedUsers};
pub use repository::UserRepository;
pub use roles::{RoleChange, RoleChangeRecord, ensure_an_admin_remains};
pub use service::{AuthService, LoginOutcome};
pub use token::{Claims, TokenService};
pub use user::{NewUser, User, validate_email, validate_password};
