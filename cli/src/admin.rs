//! `gashapay admin …`: the operator's calls from the command line, one JSON answer
//! each. The operator key comes from `--admin-key` or `GASHAPAY_ADMIN_KEY`.

use crate::{emit, CliError};
use clap::Subcommand;
use gashapay_core::api::admin::{NewMachine, NewUser};
use gashapay_core::api::MachineKind;
use gashapay_core::client::admin::AdminClient;
use gashapay_core::ids::{DeviceId, MachineId, Points, UserId};
use gashapay_core::Redacted;
use serde_json::json;
use std::io::Write;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// A new machine; prints its API key and webhook secret, shown only now.
    CreateMachine {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        location: String,
        /// `dispenser` (capsule-toy, vending) or `arcade` (a game's reader).
        #[arg(long, default_value = "dispenser", value_parser = machine_kind)]
        kind: MachineKind,
    },
    /// Every machine.
    Machines,
    /// One machine.
    Machine {
        #[arg(long)]
        id: String,
    },
    /// A new API key; the old one stops working at once.
    RotateApiKey {
        #[arg(long)]
        id: String,
    },
    /// A new webhook secret; the old one keeps working for the grace window.
    RotateWebhookSecret {
        #[arg(long)]
        id: String,
        #[arg(long, default_value_t = 3600)]
        grace_seconds: u64,
    },
    /// Revoke a machine: its key and webhook secret stop working at once.
    RevokeMachine {
        #[arg(long)]
        id: String,
    },
    /// Revoke a device: its sessions end and its codes are refused at once.
    RevokeDevice {
        #[arg(long)]
        id: u32,
    },
    /// A new user, with optional welcome points.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long, env = "GASHAPAY_NEW_USER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value_t = 0)]
        points: u64,
    },
    /// Every user, with their balance.
    Users,
    /// Ban a user: no sign-in, and every session ends at once.
    Ban {
        #[arg(long)]
        user: u64,
    },
    /// Lift a ban.
    Unban {
        #[arg(long)]
        user: u64,
    },
    /// Give a user points, with the label they see in their history.
    Grant {
        #[arg(long)]
        user: u64,
        #[arg(long)]
        points: u64,
        #[arg(long)]
        label: String,
    },
    /// A user's devices.
    Devices {
        #[arg(long)]
        user: u64,
    },
    /// The newest changes operators made.
    Audit,
    /// A printed code for a machine: prints the link to put on it as a QR code.
    CreateMachineCode {
        #[arg(long)]
        machine: String,
    },
    /// Every printed code.
    MachineCodes,
    /// Move a printed code to another machine.
    ModifyMachineCode {
        #[arg(long)]
        code: String,
        #[arg(long)]
        machine: String,
    },
    /// Switch a printed code off (`--active false`) or on again.
    SetMachineCodeStatus {
        #[arg(long)]
        code: String,
        #[arg(long, action = clap::ArgAction::Set)]
        active: bool,
    },
    /// A machine's day of sessions and orders (UTC; today by default).
    Sales {
        #[arg(long)]
        machine: String,
        /// `YYYY-MM-DD`.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// A reward partner (a store or service): prints its secret, once.
    CreatePartner {
        #[arg(long)]
        app_id: String,
        #[arg(long)]
        name: String,
        /// Points it may give per UTC day, all players together.
        #[arg(long)]
        daily_budget: u64,
        /// Points one player may earn from it per UTC day.
        #[arg(long)]
        player_daily_cap: u64,
    },
    /// Every partner, with what it gave today.
    Partners,
    /// A new partner secret; the old one is accepted for `--grace-seconds` more.
    RotatePartnerSecret {
        #[arg(long)]
        app_id: String,
        #[arg(long, default_value_t = 0)]
        grace_seconds: u64,
    },
}

fn machine_kind(text: &str) -> Result<MachineKind, String> {
    MachineKind::parse(text).ok_or_else(|| format!("{text:?} is not `dispenser` or `arcade`"))
}

