//! `UserRepository` on the database.

use crate::convert::{from_db, to_count, to_db, to_offset};
use crate::error::{corrupt, query_error, unique_as};
use crate::schema::users;
use crate::store::Store;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_auth::{NewUser, User, UserRepository};
use driftguard_core::{DomainError, DomainResult, Page, Role, now};

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: i64,
    email: String,
    full_name: Option<String>,
    role: String,
    password_hash: String,
    created_at: NaiveDateTime,
}

impl UserRow {
    fn into_user(self) -> DomainResult<User> {
        Ok(User {
            id: self.id,
            email: self.email,
            full_name: self.full_name,
            role: self
                .role
                .parse::<Role>()
                .map_err(|e| corrupt("user role", e))?,
            password_hash: self.password_hash,
            created_at: from_db(self.created_at),
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
        let email = user.email.clone();
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
                .map_err(|e| unique_as(e, || format!("a user with the email {email} exists")))?
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

    async fn find_by_id(&self, id: i64) -> DomainResult<Option<User>> {
        with_conn!(self.database(), |conn| {
            users::table
                .find(id)
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

    async fn set_role(&self, id: i64, role: Role) -> DomainResult<User> {
        with_conn!(self.database(), |conn| {
            diesel::update(users::table.find(id))
                .set((
                    users::role.eq(role.as_str()),
                    users::updated_at.eq(to_db(now())),
                ))
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
                .optional()
                .map_err(query_error)?
                .ok_or_else(|| DomainError::NotFound(format!("user {id} not found")))?
                .into_user()
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
