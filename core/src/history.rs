//! How a ledger entry is named in a user's history. The server sends the label with
//! each entry (`HistoryEntry::label`), so every client shows the same words.

use crate::api::HistoryKind;
use crate::status::RefundReason;

/// A play's, refund's or session's label from the machine's name; a purchase's from
/// its item (stored with it) and machine; a grant or top-up keeps the label it was
/// stored with.
pub fn entry_label(
    kind: HistoryKind,
    stored_label: Option<&str>,
    machine_name: Option<&str>,
    refund_reason: Option<RefundReason>,
) -> String {
    let machine = machine_name.unwrap_or("a machine");
    match kind {
        HistoryKind::Play => format!("Play at {machine}"),
        HistoryKind::Refund => match refund_reason {
            Some(RefundReason::NoOutcome) => format!("Refund: {machine} did not answer"),
            Some(RefundReason::Cancelled) => format!("Refund: cancelled at {machine}"),
            _ => format!("Refund: {machine} failed to dispense"),
        },
        HistoryKind::TopUp => stored_label.unwrap_or("Top-up").to_owned(),
        HistoryKind::MachineCredit => format!("Points loaded into {machine}"),
        HistoryKind::MachineRefund => format!("Unused points back from {machine}"),
        HistoryKind::Reward => match stored_label {
            Some(partner) => format!("Reward from {partner}"),
            None => "Reward".to_owned(),
        },
        HistoryKind::Purchase => match stored_label {
            Some(item) => format!("{item} at {machine}"),
            None => format!("Purchase at {machine}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_and_refunds_are_named_after_their_machine_and_reason() {
        let name = Some("Demo capsule machine");
        assert_eq!(
            entry_label(HistoryKind::Play, None, name, None),
            "Play at Demo capsule machine"
        );
        assert_eq!(
            entry_label(
                HistoryKind::Refund,
                None,
                name,
                Some(RefundReason::NoOutcome)
            ),
            "Refund: Demo capsule machine did not answer"
        );
        assert_eq!(
            entry_label(
                HistoryKind::Refund,
                None,
                None,
                Some(RefundReason::DispenseFailed)
            ),
            "Refund: a machine failed to dispense"
        );
        assert_eq!(
            entry_label(
                HistoryKind::Refund,
                None,
                name,
                Some(RefundReason::Cancelled)
            ),
            "Refund: cancelled at Demo capsule machine"
        );
        assert_eq!(
            entry_label(HistoryKind::TopUp, Some("Welcome points"), None, None),
            "Welcome points"
        );
        assert_eq!(entry_label(HistoryKind::TopUp, None, None, None), "Top-up");
        assert_eq!(
            entry_label(HistoryKind::MachineCredit, Some("Demo"), name, None),
            "Points loaded into Demo capsule machine"
        );
        assert_eq!(
            entry_label(HistoryKind::MachineRefund, None, name, None),
            "Unused points back from Demo capsule machine"
        );
        assert_eq!(
            entry_label(HistoryKind::Purchase, Some("Capsule A"), name, None),
            "Capsule A at Demo capsule machine"
        );
    }
}
