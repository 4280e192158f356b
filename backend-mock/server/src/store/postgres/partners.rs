//! Partners as the operator provisions them: create, read, rotate the secret (the
//! previous one kept for a grace window), revoke.

use super::*;
use crate::store::rewards::PartnerRecord;
use ::postgres::Row;
use gashapay_core::reward_request::PartnerSecret;

const PARTNER_COLUMNS: &str = "app_id, name, secret, previous_secret, previous_valid_until,
    daily_budget, player_daily_cap, revoked FROM partners";

fn partner_record(row: &Row) -> StoreResult<PartnerRecord> {
    let secret = |text: String| {
        PartnerSecret::parse(&text).ok_or_else(|| StoreError::Corrupt("a partner secret".into()))
    };
    let previous: Option<String> = row.get(3);
    let previous_until: Option<i64> = row.get(4);
    Ok(PartnerRecord {
        app_id: row.get(0),
        name: row.get(1),
        secret: secret(row.get(2))?,
        previous_secret: match (previous, previous_until) {
            (Some(text), Some(until)) => Some((secret(text)?, until)),
            _ => None,
        },
        daily_budget: Points(unsigned(row.get(5), "a daily budget")?),
        player_daily_cap: Points(unsigned(row.get(6), "a player's daily cap")?),
        revoked: row.get(7),
    })
}

impl PartnerStore for PostgresStore {
    fn create(&self, partner: &PartnerRecord, now: UnixMillis) -> StoreResult<bool> {
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT INTO partners (app_id, name, secret, daily_budget, player_daily_cap,
                     created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (app_id) DO NOTHING",
                &[
                    &partner.app_id,
                    &partner.name,
                    &partner.secret.to_text(),
                    &(partner.daily_budget.0 as i64),
                    &(partner.player_daily_cap.0 as i64),
                    &now,
                ],
            )?;
            Ok(inserted == 1)
        })
    }

    fn get(&self, app_id: &str) -> StoreResult<Option<PartnerRecord>> {
        let row = self.read(|client| {
            client.query_opt(
                &format!("SELECT {PARTNER_COLUMNS} WHERE app_id = $1"),
                &[&app_id],
            )
        })?;
        row.as_ref().map(partner_record).transpose()
    }

    fn all(&self) -> StoreResult<Vec<PartnerRecord>> {
        let rows = self.read(|client| {
            client.query(&format!("SELECT {PARTNER_COLUMNS} ORDER BY app_id"), &[])
        })?;
        rows.iter().map(partner_record).collect()
    }

    fn rotate_secret(
        &self,
        app_id: &str,
        secret: &PartnerSecret,
        previous_until: UnixMillis,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE partners SET previous_secret = secret, previous_valid_until = $1,
                     secret = $2 WHERE app_id = $3",
                &[&previous_until, &secret.to_text(), &app_id],
            )?;
            Ok(changed == 1)
        })
    }

    fn revoke(&self, app_id: &str) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE partners SET revoked = TRUE WHERE app_id = $1",
                &[&app_id],
            )?;
            Ok(changed == 1)
        })
    }

    fn given_on(&self, app_id: &str, day: u64) -> StoreResult<Points> {
        let row = self.read(|client| {
            client.query_one(
                "SELECT COALESCE(SUM(points), 0)::BIGINT FROM reward_payouts
                 WHERE app_id = $1 AND day = $2",
                &[&app_id, &(day as i64)],
            )
        })?;
        Ok(Points(unsigned(row.get(0), "points given")?))
    }
}