fn emit_value<T: serde::Serialize>(out: &mut dyn Write, value: &T) {
    emit(out, serde_json::to_value(value).unwrap_or_default());
}

pub async fn run(
    server: &str,
    key: Redacted,
    command: AdminCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let client = AdminClient::new(server, key)?;
    match command {
        AdminCommand::CreateMachine {
            id,
            name,
            location,
            kind,
        } => {
            let new = NewMachine {
                machine_id: MachineId(id),
                name,
                location,
                kind,
            };
            emit_value(out, &client.create_machine(&new).await?);
        }
        AdminCommand::Machines => emit_value(out, &client.machines().await?),
        AdminCommand::Machine { id } => emit_value(out, &client.machine(&MachineId(id)).await?),
        AdminCommand::RotateApiKey { id } => {
            emit_value(out, &client.rotate_api_key(&MachineId(id)).await?)
        }
        AdminCommand::RotateWebhookSecret { id, grace_seconds } => emit_value(
            out,
            &client
                .rotate_webhook_secret(&MachineId(id), grace_seconds)
                .await?,
        ),
        AdminCommand::RevokeMachine { id } => {
            client.revoke_machine(&MachineId(id.clone())).await?;
            emit(out, json!({ "revoked": { "machine_id": id } }));
        }
        AdminCommand::RevokeDevice { id } => {
            client.revoke_device(DeviceId(id)).await?;
            emit(out, json!({ "revoked": { "device_id": id } }));
        }
        AdminCommand::CreateUser {
            username,
            password,
            points,
        } => {
            let new = NewUser {
                username,
                password: Redacted::new(password),
                points: Points(points),
            };
            emit_value(out, &client.create_user(&new).await?);
        }
        AdminCommand::Users => emit_value(out, &client.users().await?),
        AdminCommand::Ban { user } => {
            client.set_banned(UserId(user), true).await?;
            emit(out, json!({ "banned": { "user_id": user } }));
        }
        AdminCommand::Unban { user } => {
            client.set_banned(UserId(user), false).await?;
            emit(out, json!({ "unbanned": { "user_id": user } }));
        }
        AdminCommand::Grant {
            user,
            points,
            label,
        } => emit_value(
            out,
            &client.grant(UserId(user), Points(points), &label).await?,
        ),
        AdminCommand::Devices { user } => emit_value(out, &client.devices(UserId(user)).await?),
        AdminCommand::Audit => emit_value(out, &client.audit().await?),
        AdminCommand::CreateMachineCode { machine } => {
            emit_value(out, &client.create_machine_code(&MachineId(machine)).await?)
        }
        AdminCommand::MachineCodes => emit_value(out, &client.machine_codes().await?),
        AdminCommand::ModifyMachineCode { code, machine } => emit_value(
            out,
            &client
                .modify_machine_code(&code, &MachineId(machine))
                .await?,
        ),
        AdminCommand::SetMachineCodeStatus { code, active } => {
            emit_value(out, &client.set_machine_code_active(&code, active).await?)
        }
        AdminCommand::Sales { machine, date } => {
            emit_value(out, &client.sales(&MachineId(machine), date).await?)
        }
        AdminCommand::CreatePartner {
            app_id,
            name,
            daily_budget,
            player_daily_cap,
        } => emit_value(
            out,
            &client
                .create_partner(&gashapay_core::api::rewards::NewPartner {
                    app_id,
                    name,
                    daily_budget: Points(daily_budget),
                    player_daily_cap: Points(player_daily_cap),
                })
                .await?,
        ),
        AdminCommand::Partners => emit_value(out, &client.partners().await?),
        AdminCommand::RotatePartnerSecret {
            app_id,
            grace_seconds,
        } => emit_value(
            out,
            &client.rotate_partner_secret(&app_id, grace_seconds).await?,
        ),
    }
    Ok(())
}
