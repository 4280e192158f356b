//! What the backend binary prints as it starts, read by the tests that run it.

use gashapay_core::webhook::WebhookSecret;
use gashapay_core::{MachineId, Redacted};
use gashapay_machine::MachineClient;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::ChildStdout;

pub struct Printed {
    pub url: String,
    /// The `export NAME=value` lines: the demo machine's credentials (--seed-demo).
    pub exports: HashMap<String, String>,
    /// The operator key, printed at a database's first start.
    #[allow(dead_code, reason = "only the log test reads it")]
    pub operator_key: Option<String>,
}

impl Printed {
    /// Reads `stdout` to the end of what the backend prints before it serves: the line
    /// with its URL, or with a seeded demo the demo machine's last credential.
    pub fn read(stdout: ChildStdout, seeded_demo: bool) -> Self {
        let mut url = None;
        let mut exports = HashMap::new();
        let mut operator_key = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some((_, key)) = line
                .strip_prefix("Operator key")
                .and_then(|rest| rest.rsplit_once(": "))
            {
                operator_key = Some(key.trim().to_owned());
            }
            if let Some(rest) = line.strip_prefix("GashaPay mock backend on ") {
                url = rest.split_whitespace().next().map(str::to_owned);
                if !seeded_demo {
                    break;
                }
            }
            if let Some((name, value)) = line
                .trim()
                .strip_prefix("export ")
                .and_then(|assignment| assignment.split_once('='))
            {
                exports.insert(name.to_owned(), value.to_owned());
            }
            if line.contains("GASHAPAY_WEBHOOK_SECRET") {
                break;
            }
        }
        Self {
            url: url.expect("the backend prints its URL"),
            exports,
            operator_key,
        }
    }

    /// The seeded demo machine, as a client of the backend at `url`.
    pub fn demo_machine(&self, url: &str) -> MachineClient {
        MachineClient::new(
            url,
            MachineId(self.exports["GASHAPAY_MACHINE_ID"].clone()),
            Redacted::new(self.exports["GASHAPAY_MACHINE_API_KEY"].clone()),
            WebhookSecret::parse(&self.exports["GASHAPAY_WEBHOOK_SECRET"]).unwrap(),
        )
    }
}
