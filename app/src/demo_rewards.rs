//! The demo's reward stand (desktop only): a partner of the demo backend that shows a
//! visit code, renewed each interval, and a start / end pair for time spent; the tester
//! hands a code to the app with "Scan with the phone".

use gashapay_backend_mock::admin::{partners, AdminError};
use gashapay_backend_mock::RunningBackend;
use gashapay_core::api::rewards::{NewPartner, RewardCodeAnswer, RewardKind};
use gashapay_core::Points;
use gashapay_machine::partner::{CodeOrder, PartnerClient};

/// The demo partner.
pub const DEMO_PARTNER: (&str, &str) = ("demo_cafe", "Demo cafe");
/// A visit pays this, once a minute at most; time pays this each minute.
const VISIT_POINTS: u64 = 10;
const TIME_POINTS: u64 = 5;
const DEMO_INTERVAL_MINUTES: u32 = 1;

/// The stand's codes: each link to show as a QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandCodes {
    pub visit: String,
    /// When the visit code dies (Unix seconds): the stand asks for the next then.
    pub visit_expires: i64,
    pub start: String,
    pub end: String,
}

pub struct RewardStand {
    partner: PartnerClient,
}

impl RewardStand {
    /// Provisions the demo partner (a new secret at each start, as for the demo
    /// machine: the old one is not kept anywhere).
    pub async fn start(backend: &RunningBackend) -> Result<Self, String> {
        let (app_id, name) = DEMO_PARTNER;
        let new = NewPartner {
            app_id: app_id.to_owned(),
            name: name.to_owned(),
            daily_budget: Points(100_000),
            player_daily_cap: Points(1_000),
        };
        let record = match partners::create(&backend.state, new).await {
            Ok(record) => record,
            Err(AdminError::PartnerExists(_)) => partners::rotate_secret(&backend.state, app_id, 0)
                .await
                .map_err(|e| e.to_string())?,
            Err(error) => return Err(error.to_string()),
        };
        Ok(Self {
            partner: PartnerClient::new(&backend.base_url(), app_id, record.secret),
        })
    }

    fn visit_order() -> CodeOrder {
        CodeOrder {
            kind: RewardKind::Visit,
            point: VISIT_POINTS,
            interval_minutes: DEMO_INTERVAL_MINUTES,
            failure_minutes: None,
            token: None,
        }
    }

    async fn request(&self, order: CodeOrder) -> Result<RewardCodeAnswer, String> {
        let answer = self
            .partner
            .request_code(&order)
            .await
            .map_err(|e| e.to_string())?;
        match answer.code {
            0 => Ok(answer),
            _ => Err(answer.detail.unwrap_or(answer.message)),
        }
    }

    /// A fresh visit code and a fresh start / end pair.
    pub async fn codes(&self) -> Result<StandCodes, String> {
        let visit = self.request(Self::visit_order()).await?;
        let timed = self
            .request(CodeOrder {
                kind: RewardKind::TimedByPlayer,
                point: TIME_POINTS,
                interval_minutes: DEMO_INTERVAL_MINUTES,
                failure_minutes: None,
                token: None,
            })
            .await?;
        let end = timed.end.ok_or("the stand got no end code")?;
        Ok(StandCodes {
            visit: visit.message,
            visit_expires: visit.expires_at.map_or(0, |at| at.timestamp()),
            start: timed.message,
            end: end.message,
        })
    }

    /// A fresh visit code (the stand's screen changes each interval).
    pub async fn renew_visit(&self, codes: &mut StandCodes) -> Result<(), String> {
        let visit = self.request(Self::visit_order()).await?;
        codes.visit = visit.message;
        codes.visit_expires = visit.expires_at.map_or(0, |at| at.timestamp());
        Ok(())
    }
}
