//! Any store, with machines and devices kept in memory. Every validation needs both
//! and they change rarely, so reading them from the database each time would put two
//! blocking reads in front of the writer. Every write that changes a machine or a
//! device goes through here and forgets what was kept, so callers never clear the
//! cache themselves. Only this process's writes are seen: a second backend on the same
//! database would not see them until it restarts.

use super::records_cache::RecordsCache;
use super::*;
use std::sync::Arc;

pub struct CachedStore {
    inner: Box<dyn Store>,
    records: RecordsCache,
}

impl CachedStore {
    pub fn new(inner: impl Store) -> Self {
        Self {
            inner: Box::new(inner),
            records: RecordsCache::default(),
        }
    }

    /// A kept machine, without touching the database (callers on the async runtime
    /// try this before going to the blocking pool).
    pub fn kept_machine(&self, id: &MachineId) -> Option<Arc<MachineRecord>> {
        self.records.machine(id)
    }

    pub fn kept_device(&self, id: DeviceId) -> Option<Arc<DeviceRecord>> {
        self.records.device(id)
    }

    /// A machine, kept from now on (blocking on a miss).
    pub fn machine_shared(&self, id: &MachineId) -> StoreResult<Option<Arc<MachineRecord>>> {
        if let Some(record) = self.records.machine(id) {
            return Ok(Some(record));
        }
        let generation = self.records.generation();
        let record = self.inner.machine(id)?;
        Ok(record.map(|record| self.records.keep_machine(generation, record)))
    }

    /// A device, kept from now on (blocking on a miss).
    pub fn device_shared(&self, id: DeviceId) -> StoreResult<Option<Arc<DeviceRecord>>> {
        if let Some(record) = self.records.device(id) {
            return Ok(Some(record));
        }
        let generation = self.records.generation();
        let record = self.inner.device(id)?;
        Ok(record.map(|record| self.records.keep_device(generation, record)))
    }
}

