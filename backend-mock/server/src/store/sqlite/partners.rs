//! Partners as the operator provisions them: create, read, rotate the secret (the
//! previous one kept for a grace window), revoke.

use super::*;
use crate::store::rewards::PartnerRecord;
use gashapay_core::reward_request::PartnerSecret;
use rusqlite::{params, OptionalExtension};

const PARTNER_COLUMNS: &str = "app_id, name, secret, previous_secret, previous_valid_until,
    daily_budget, player_daily_cap, revoked FROM partners";

fn partner_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<PartnerRecord> {
    let secret = |text: String| {
        PartnerSecret::parse(&text).ok_or_else(|| {
            rusqlite::Error::InvalidColumnType(
                2,
                "partner secret".into(),
                rusqlite::types::Type::Text,
            )
        })
    };
    let previous: Option<String> = row.get(3)?;
    let previous_until: Option<i64> = row.get(4)?;
    Ok(PartnerRecord {
        app_id: row.get(0)?,
        name: row.get(1)?,
        secret: secret(row.get(2)?)?,
        previous_secret: match (previous, previous_until) {
            (Some(text), Some(until)) => Some((secret(text)?, until)),
            _ => None,
        },
        daily_budget: Points(row.get::<_, i64>(5)? as u64),
        player_daily_cap: Points(row.get::<_, i64>(6)? as u64),
        revoked: row.get(7)?,
    })
}

impl PartnerStore for SqliteStore {
    fn create(&self, partner: &PartnerRecord, now: UnixMillis) -> StoreResult<bool> {
        self.write(|tx| {
            let inserted = tx
                .execute(
                    "INSERT INTO partners (app_id, name, secret, daily_budget, player_daily_cap,
                     created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (app_id) DO NOTHING",
                    params![
                        partner.app_id,
                        partner.name,
                        partner.secret.to_text(),
                        partner.daily_budget.0 as i64,
                        partner.player_daily_cap.0 as i64,
                        now
                    ],
                )
                .map_err(db)?;
            Ok(inserted == 1)
        })
    }

    fn get(&self, app_id: &str) -> StoreResult<Option<PartnerRecord>> {
        self.read(|conn| {
            conn.query_row(
                &format!("SELECT {PARTNER_COLUMNS} WHERE app_id = ?1"),
                [app_id],
                partner_row,
            )
            .optional()
        })
    }

    fn all(&self) -> StoreResult<Vec<PartnerRecord>> {
        self.read(|conn| {
            let mut statement =
                conn.prepare(&format!("SELECT {PARTNER_COLUMNS} ORDER BY app_id"))?;
            let rows = statement.query_map([], partner_row)?;
            rows.collect()
        })
    }

    fn rotate_secret(
        &self,
        app_id: &str,
        secret: &PartnerSecret,
        previous_until: UnixMillis,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE partners SET previous_secret = secret, previous_valid_until = ?1,
                     secret = ?2 WHERE app_id = ?3",
                    params![previous_until, secret.to_text(), app_id],
                )
                .map_err(db)?;
            Ok(changed == 1)
        })
    }

    fn revoke(&self, app_id: &str) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE partners SET revoked = 1 WHERE app_id = ?1",
                    [app_id],
                )
                .map_err(db)?;
            Ok(changed == 1)
        })
    }

    fn given_on(&self, app_id: &str, day: u64) -> StoreResult<Points> {
        self.read(|conn| {
            conn.query_row(
            "SELECT COALESCE(SUM(points), 0) FROM reward_payouts WHERE app_id = ?1 AND day = ?2",
            params![app_id, day as i64],
            |row| row.get::<_, i64>(0),
        )
        })
        .map(|points| Points(points as u64))
    }
}
