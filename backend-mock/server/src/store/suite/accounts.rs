//! Players, their sign-ins and devices, machines and operators.

use super::{machine, player, NOW};
use crate::store::{MachineKind, NewMachineRecord, Store, StoreError, TokenHashes};
use gashapay_core::ids::{MachineId, UserId};
use gashapay_core::webhook::WebhookSecret;

fn tokens(seed: u8) -> TokenHashes {
    TokenHashes {
        access_hash: [seed; 32],
        access_expires_at: NOW + 60_000,
        refresh_hash: [seed + 100; 32],
        refresh_expires_at: NOW + 3_600_000,
    }
}

pub fn a_taken_username_is_refused_and_the_first_account_kept(store: &dyn Store) {
    let accounts = store.accounts();
    let ann = accounts.create_user("ann", "hash-1", NOW).unwrap();
    let again = accounts.create_user("ann", "hash-2", NOW);
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    let found = accounts.user_by_name("ann").unwrap().unwrap();
    assert_eq!((found.id, found.password_hash.as_str()), (ann, "hash-1"));
    assert!(accounts.user_by_name("bob").unwrap().is_none());
    let everyone = accounts.users().unwrap();
    assert_eq!(everyone.len(), 1);
    assert_eq!(accounts.user(ann).unwrap().unwrap().username, "ann");
    assert!(accounts.user(UserId(ann.0 + 1)).unwrap().is_none());
}

pub fn a_refresh_token_is_spent_once(store: &dyn Store) {
    let (user, device) = player(store, "ann", 0);
    let accounts = store.accounts();
    let id = accounts
        .create_sign_in(user, device, &tokens(1), NOW)
        .unwrap();
    let first = tokens(1).refresh_hash;
    assert!(accounts.rotate_sign_in(id, &first, &tokens(2)).unwrap());
    // The old refresh token again (a copy, a race): refused, the new pair stays.
    assert!(!accounts.rotate_sign_in(id, &first, &tokens(3)).unwrap());
    let stored = accounts.sign_in(id).unwrap().unwrap();
    assert_eq!(stored.tokens.access_hash, tokens(2).access_hash);
    assert!(!stored.revoked);
    accounts.revoke_sign_in(id, NOW).unwrap();
    assert!(accounts.sign_in(id).unwrap().unwrap().revoked);
}

pub fn a_banned_player_and_a_revoked_device_lose_their_sign_ins(store: &dyn Store) {
    let (ann, ann_phone) = player(store, "ann", 0);
    let (bob, bob_phone) = player(store, "bob", 0);
    let accounts = store.accounts();
    let ann_sign_in = accounts
        .create_sign_in(ann, ann_phone, &tokens(1), NOW)
        .unwrap();
    let bob_sign_in = accounts
        .create_sign_in(bob, bob_phone, &tokens(2), NOW)
        .unwrap();

    assert!(accounts.set_banned(ann, true, NOW).unwrap());
    assert!(accounts.user_by_name("ann").unwrap().unwrap().banned);
    assert!(accounts.sign_in(ann_sign_in).unwrap().unwrap().revoked);
    assert!(!accounts.sign_in(bob_sign_in).unwrap().unwrap().revoked);
    assert!(!accounts.set_banned(UserId(999_999), true, NOW).unwrap());

    assert!(store.devices().revoke_device(bob_phone, NOW).unwrap());
    assert!(store.devices().device(bob_phone).unwrap().unwrap().revoked);
    assert!(accounts.sign_in(bob_sign_in).unwrap().unwrap().revoked);
    let listed = store.devices().devices_of(bob).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked);
}

pub fn a_machine_id_is_taken_once_and_a_revoked_machine_keeps_its_secrets(store: &dyn Store) {
    let new = NewMachineRecord {
        id: MachineId("m_one".into()),
        name: "One".into(),
        location: "Hall".into(),
        kind: MachineKind::Arcade,
        api_key_hash: [1; 32],
        webhook_secret: WebhookSecret::generate(),
    };
    let machines = store.machines();
    machines.create_machine(&new).unwrap();
    let again = machines.create_machine(&NewMachineRecord {
        name: "Other".into(),
        ..new.clone()
    });
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    let stored = machines.machine(&new.id).unwrap().unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.kind, stored.location.as_str()),
        ("One", MachineKind::Arcade, "Hall")
    );

    assert!(machines.revoke_machine(&new.id).unwrap());
    assert!(machines.machine(&new.id).unwrap().unwrap().revoked);
    // A revoked machine gets no new credentials.
    assert!(!machines.rotate_api_key(&new.id, &[2; 32]).unwrap());
    let next = WebhookSecret::generate();
    assert!(!machines.rotate_webhook_secret(&new.id, &next, NOW).unwrap());
    assert_eq!(
        machines.machine(&new.id).unwrap().unwrap().api_key_hash,
        [1; 32]
    );
    assert!(!machines
        .revoke_machine(&MachineId("m_none".into()))
        .unwrap());
    assert_eq!(machines.all().unwrap().len(), 1);
}

pub fn a_rotated_webhook_secret_is_accepted_with_the_previous_one_for_a_while(store: &dyn Store) {
    let id = machine(store, "m_hook");
    let machines = store.machines();
    let old = machines.machine(&id).unwrap().unwrap().webhook_secret;
    let next = WebhookSecret::generate();
    assert!(machines
        .rotate_webhook_secret(&id, &next, NOW + 1_000)
        .unwrap());
    let record = machines.machine(&id).unwrap().unwrap();
    assert_eq!(record.webhook_secrets(NOW), vec![next.clone(), old]);
    assert_eq!(record.webhook_secrets(NOW + 1_000), vec![next]);
}

pub fn an_operators_changes_are_listed_newest_first(store: &dyn Store) {
    let operators = store.operators();
    assert!(operators.key_hash().unwrap().is_none());
    operators.set_key_hash(&[3; 32], NOW).unwrap();
    operators.set_key_hash(&[4; 32], NOW + 1).unwrap();
    assert_eq!(operators.key_hash().unwrap(), Some([4; 32]));
    for (at, action) in ["create-machine", "ban-user", "revoke-device"]
        .iter()
        .enumerate()
    {
        operators
            .record_action(action, "subject", NOW + at as i64)
            .unwrap();
    }
    let newest: Vec<_> = operators
        .actions(2)
        .unwrap()
        .into_iter()
        .map(|action| action.action)
        .collect();
    assert_eq!(newest, ["revoke-device", "ban-user"]);
}