impl Store for CachedStore {
    fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        now: UnixMillis,
    ) -> StoreResult<UserId> {
        self.inner.create_user(username, password_hash, now)
    }

    fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        self.inner.user_by_name(username)
    }

    fn register_device(
        &self,
        user: UserId,
        name: &str,
        secret: &DeviceSecret,
        now: UnixMillis,
    ) -> StoreResult<DeviceId> {
        self.inner.register_device(user, name, secret, now)
    }

    fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>> {
        Ok(self.device_shared(id)?.map(|record| (*record).clone()))
    }

    fn revoke_device(&self, id: DeviceId, now: UnixMillis) -> StoreResult<bool> {
        let written = self.inner.revoke_device(id, now);
        self.records.forget_device(id);
        written
    }

    fn create_session(
        &self,
        user: UserId,
        device: DeviceId,
        tokens: &TokenHashes,
        now: UnixMillis,
    ) -> StoreResult<i64> {
        self.inner.create_session(user, device, tokens, now)
    }

    fn session(&self, id: i64) -> StoreResult<Option<SessionRecord>> {
        self.inner.session(id)
    }

    fn rotate_session(
        &self,
        id: i64,
        expected_refresh: &[u8; 32],
        next: &TokenHashes,
    ) -> StoreResult<bool> {
        self.inner.rotate_session(id, expected_refresh, next)
    }

    fn revoke_session(&self, id: i64, now: UnixMillis) -> StoreResult<()> {
        self.inner.revoke_session(id, now)
    }

    fn upsert_machine(
        &self,
        id: &MachineId,
        name: &str,
        kind: MachineKind,
        api_key_hash: &[u8; 32],
        webhook_secret: &WebhookSecret,
    ) -> StoreResult<()> {
        let written = self
            .inner
            .upsert_machine(id, name, kind, api_key_hash, webhook_secret);
        self.records.forget_machine(id);
        written
    }

    fn machine(&self, id: &MachineId) -> StoreResult<Option<MachineRecord>> {
        Ok(self.machine_shared(id)?.map(|record| (*record).clone()))
    }

    fn rotate_webhook_secret(
        &self,
        id: &MachineId,
        next: &WebhookSecret,
        previous_valid_until: UnixMillis,
    ) -> StoreResult<bool> {
        let written = self
            .inner
            .rotate_webhook_secret(id, next, previous_valid_until);
        self.records.forget_machine(id);
        written
    }

    fn revoke_machine(&self, id: &MachineId) -> StoreResult<bool> {
        let written = self.inner.revoke_machine(id);
        self.records.forget_machine(id);
        written
    }

    fn create_machine(&self, machine: &NewMachineRecord) -> StoreResult<()> {
        let written = self.inner.create_machine(machine);
        self.records.forget_machine(&machine.id);
        written
    }

    fn machines(&self) -> StoreResult<Vec<MachineRecord>> {
        self.inner.machines()
    }

    fn rotate_api_key(&self, id: &MachineId, api_key_hash: &[u8; 32]) -> StoreResult<bool> {
        let written = self.inner.rotate_api_key(id, api_key_hash);
        self.records.forget_machine(id);
        written
    }

    fn operator_key_hash(&self) -> StoreResult<Option<[u8; 32]>> {
        self.inner.operator_key_hash()
    }

    fn users(&self) -> StoreResult<Vec<UserSummary>> {
        self.inner.users()
    }

    fn user(&self, id: UserId) -> StoreResult<Option<UserSummary>> {
        self.inner.user(id)
    }

    fn set_user_banned(&self, id: UserId, banned: bool, now: UnixMillis) -> StoreResult<bool> {
        self.inner.set_user_banned(id, banned, now)
    }

    fn devices_of(&self, user: UserId) -> StoreResult<Vec<DeviceSummary>> {
        self.inner.devices_of(user)
    }

    fn set_operator_key_hash(&self, hash: &[u8; 32], now: UnixMillis) -> StoreResult<()> {
        self.inner.set_operator_key_hash(hash, now)
    }

    fn record_operator_action(
        &self,
        action: &str,
        subject: &str,
        now: UnixMillis,
    ) -> StoreResult<()> {
        self.inner.record_operator_action(action, subject, now)
    }

    fn operator_actions(&self, limit: u32) -> StoreResult<Vec<OperatorAction>> {
        self.inner.operator_actions(limit)
    }

    fn balance(&self, user: UserId) -> StoreResult<Points> {
        self.inner.balance(user)
    }

    fn history(
        &self,
        user: UserId,
        limit: u32,
        before: Option<i64>,
    ) -> StoreResult<Vec<HistoryRecord>> {
        self.inner.history(user, limit, before)
    }

    fn grant(
        &self,
        user: UserId,
        amount: Points,
        label: &str,
        now: UnixMillis,
    ) -> StoreResult<Points> {
        self.inner.grant(user, amount, label, now)
    }

    fn play(&self, request: &PlayRequest) -> StoreResult<PlayDecision> {
        self.inner.play(request)
    }

    fn play_batch(&self, requests: &[PlayRequest]) -> StoreResult<Vec<PlayDecision>> {
        self.inner.play_batch(requests)
    }

    fn report_outcome(&self, report: &OutcomeReport) -> StoreResult<OutcomeDecision> {
        self.inner.report_outcome(report)
    }

    fn refund_stale(&self, cutoff: UnixMillis, now: UnixMillis) -> StoreResult<Vec<TransactionId>> {
        self.inner.refund_stale(cutoff, now)
    }

    fn transaction(
        &self,
        id: TransactionId,
        asked_by: UserId,
    ) -> StoreResult<Option<TransactionRecord>> {
        self.inner.transaction(id, asked_by)
    }

    fn top_up_answer(&self, user: UserId, key: &str) -> StoreResult<Option<StoredTopUp>> {
        self.inner.top_up_answer(user, key)
    }

    fn record_top_up(
        &self,
        user: UserId,
        key: &str,
        request_hash: &[u8; 32],
        answer: Result<(String, Points), Refusal>,
        now: UnixMillis,
    ) -> StoreResult<StoredTopUp> {
        self.inner
            .record_top_up(user, key, request_hash, answer, now)
    }
}

