//! The operator's calls (`/api/v1/admin/…`), for the command line and tests: one
//! request each, never retried (a create or a rotation must not happen twice).

use super::{decode, ClientError};
use crate::api::admin::{
    ApiKeyAnswer, AuditList, DeviceList, Grant, GrantAnswer, MachineList, MachineView, NewMachine,
    NewMachineAnswer, NewUser, RotateWebhookSecret, UserList, UserView, WebhookSecretAnswer,
};
use crate::api::machine_pay::{
    MachineCodeList, MachineCodeStatus, MachineCodeTarget, MachineCodeView, SalesReport,
};
use crate::api::paths::{self, with_param};
use crate::ids::{DeviceId, MachineId, Points, UserId};
use crate::Redacted;
use serde::de::DeserializeOwned;
use std::time::Duration;

pub struct AdminClient {
    http: reqwest::Client,
    base_url: String,
    key: Redacted,
}

impl AdminClient {
    pub fn new(base_url: &str, key: Redacted) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            key,
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T, ClientError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(self.key.expose());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(ClientError::from_transport)?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(ClientError::from_transport)?;
        decode(status, &bytes)
    }

    fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ClientError> {
        serde_json::to_value(value).map_err(|e| ClientError::InvalidResponse(e.to_string()))
    }

    pub async fn create_machine(&self, new: &NewMachine) -> Result<NewMachineAnswer, ClientError> {
        let body = Self::json(new)?;
        self.call(reqwest::Method::POST, paths::ADMIN_MACHINES, Some(body))
            .await
    }

    pub async fn machines(&self) -> Result<MachineList, ClientError> {
        self.call(reqwest::Method::GET, paths::ADMIN_MACHINES, None)
            .await
    }

    pub async fn machine(&self, id: &MachineId) -> Result<MachineView, ClientError> {
        let path = with_param(paths::ADMIN_MACHINE, &id.0);
        self.call(reqwest::Method::GET, &path, None).await
    }

    pub async fn rotate_api_key(&self, id: &MachineId) -> Result<ApiKeyAnswer, ClientError> {
        let path = with_param(paths::ADMIN_MACHINE_API_KEY, &id.0);
        self.call(reqwest::Method::POST, &path, None).await
    }

    pub async fn rotate_webhook_secret(
        &self,
        id: &MachineId,
        grace_seconds: u64,
    ) -> Result<WebhookSecretAnswer, ClientError> {
        let path = with_param(paths::ADMIN_MACHINE_WEBHOOK_SECRET, &id.0);
        let body = Self::json(&RotateWebhookSecret { grace_seconds })?;
        self.call(reqwest::Method::POST, &path, Some(body)).await
    }

    pub async fn revoke_machine(&self, id: &MachineId) -> Result<(), ClientError> {
        let path = with_param(paths::ADMIN_MACHINE_REVOKE, &id.0);
        self.call(reqwest::Method::POST, &path, None).await
    }

    pub async fn revoke_device(&self, id: DeviceId) -> Result<(), ClientError> {
        let path = with_param(paths::ADMIN_DEVICE_REVOKE, &id.to_string());
        self.call(reqwest::Method::POST, &path, None).await
    }

    pub async fn create_user(&self, new: &NewUser) -> Result<UserView, ClientError> {
        let body = Self::json(new)?;
        self.call(reqwest::Method::POST, paths::ADMIN_USERS, Some(body))
            .await
    }

    pub async fn users(&self) -> Result<UserList, ClientError> {
        self.call(reqwest::Method::GET, paths::ADMIN_USERS, None)
            .await
    }

    /// Bans (`true`) or unbans a user.
    pub async fn set_banned(&self, id: UserId, banned: bool) -> Result<(), ClientError> {
        let template = match banned {
            true => paths::ADMIN_USER_BAN,
            false => paths::ADMIN_USER_UNBAN,
        };
        let path = with_param(template, &id.to_string());
        self.call(reqwest::Method::POST, &path, None).await
    }

    pub async fn grant(
        &self,
        id: UserId,
        points: Points,
        label: &str,
    ) -> Result<GrantAnswer, ClientError> {
        let path = with_param(paths::ADMIN_USER_GRANTS, &id.to_string());
        let body = Self::json(&Grant {
            points,
            label: label.to_owned(),
        })?;
        self.call(reqwest::Method::POST, &path, Some(body)).await
    }

    pub async fn devices(&self, id: UserId) -> Result<DeviceList, ClientError> {
        let path = with_param(paths::ADMIN_USER_DEVICES, &id.to_string());
        self.call(reqwest::Method::GET, &path, None).await
    }

    pub async fn audit(&self) -> Result<AuditList, ClientError> {
        self.call(reqwest::Method::GET, paths::ADMIN_AUDIT, None)
            .await
    }

    /// A new printed code for the machine.
    pub async fn create_machine_code(
        &self,
        machine: &MachineId,
    ) -> Result<MachineCodeView, ClientError> {
        let body = Self::json(&MachineCodeTarget {
            machine_id: machine.clone(),
        })?;
        self.call(
            reqwest::Method::POST,
            paths::ADMIN_MACHINE_CODES,
            Some(body),
        )
        .await
    }

    pub async fn machine_codes(&self) -> Result<MachineCodeList, ClientError> {
        self.call(reqwest::Method::GET, paths::ADMIN_MACHINE_CODES, None)
            .await
    }

    /// Moves a printed code to another machine.
    pub async fn modify_machine_code(
        &self,
        code_id: &str,
        machine: &MachineId,
    ) -> Result<MachineCodeView, ClientError> {
        let path = with_param(paths::ADMIN_MACHINE_CODE_MODIFY, code_id);
        let body = Self::json(&MachineCodeTarget {
            machine_id: machine.clone(),
        })?;
        self.call(reqwest::Method::POST, &path, Some(body)).await
    }

    /// Switches a printed code off (`false`) or on.
    pub async fn set_machine_code_active(
        &self,
        code_id: &str,
        active: bool,
    ) -> Result<MachineCodeView, ClientError> {
        let path = with_param(paths::ADMIN_MACHINE_CODE_STATUS, code_id);
        let body = Self::json(&MachineCodeStatus { active })?;
        self.call(reqwest::Method::POST, &path, Some(body)).await
    }

    /// A machine's sales on `date` (UTC; today when `None`).
    pub async fn sales(
        &self,
        machine: &MachineId,
        date: Option<chrono::NaiveDate>,
    ) -> Result<SalesReport, ClientError> {
        let mut path = with_param(paths::ADMIN_MACHINE_SALES, &machine.0);
        if let Some(date) = date {
            path.push_str(&format!("?date={date}"));
        }
        self.call(reqwest::Method::GET, &path, None).await
    }

    /// Creates a reward partner; its secret is in this answer only.
    pub async fn create_partner(
        &self,
        new: &crate::api::rewards::NewPartner,
    ) -> Result<crate::api::rewards::PartnerView, ClientError> {
        let body = Self::json(new)?;
        self.call(reqwest::Method::POST, paths::ADMIN_PARTNERS, Some(body))
            .await
    }

    pub async fn partners(&self) -> Result<crate::api::rewards::PartnerList, ClientError> {
        self.call(reqwest::Method::GET, paths::ADMIN_PARTNERS, None)
            .await
    }

    /// A new partner secret, the previous one accepted for `grace_seconds` more.
    pub async fn rotate_partner_secret(
        &self,
        app_id: &str,
        grace_seconds: u64,
    ) -> Result<crate::api::rewards::PartnerView, ClientError> {
        let body = Self::json(&crate::api::rewards::PartnerSecretRotation { grace_seconds })?;
        let path = with_param(paths::ADMIN_PARTNER_SECRET, app_id);
        self.call(reqwest::Method::POST, &path, Some(body)).await
    }
}
