//! `WebhookStore` on the database: endpoints, the outbox (`webhook_events` and one
//! `webhook_deliveries` row per subscribed endpoint) and the delivery log. The [`enqueue!`]
//! macro writes an event's outbox rows inside the transaction of the command that raised it;
//! claims take a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so that replicas claim
//! different rows; SQLite has one writer at a time).

use crate::convert::{from_db, from_json, to_count, to_db, to_json, to_offset};
use crate::error::{corrupt, query_error};
use crate::schema::{webhook_deliveries as wd, webhook_endpoints as we, webhook_events as wv};
use crate::settings::Backend;
use crate::store::Store;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_app::ports::webhooks::{
    AttemptResult, ClaimedDelivery, DeliveryRecord, DeliveryState, Endpoint, EndpointPatch,
    NewEndpoint, WebhookStore,
};
use driftguard_app::webhooks::delivery::later;
use driftguard_app::webhooks::event::{EventKind, OutboxEvent};
use driftguard_app::webhooks::signature::{WebhookSecret, random_u64};
use driftguard_core::{DomainResult, Page, Timestamp, UserId, WebhookId};
use std::time::Duration;

/// Longest error text kept in the delivery log.
const MAX_ERROR: usize = 500;

/// Inside a transaction: stores `$event` (an `OutboxEvent`) and a pending delivery, due now,
/// for every active endpoint subscribed to its kind; an event no endpoint wants is not
/// stored. Evaluates to the number of deliveries made.
macro_rules! enqueue {
    ($conn:ident, $event:expr) => {{
        use $crate::schema::{
            webhook_deliveries as wd, webhook_endpoints as we, webhook_events as wv,
        };
        let event: driftguard_app::webhooks::event::OutboxEvent = $event;
        let at = $crate::convert::to_db(event.occurred_at);
        // `events` is a JSON array of names; a quoted name matches only itself.
        let pattern = format!("%\"{}\"%", event.kind.as_str());
        let endpoints: Vec<i64> = we::table
            .filter(we::active.eq(true))
            .filter(we::events.like(pattern))
            .select(we::id)
            .load($conn)
            .await?;
        let mut made = 0u64;
        if !endpoints.is_empty() {
            let row: i64 = diesel::insert_into(wv::table)
                .values((
                    wv::event_id.eq(&event.id),
                    wv::kind.eq(event.kind.as_str()),
                    wv::data.eq($crate::convert::to_json(&event.data)?),
                    wv::occurred_at.eq(at),
                ))
                .returning(wv::id)
                .get_result($conn)
                .await?;
            for endpoint in endpoints {
                diesel::insert_into(wd::table)
                    .values((
                        wd::endpoint_id.eq(endpoint),
                        wd::event_id.eq(row),
                        wd::state.eq("pending"),
                        wd::attempts.eq(0i64),
                        wd::next_attempt_at.eq(at),
                        wd::created_at.eq(at),
                    ))
                    .execute($conn)
                    .await?;
                made += 1;
            }
        }
        made
    }};
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = we)]
struct EndpointRow {
    id: i64,
    url: String,
    events: String,
    format: String,
    description: Option<String>,
    secret: String,
    active: bool,
    created_by: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl EndpointRow {
    fn into_endpoint(self) -> DomainResult<Endpoint> {
        Ok(Endpoint {
            id: WebhookId(self.id),
            url: self.url,
            events: from_json("webhook events", &self.events)?,
            format: self
                .format
                .parse()
                .map_err(|e| corrupt("webhook format", e))?,
            description: self.description,
            active: self.active,
            secret: WebhookSecret::from_stored(self.secret),
            created_by: UserId(self.created_by),
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        })
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = we)]
struct EndpointChanges {
    url: Option<String>,
    events: Option<String>,
    active: Option<bool>,
    updated_at: NaiveDateTime,
}

/// A due delivery's id, from the claim's raw query.
#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// The due deliveries of active endpoints whose lease (if any) ran out, oldest due first;
/// with `lock`, on PostgreSQL locked, skipping rows another claimant holds.
fn due_query(backend: Backend, limit: u32, lock: bool) -> String {
    let (now, again, lock) = match backend {
        Backend::Postgres if lock => ("$1", "$2", " FOR UPDATE OF d SKIP LOCKED"),
        Backend::Postgres => ("$1", "$2", ""),
        Backend::Sqlite => ("?", "?", ""),
    };
    format!(
        "SELECT d.id FROM webhook_deliveries d \
         JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.state = 'pending' AND e.active AND d.next_attempt_at <= {now} \
         AND (d.lease_until IS NULL OR d.lease_until <= {again}) \
         ORDER BY d.next_attempt_at, d.id LIMIT {limit}{lock}"
    )
}

type ClaimRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
);