/// Nothing of the machine-shown codes is kept in memory: every call goes through.
impl MachinePayStore for CachedStore {
    fn create_machine_code(
        &self,
        id: &str,
        machine: &MachineId,
        now: UnixMillis,
    ) -> StoreResult<CodeChange> {
        self.inner.create_machine_code(id, machine, now)
    }

    fn machine_code(&self, id: &str) -> StoreResult<Option<MachineCodeRecord>> {
        self.inner.machine_code(id)
    }

    fn machine_codes(&self) -> StoreResult<Vec<MachineCodeRecord>> {
        self.inner.machine_codes()
    }

    fn move_machine_code(
        &self,
        id: &str,
        machine: &MachineId,
        now: UnixMillis,
    ) -> StoreResult<CodeChange> {
        self.inner.move_machine_code(id, machine, now)
    }

    fn set_machine_code_active(
        &self,
        id: &str,
        active: bool,
        now: UnixMillis,
    ) -> StoreResult<CodeChange> {
        self.inner.set_machine_code_active(id, active, now)
    }

    fn open_session(&self, request: &OpenSessionRequest) -> StoreResult<OpenSessionDecision> {
        self.inner.open_session(request)
    }

    fn machine_session(&self, id: uuid::Uuid) -> StoreResult<Option<MachineSessionRecord>> {
        self.inner.machine_session(id)
    }

    fn current_session(&self, machine: &MachineId) -> StoreResult<Option<MachineSessionRecord>> {
        self.inner.current_session(machine)
    }

    fn open_sessions_of(&self, user: UserId) -> StoreResult<Vec<MachineSessionRecord>> {
        self.inner.open_sessions_of(user)
    }

    fn record_purchase(&self, request: &PurchaseRequest) -> StoreResult<PurchaseDecision> {
        self.inner.record_purchase(request)
    }

    fn end_session(
        &self,
        id: uuid::Uuid,
        ender: &SessionEnder,
        now: UnixMillis,
    ) -> StoreResult<Option<MachineSessionRecord>> {
        self.inner.end_session(id, ender, now)
    }

