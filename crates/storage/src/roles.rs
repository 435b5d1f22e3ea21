//! Role changes on the database: the change, the last-admin rule and the audit record in one
//! transaction, and the reading of that record.

use crate::convert::{from_db, to_count, to_db, to_offset};
use crate::error::{corrupt, query_error};
use crate::schema::{role_changes, users};
use crate::settings::Backend;
use crate::store::Store;
use crate::users::UserRow;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use driftguard_auth::{RoleChange, RoleChangeRecord, User, ensure_an_admin_remains};
use driftguard_core::{DomainResult, Page, Role, UserId, now};

/// PostgreSQL: locks the rows of every admin and of the user whose role changes, in id order
/// (so that concurrent changes cannot deadlock), before anything is read. A concurrent change
/// waits here until this one commits and then reads what it wrote; a row that stopped being
/// an admin meanwhile drops out of its set (READ COMMITTED re-checks a locked row's `WHERE`).
/// So two admins demoting each other cannot both see two admins. SQLite needs no more than the
/// transaction's first statement, which took the database's write lock.
const LOCK_ADMINS_AND_TARGET: &str =
    "SELECT id FROM users WHERE role = 'admin' OR id = $1 ORDER BY id FOR UPDATE";

#[derive(Queryable, Selectable)]
#[diesel(table_name = role_changes)]
struct RoleChangeRow {
    id: i64,
    user_id: i64,
    changed_by: i64,
    from_role: String,
    to_role: String,
    changed_at: NaiveDateTime,
}

fn role(stored: &str) -> DomainResult<Role> {
    stored.parse().map_err(|e| corrupt("role change", e))
}

impl RoleChangeRow {
    fn into_record(self) -> DomainResult<RoleChangeRecord> {
        Ok(RoleChangeRecord {
            id: self.id,
            user_id: UserId(self.user_id),
            changed_by: UserId(self.changed_by),
            from_role: role(&self.from_role)?,
            to_role: role(&self.to_role)?,
            changed_at: from_db(self.changed_at),
        })
    }
}

/// `UserRepository::set_role`.
pub(crate) async fn set_role(store: &Store, change: RoleChange) -> DomainResult<User> {
    let lock = (store.database().backend() == Backend::Postgres).then_some(LOCK_ADMINS_AND_TARGET);
    let at = to_db(now());
    transaction!(store, false, |conn| {
        if let Some(lock) = lock {
            diesel::sql_query(lock)
                .bind::<BigInt, _>(change.user_id.0)
                .execute(conn)
                .await?;
        }
        let before = users::table
            .find(change.user_id.0)
            .select(UserRow::as_select())
            .first::<UserRow>(conn)
            .await
            .optional()?
            .ok_or_else(|| change.user_id.not_found())?
            .into_user()?;
        if before.role == change.role {
            return Ok(before);
        }
        let admins: i64 = users::table
            .filter(users::role.eq(Role::Admin.as_str()))
            .count()
            .get_result(conn)
            .await?;
        ensure_an_admin_remains(before.role, change.role, to_count(admins))?;
        let after = diesel::update(users::table.find(change.user_id.0))
            .set((
                users::role.eq(change.role.as_str()),
                users::updated_at.eq(at),
            ))
            .returning(UserRow::as_returning())
            .get_result::<UserRow>(conn)
            .await?
            .into_user()?;
        diesel::insert_into(role_changes::table)
            .values((
                role_changes::user_id.eq(change.user_id.0),
                role_changes::changed_by.eq(change.changed_by.0),
                role_changes::from_role.eq(before.role.as_str()),
                role_changes::to_role.eq(change.role.as_str()),
                role_changes::changed_at.eq(at),
            ))
            .execute(conn)
            .await?;
        Ok(after)
    })
}

/// `UserRepository::role_changes`.
pub(crate) async fn role_changes(
    store: &Store,
    user_id: UserId,
    page: Page,
) -> DomainResult<(Vec<RoleChangeRecord>, u64)> {
    with_conn!(store.database(), |conn| {
        let exists = diesel::select(diesel::dsl::exists(users::table.find(user_id.0)))
            .get_result::<bool>(conn)
            .await
            .map_err(query_error)?;
        if !exists {
            return Err(user_id.not_found());
        }
        let of_user = role_changes::table.filter(role_changes::user_id.eq(user_id.0));
        let total: i64 = of_user
            .count()
            .get_result(conn)
            .await
            .map_err(query_error)?;
        let rows: Vec<RoleChangeRow> = of_user
            .order(role_changes::id.desc())
            .offset(to_offset(page.skip()))
            .limit(to_offset(page.limit()))
            .select(RoleChangeRow::as_select())
            .load(conn)
            .await
            .map_err(query_error)?;
        let records = rows
            .into_iter()
            .map(RoleChangeRow::into_record)
            .collect::<DomainResult<Vec<_>>>()?;
        Ok((records, to_count(total)))
    })
}
