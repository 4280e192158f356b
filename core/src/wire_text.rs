//! The text form of the enums that travel as strings (JSON, the database, the
//! command line): one macro states the snake_case rule for serde and for `strum`'s
//! `as_str`/`parse`, and a test holds the two together.

/// Declares an enum that travels as text: its wire names are its variants in
/// snake_case, for serde and for `as_str`/`parse` alike (through `strum`), and it
/// lists its variants in `ALL`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$variant_meta:meta])* $variant:ident, )* }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            serde::Serialize,
            serde::Deserialize,
            strum::IntoStaticStr,
            strum::EnumString,
            strum::VariantArray,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = <Self as strum::VariantArray>::VARIANTS;

            /// The name on the wire.
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// The variant of a name on the wire.
            pub fn parse(text: &str) -> Option<Self> {
                text.parse().ok()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::api::HistoryKind;
    use crate::status::{DispenseOutcome, DispensePlan, RefundReason, TransactionStatus};
    use strum::VariantArray;

    fn agrees_with_serde<T>(as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
    where
        T: VariantArray + Copy + PartialEq + std::fmt::Debug + serde::Serialize,
    {
        for &variant in T::VARIANTS {
            let json = serde_json::to_string(&variant).unwrap();
            assert_eq!(json, format!("\"{}\"", as_str(variant)));
            assert_eq!(parse(as_str(variant)), Some(variant));
        }
        assert_eq!(parse("no_such_name"), None);
    }

    #[test]
    fn every_wire_name_is_the_one_serde_writes_and_reads_back() {
        agrees_with_serde(TransactionStatus::as_str, TransactionStatus::parse);
        agrees_with_serde(RefundReason::as_str, RefundReason::parse);
        agrees_with_serde(DispenseOutcome::as_str, DispenseOutcome::parse);
        agrees_with_serde(DispensePlan::as_str, DispensePlan::parse);
        agrees_with_serde(HistoryKind::as_str, HistoryKind::parse);
        assert_eq!(TransactionStatus::AwaitingScan.as_str(), "awaiting_scan");
        assert_eq!(HistoryKind::TopUp.as_str(), "top_up");
    }
}