    fn end_idle_sessions(
        &self,
        cutoff: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<Vec<uuid::Uuid>> {
        self.inner.end_idle_sessions(cutoff, now)
    }

    fn pay_order(&self, request: &PayOrderRequest) -> StoreResult<PayOrderDecision> {
        self.inner.pay_order(request)
    }

    fn order(&self, machine: &MachineId, order_id: &str) -> StoreResult<Option<OrderRecord>> {
        self.inner.order(machine, order_id)
    }

    fn refund_stale_orders(
        &self,
        after: UnixMillis,
        cutoff: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<Vec<TransactionId>> {
        self.inner.refund_stale_orders(after, cutoff, now)
    }

    fn sales(
        &self,
        machine: &MachineId,
        from: UnixMillis,
        to: UnixMillis,
    ) -> StoreResult<SalesRecord> {
        self.inner.sales(machine, from, to)
    }
}

/// Nothing of rewards is kept in memory: every call goes through.
impl RewardStore for CachedStore {
    fn create_partner(&self, partner: &PartnerRecord, now: UnixMillis) -> StoreResult<bool> {
        self.inner.create_partner(partner, now)
    }

    fn partner(&self, app_id: &str) -> StoreResult<Option<PartnerRecord>> {
        self.inner.partner(app_id)
    }

    fn partners(&self) -> StoreResult<Vec<PartnerRecord>> {
        self.inner.partners()
    }

    fn rotate_partner_secret(
        &self,
        app_id: &str,
        secret: &gashapay_core::reward_request::PartnerSecret,
        previous_until: UnixMillis,
    ) -> StoreResult<bool> {
        self.inner
            .rotate_partner_secret(app_id, secret, previous_until)
    }

    fn revoke_partner(&self, app_id: &str) -> StoreResult<bool> {
        self.inner.revoke_partner(app_id)
    }

    fn partner_given_on(&self, app_id: &str, day: u64) -> StoreResult<Points> {
        self.inner.partner_given_on(app_id, day)
    }

    fn create_reward_codes(&self, request: &NewRewardCodes) -> StoreResult<NewCodesDecision> {
        self.inner.create_reward_codes(request)
    }

    fn reward_code(&self, id: &str) -> StoreResult<Option<RewardCodeRecord>> {
        self.inner.reward_code(id)
    }

    fn claim_reward(&self, request: &ClaimRequest) -> StoreResult<ClaimDecision> {
        self.inner.claim_reward(request)
    }

    fn end_reward_by_token(
        &self,
        app_id: &str,
        token: &str,
        now: UnixMillis,
    ) -> StoreResult<TokenEndDecision> {
        self.inner.end_reward_by_token(app_id, token, now)
    }

    fn reward_session(&self, id: u64) -> StoreResult<Option<RewardSessionRecord>> {
        self.inner.reward_session(id)
    }

    fn open_reward_sessions_of(&self, user: UserId) -> StoreResult<Vec<RewardSessionRecord>> {
        self.inner.open_reward_sessions_of(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::create_player;
    use crate::store::sqlite::SqliteStore;

    fn store_with_machine() -> (CachedStore, MachineId) {
        let store = CachedStore::new(SqliteStore::open(":memory:").unwrap());
        let id = MachineId("m_1".into());
        store
            .upsert_machine(
                &id,
                "One",
                MachineKind::Dispenser,
                &[1; 32],
                &WebhookSecret::generate(),
            )
            .unwrap();
        (store, id)
    }

    #[test]
    fn a_machine_write_through_the_store_is_seen_by_the_next_read() {
        let (store, id) = store_with_machine();
        assert!(store.kept_machine(&id).is_none());
        let first = store.machine_shared(&id).unwrap().unwrap();
        assert!(
            store.kept_machine(&id).is_some(),
            "a read keeps the machine"
        );

        let next = WebhookSecret::generate();
        assert!(store.rotate_webhook_secret(&id, &next, 0).unwrap());
        let rotated = store.machine(&id).unwrap().unwrap();
        assert_eq!(rotated.webhook_secret, next);
        assert_ne!(rotated.webhook_secret, first.webhook_secret);

        store.revoke_machine(&id).unwrap();
        assert!(store.machine(&id).unwrap().unwrap().revoked);

        store
            .upsert_machine(
                &id,
                "Renamed",
                MachineKind::Dispenser,
                &[2; 32],
                &WebhookSecret::generate(),
            )
            .unwrap();
        let renewed = store.machine_shared(&id).unwrap().unwrap();
        assert_eq!((renewed.name.as_str(), renewed.revoked), ("Renamed", false));
    }

    #[test]
    fn a_device_revoked_through_the_store_is_seen_revoked() {
        let store = CachedStore::new(SqliteStore::open(":memory:").unwrap());
        let (_, device, _) = create_player(&store, "ada", gashapay_core::Points(5), 1).unwrap();
        assert!(!store.device_shared(device).unwrap().unwrap().revoked);
        store.revoke_device(device, 9).unwrap();
        assert!(store.kept_device(device).is_none());
        assert!(store.device(device).unwrap().unwrap().revoked);
    }

    #[test]
    fn a_read_that_raced_a_write_keeps_nothing() {
        let (store, id) = store_with_machine();
        // A read that began before the revocation...
        let generation = store.records.generation();
        let stale = store.inner.machine(&id).unwrap().unwrap();
        store.revoke_machine(&id).unwrap();
        // ...and finishes after it: answered, but not kept.
        store.records.keep_machine(generation, stale);
        assert!(store.kept_machine(&id).is_none());
        assert!(store.machine(&id).unwrap().unwrap().revoked);
    }
}