fn event_of(id: String, kind: &str, data: &str, at: NaiveDateTime) -> DomainResult<OutboxEvent> {
    Ok(OutboxEvent {
        id,
        kind: kind.parse().map_err(|e| corrupt("webhook event kind", e))?,
        occurred_at: from_db(at),
        data: from_json("webhook event data", data)?,
    })
}

fn claimed(
    (id, attempts, url, format, secret, event_id, kind, data, at): ClaimRow,
    token: &str,
) -> DomainResult<ClaimedDelivery> {
    Ok(ClaimedDelivery {
        id,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        lease_token: token.to_owned(),
        url,
        format: format.parse().map_err(|e| corrupt("webhook format", e))?,
        secret: WebhookSecret::from_stored(secret),
        event: event_of(event_id, &kind, &data, at)?,
    })
}

type LogRow = (
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    NaiveDateTime,
    Option<NaiveDateTime>,
    NaiveDateTime,
);

fn log_line(
    (id, event_id, kind, state, attempts, status, error, next, delivered, created): LogRow,
) -> DomainResult<DeliveryRecord> {
    let state: DeliveryState = state.parse().map_err(|e| corrupt("delivery state", e))?;
    let event: EventKind = kind.parse().map_err(|e| corrupt("webhook event kind", e))?;
    Ok(DeliveryRecord {
        id,
        event_id,
        event,
        state,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        last_status: status.and_then(|s| u16::try_from(s).ok()),
        last_error: error,
        next_attempt_at: (state == DeliveryState::Pending).then(|| from_db(next)),
        delivered_at: delivered.map(from_db),
        created_at: from_db(created),
    })
}

fn clip(error: Option<String>) -> Option<String> {
    error.map(|e| e.chars().take(MAX_ERROR).collect())
}

#[async_trait]
impl WebhookStore for Store {
    async fn create_endpoint(&self, e: NewEndpoint) -> DomainResult<Endpoint> {
        let at = to_db(e.created_at);
        let events = to_json(&e.events)?;
        let row: EndpointRow = with_conn!(self.database(), |conn| {
            diesel::insert_into(we::table)
                .values((
                    we::url.eq(&e.url),
                    we::events.eq(&events),
                    we::format.eq(e.format.as_str()),
                    we::description.eq(&e.description),
                    we::secret.eq(e.secret.expose()),
                    we::active.eq(true),
                    we::created_by.eq(e.created_by.0),
                    we::created_at.eq(at),
                    we::updated_at.eq(at),
                ))
                .returning(EndpointRow::as_returning())
                .get_result(conn)
                .await
                .map_err(query_error)?
        });
        row.into_endpoint()
    }

    async fn get_endpoint(&self, id: WebhookId) -> DomainResult<Option<Endpoint>> {
        let row: Option<EndpointRow> = with_conn!(self.database(), |conn| {
            we::table
                .find(id.0)
                .select(EndpointRow::as_select())
                .first(conn)
                .await
                .optional()
                .map_err(query_error)?
        });
        row.map(EndpointRow::into_endpoint).transpose()
    }

    async fn list_endpoints(&self, page: Page) -> DomainResult<(Vec<Endpoint>, u64)> {
        let (rows, total): (Vec<EndpointRow>, i64) = with_conn!(self.database(), |conn| {
            let total: i64 = we::table
                .count()
                .get_result(conn)
                .await
                .map_err(query_error)?;
            let rows = we::table
                .order(we::id.asc())
                .offset(to_offset(page.skip()))
                .limit(to_offset(page.limit()))
                .select(EndpointRow::as_select())
                .load(conn)
                .await
                .map_err(query_error)?;
            (rows, total)
        });
        let endpoints = rows
            .into_iter()
            .map(EndpointRow::into_endpoint)
            .collect::<DomainResult<_>>()?;
        Ok((endpoints, to_count(total)))
    }

    async fn update_endpoint(&self, id: WebhookId, patch: EndpointPatch) -> DomainResult<Endpoint> {
        let changes = EndpointChanges {
            url: patch.url,
            events: patch.events.as_ref().map(to_json).transpose()?,
            active: patch.active,
            updated_at: to_db(driftguard_core::now()),
        };
        let row: Option<EndpointRow> = with_conn!(self.database(), |conn| {
            diesel::update(we::table.find(id.0))
                .set(&changes)
                .returning(EndpointRow::as_returning())
                .get_result(conn)
                .await
                .optional()
                .map_err(query_error)?
        });
        row.ok_or_else(|| id.not_found())?.into_endpoint()
    }

    async fn delete_endpoint(&self, id: WebhookId) -> DomainResult<()> {
        let deleted = with_conn!(self.database(), |conn| {
            diesel::delete(we::table.find(id.0))
                .execute(conn)
                .await
                .map_err(query_error)?
        });
        if deleted == 0 {
            return Err(id.not_found());
        }
        Ok(())
    }

