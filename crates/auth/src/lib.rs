//! DriftGuard users and their rights: Argon2id password hashing, JWT issue and verification,
//! the permission table of SPEC §2, the `UserRepository` port and the account use cases.

pub mod password;
pub mod permission;
pub mod repository;
pub mod service;
pub mod token;
pub mod user;

pub use permission::{Action, authorize};
pub use repository::UserRepository;
pub use service::{AuthService, LoginOutcome};
pub use token::{Claims, TokenService};
pub use user::{NewUser, User, validate_email, validate_password};
