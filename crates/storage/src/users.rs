//! `UserRepository` on the database: accounts and their sessions here, role changes in
//! [`crate::roles`].

use crate::convert::{from_db, to_count, to_db, to_offset};
use crate::error::{corrupt, query_error, unique_as};
use crate::schema::users;
use crate::store::Store;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_auth::{NewUser, RoleChange, RoleChangeRecord, User, UserRepository};
use driftguard_core::{DomainResult, Page, Role, Timestamp, UserId, now};

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    full_name: Option<String>,
    role: String,
    password_hash: String,
    created_at: NaiveDateTime,
    tokens_valid_after: Option<NaiveDateTime>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> DomainResult<User> {
        Ok(User {
            id: UserId(self.id),
            email: self.email,
            full_name: self.full_name,
            role: self
                .role
                .parse::<Role>()
                .map_err(|e| corrupt("user role", e))?,
            password_hash: self.password_hash,
            created_at: from_db(self.created_at),
            tokens_valid_after: self.tokens_valid_after.map(from_db),
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct UserInsert {
    email: String,
    full_name: Option<String>,
    role: String,
    password_hash: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[async_trait]
impl UserRepository for Store {
    async fn create(&self, user: NewUser) -> DomainResult<User> {
        let at = to_db(now());
        let row = UserInsert {
            email: user.email,
            full_name: user.full_name,
            role: user.role.as_str().to_owned(),
            password_hash: user.password_hash,
            created_at: at,
            updated_at: at,
        };
        with_conn!(self.database(), |conn| {
            diesel::insert_into(users::table)
                .values(&row)
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
                // The address is not echoed: whoever sent it knows it, and an answer that
                // repeats input invites reflection into pages and logs.
                .map_err(|e| unique_as(e, || "a user with this email already exists".into()))?
                .into_user()
        })
    }

    async fn find_by_email(&self, email: &str) -> DomainResult<Option<User>> {
        with_conn!(self.database(), |conn| {
            users::table
                .filter(users::email.eq(email))
                .select(UserRow::as_select())
                .first(conn)
                .await
                .optional()
                .map_err(query_error)?
                .map(UserRow::into_user)
                .transpose()
        })
    }

    async fn find_by_id(&self, id: UserId) -> DomainResult<Option<User>> {
        with_conn!(self.database(), |conn| {
            users::table
                .find(id.0)
                .select(UserRow::as_select())
                .first(conn)
                .await
                .optional()
                .map_err(query_error)?
                .map(UserRow::into_user)
                .transpose()
        })
    }

    async fn list(&self, page: Page) -> DomainResult<(Vec<User>, u64)> {
        with_conn!(self.database(), |conn| {
            let total: i64 = users::table
                .count()
                .get_result(conn)
                .await
                .map_err(query_error)?;
            let rows: Vec<UserRow> = users::table
                .order(users::id.asc())
                .offset(to_offset(page.skip()))
                .limit(to_offset(page.limit()))
                .select(UserRow::as_select())
                .load(conn)
                .await
                .map_err(query_error)?;
            let users = rows
                .into_iter()
                .map(UserRow::into_user)
                .collect::<DomainResult<Vec<_>>>()?;
            Ok((users, to_count(total)))
        })
    }

    async fn set_role(&self, change: RoleChange) -> DomainResult<User> {
        crate::roles::set_role(self, change).await
    }

    async fn role_changes(
        &self,
        user_id: UserId,
        page: Page,
    ) -> DomainResult<(Vec<RoleChangeRecord>, u64)> {
        crate::roles::role_changes(self, user_id, page).await
    }

    async fn end_sessions(&self, user_id: UserId, at: Timestamp) -> DomainResult<()> {
        let at = to_db(at);
        with_conn!(self.database(), |conn| {
            // Only ever moved forward: a revocation stamped earlier (a slower replica's clock)
            // must not bring back tokens a later one ended.
            let moved = diesel::update(
                users::table.find(user_id.0).filter(
                    users::tokens_valid_after
                        .is_null()
                        .or(users::tokens_valid_after.lt(at)),
                ),
            )
            .set(users::tokens_valid_after.eq(at))
            .execute(conn)
            .await
            .map_err(query_error)?;
            let exists = moved > 0
                || diesel::select(diesel::dsl::exists(users::table.find(user_id.0)))
                    .get_result::<bool>(conn)
                    .await
                    .map_err(query_error)?;
            if exists {
                Ok(())
            } else {
                Err(user_id.not_found())
            }
        })
    }

    async fn count(&self) -> DomainResult<u64> {
        with_conn!(self.database(), |conn| {
            users::table
                .count()
                .get_result::<i64>(conn)
                .await
                .map(to_count)
                .map_err(query_error)
        })
    }
}