    async fn list_deliveries(
        &self,
        id: WebhookId,
        page: Page,
    ) -> DomainResult<(Vec<DeliveryRecord>, u64)> {
        let (rows, total): (Vec<LogRow>, i64) = with_conn!(self.database(), |conn| {
            let total: i64 = wd::table
                .filter(wd::endpoint_id.eq(id.0))
                .count()
                .get_result(conn)
                .await
                .map_err(query_error)?;
            let rows = wd::table
                .inner_join(wv::table)
                .filter(wd::endpoint_id.eq(id.0))
                .order(wd::id.desc())
                .offset(to_offset(page.skip()))
                .limit(to_offset(page.limit()))
                .select((
                    wd::id,
                    wv::event_id,
                    wv::kind,
                    wd::state,
                    wd::attempts,
                    wd::last_status,
                    wd::last_error,
                    wd::next_attempt_at,
                    wd::delivered_at,
                    wd::created_at,
                ))
                .load(conn)
                .await
                .map_err(query_error)?;
            (rows, total)
        });
        let lines = rows
            .into_iter()
            .map(log_line)
            .collect::<DomainResult<_>>()?;
        Ok((lines, to_count(total)))
    }

    async fn enqueue(&self, event: OutboxEvent) -> DomainResult<u64> {
        transaction!(self, false, |conn| Ok(enqueue!(conn, event)))
    }

    async fn claim_due(
        &self,
        now: Timestamp,
        limit: u32,
        lease: Duration,
    ) -> DomainResult<Vec<ClaimedDelivery>> {
        let at = to_db(now);
        let until = to_db(later(now, lease));
        let token = format!("{:016x}{:016x}", random_u64(), random_u64());
        let backend = self.database().backend();
        // A read first, so that an idle worker takes no write lock (SQLite has one).
        let peek = due_query(backend, 1, false);
        let waiting: Vec<Due> = with_conn!(self.database(), |conn| {
            diesel::sql_query(peek.as_str())
                .bind::<diesel::sql_types::Timestamp, _>(at)
                .bind::<diesel::sql_types::Timestamp, _>(at)
                .load(conn)
                .await
                .map_err(query_error)?
        });
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let due = due_query(backend, limit, true);
        let claim_token = token.clone();
        let ids: Vec<i64> = transaction!(self, false, |conn| {
            let due: Vec<Due> = diesel::sql_query(due.as_str())
                .bind::<diesel::sql_types::Timestamp, _>(at)
                .bind::<diesel::sql_types::Timestamp, _>(at)
                .load(conn)
                .await?;
            let ids: Vec<i64> = due.into_iter().map(|d| d.id).collect();
            if !ids.is_empty() {
                diesel::update(wd::table.filter(wd::id.eq_any(&ids)))
                    .set((
                        wd::lease_until.eq(until),
                        wd::lease_token.eq(&claim_token),
                        wd::attempts.eq(wd::attempts + 1),
                    ))
                    .execute(conn)
                    .await?;
            }
            Ok(ids)
        })?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<ClaimRow> = with_conn!(self.database(), |conn| {
            wd::table
                .inner_join(we::table)
                .inner_join(wv::table)
                .filter(wd::id.eq_any(&ids))
                .filter(wd::lease_token.eq(&token))
                .order((wd::next_attempt_at.asc(), wd::id.asc()))
                .select((
                    wd::id,
                    wd::attempts,
                    we::url,
                    we::format,
                    we::secret,
                    wv::event_id,
                    wv::kind,
                    wv::data,
                    wv::occurred_at,
                ))
                .load(conn)
                .await
                .map_err(query_error)?
        });
        rows.into_iter().map(|row| claimed(row, &token)).collect()
    }

    async fn finish(
        &self,
        id: i64,
        lease_token: &str,
        result: AttemptResult,
    ) -> DomainResult<bool> {
        let now = to_db(driftguard_core::now());
        let (state, next, status, error, delivered) = match result {
            AttemptResult::Delivered { status, at } => (
                DeliveryState::Delivered,
                now,
                Some(status),
                None,
                Some(to_db(at)),
            ),
            AttemptResult::Retry {
                status,
                error,
                next_attempt_at,
            } => (
                DeliveryState::Pending,
                to_db(next_attempt_at),
                status,
                error,
                None,
            ),
            AttemptResult::Failed { status, error } => {
                (DeliveryState::Failed, now, status, error, None)
            }
        };
        let updated = with_conn!(self.database(), |conn| {
            diesel::update(
                wd::table
                    .filter(wd::id.eq(id))
                    .filter(wd::lease_token.eq(lease_token)),
            )
            .set((
                wd::state.eq(state.as_str()),
                wd::next_attempt_at.eq(next),
                wd::lease_until.eq(None::<NaiveDateTime>),
                wd::lease_token.eq(None::<String>),
                wd::last_status.eq(status.map(i64::from)),
                wd::last_error.eq(clip(error)),
                wd::delivered_at.eq(delivered),
            ))
            .execute(conn)
            .await
            .map_err(query_error)?
        });
        Ok(updated == 1)
    }
}
