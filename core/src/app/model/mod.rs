//! The whole app as one model: the server in use, the sign-in, and what
//! belongs to the signed-in account (balance, history, play, top-up, paying at a
//! machine, rewards). Events come in from the screens and as the answers to effects;
//! effects go out as data for the shell to run. The rules that cross screens live
//! here: a sign-out, another account or another server clears the whole account at
//! once, and a finished play, top-up, session or reward fetches the balance again.

mod effects;

pub use effects::{Call, Effect, FailedCall};

use super::failure::CallFailure;
use super::history::{HistoryEvent, HistoryModel};
use super::language::Language;
use super::machine_pay::{MachinePayEvent, MachinePayModel};
use super::messages::UserMessage;
use super::play::{PlayEvent, PlayModel, PlayView};
use super::reward::{RewardEvent, RewardModel};
use super::saved::SavedAccount;
use super::server::{ServerEffect, ServerEvent, ServerModel};
use super::sign_in::{SignIn, SignInEffect, SignInEvent};
use super::text::texts;
use super::top_up::{TopUpEvent, TopUpModel};
use super::views::BalanceModel;
use crate::api::{BalanceResponse, RunningView};
use crate::device::DeviceCredentials;
use crate::ids::UserId;
use crate::links::AppLink;
use crate::Redacted;

/// Everything the app shows of one account; replaced whole when the account goes, so
/// no screen's state can outlive it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountModels {
    pub balance: BalanceModel,
    pub history: HistoryModel,
    pub play: PlayModel,
    pub top_up: TopUpModel,
    pub machine_pay: MachinePayModel,
    pub reward: RewardModel,
}

/// Which account's calls an answer belongs to: it grows each time the account is
/// cleared, and an answer to a call made before is dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Epoch(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppModel {
    /// The language the app speaks.
    pub language: Language,
    pub server: ServerModel,
    pub sign_in: SignIn,
    pub account: AccountModels,
    /// Unix seconds the play screen is drawn as of: the last play event (the shell
    /// sends a tick when the screen changes by itself, see
    /// [`PlayModel::next_change_at`]).
    play_drawn_at: u64,
    /// Whose account `account` holds, once known.
    account_of: Option<UserId>,
    epoch: Epoch,
}

/// Where a link the app was handed opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkScreen {
    Machine,
    Reward,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppEvent {
    /// At launch, and again once another server is in use: whether the keychain holds
    /// a session for this server and whose, what the last run saved, and the demo's
    /// account (the demo signs its user in by itself).
    Started {
        stored_sign_in: bool,
        signed_in_user: Option<UserId>,
        saved: Option<SavedAccount>,
        demo_account: Option<(String, Redacted)>,
    },
    /// What the sign-in form sends: `SignInEvent::SignIn` or `SwitchForm` (the
    /// session's other events come from the model's own rules).
    SignInForm(SignInEvent),
    SignedIn {
        user_id: UserId,
    },
    SignInFailed(UserMessage),
    SignOut,
    Server(ServerEvent),
    /// The shell talks to the server `ServerEffect::Switch` named from now on.
    ServerSwitched {
        stored_sign_in: bool,
        signed_in_user: Option<UserId>,
    },
    /// Settings: speak this language from now on.
    ChooseLanguage(Language),
    /// The balance's retry button.
    RefreshBalance,
    BalanceLoaded(BalanceResponse),
    History(HistoryEvent),
    Play(PlayEvent),
    /// The play screen was left: a finished play is put away.
    LeftPlay,
    TopUp(TopUpEvent),
    MachinePay(MachinePayEvent),
    Reward(RewardEvent),
    /// A link was opened (a phone's camera, another app, the demo's "Scan").
    OpenLink(String),
    /// What the server says the player has running.
    RunningLoaded(RunningView),
    /// A call failed: a lost session signs out; otherwise its screen says why.
    CallFailed {
        call: FailedCall,
        failure: CallFailure,
    },
}

impl AppModel {
    /// The app at launch, speaking `language`, on `server`, at `now`.
    pub fn new(language: Language, server: ServerModel, now: u64) -> Self {
        Self {
            language,
            play_drawn_at: now,
            server,
            sign_in: SignIn::Starting,
            account: AccountModels::default(),
            account_of: None,
            epoch: Epoch::default(),
        }
    }

    /// The account whose calls are under way now; effects run for it carry it back
    /// with their answers (see [`AppModel::answer`]).
    pub fn epoch(&self) -> Epoch {
        self.epoch
    }

    /// When the play screen next changes by itself; the shell sends a
    /// `PlayEvent::Tick` then.
    pub fn play_changes_at(&self) -> Option<u64> {
        self.account.play.next_change_at(self.play_drawn_at)
    }

    /// The play screen, as of the last play event. A finished play's "New balance"
    /// is the balance card's, which the play's own answer and every later fetch keep
    /// current.
    pub fn play_view(&self) -> PlayView {
        let mut view = self.account.play.view(self.play_drawn_at);
        if let (Some(result), Some(balance)) = (&mut view.result_text, self.account.balance.balance)
        {
            *result = texts().new_balance(balance);
        }
        view
    }

    /// Where `link` opens: reward links on the reward screen, anything else (machine
    /// links, and what cannot be read, which that screen explains) on the machine's.
    pub fn link_screen(link: &str) -> LinkScreen {
        match AppLink::parse(link) {
            Ok(AppLink::Reward { .. }) => LinkScreen::Reward,
            _ => LinkScreen::Machine,
        }
    }

    /// Whether `event` at `now` makes a code, so the shell reads the device's
    /// credentials from the keystore only then (not at every second's tick).
    pub fn needs_credentials(&self, event: &AppEvent, now: u64) -> bool {
        matches!(event, AppEvent::Play(play) if self.account.play.makes_a_code(play, now))
    }

    /// The answer to an effect that was run for `epoch`; dropped when the account it
    /// was made for is gone (signed out, another account, another server).
    pub fn answer(
        &mut self,
        epoch: Epoch,
        event: AppEvent,
        now: u64,
        credentials: Option<&DeviceCredentials>,
    ) -> Vec<Effect> {
        if epoch != self.epoch {
            return vec![];
        }
        self.update(event, now, credentials)
    }

    pub fn update(
        &mut self,
        event: AppEvent,
        now: u64,
        credentials: Option<&DeviceCredentials>,
    ) -> Vec<Effect> {
        match event {
            AppEvent::Started {
                stored_sign_in,
                signed_in_user,
                saved,
                demo_account,
            } => {
                if stored_sign_in {
                    self.account_of = signed_in_user;
                    if let (Some(saved), Some(user)) = (saved, signed_in_user) {
                        let shown = &mut self.account;
                        // Only the same person's: one account is never shown to another.
                        saved.restore_into(user, &mut shown.balance, &mut shown.history);
                    }
                }
                self.sign_in_event(SignInEvent::Started {
                    stored_sign_in,
                    demo_account,
                })
            }
            AppEvent::SignInForm(event) => match event {
                SignInEvent::SignIn { .. } | SignInEvent::SwitchForm => self.sign_in_event(event),
                _ => vec![],
            },
            AppEvent::SignedIn { user_id } => {
                // Another account than the one shown: nothing of the other one stays.
                let mut effects = Vec::new();
                if self.account_of.is_some_and(|shown| shown != user_id) {
                    effects.extend(self.clear_account());
                }
                self.account_of = Some(user_id);
                effects.extend(self.sign_in_event(SignInEvent::SignedIn));
                effects
            }
            AppEvent::SignInFailed(message) => {
                self.sign_in_event(SignInEvent::SignInFailed(message))
            }
            AppEvent::SignOut => self.sign_in_event(SignInEvent::SignOut),
            AppEvent::Server(event) => self
                .server
                .update(event)
                .into_iter()
                .map(|effect| match effect {
                    ServerEffect::Check(address) => Effect::CheckServer(address),
                    ServerEffect::Switch(address) => Effect::SwitchServer(address),
                })
                .collect(),
            AppEvent::ServerSwitched {
                stored_sign_in,
                signed_in_user,
            } => {
                // What was shown belongs to the other server's account.
                let mut effects = self.clear_account();
                self.sign_in = SignIn::Starting;
                effects.extend(self.update(
                    AppEvent::Started {
                        stored_sign_in,
                        signed_in_user,
                        saved: None,
                        demo_account: None,
                    },
                    now,
                    credentials,
                ));
                effects
            }
            AppEvent::RefreshBalance => vec![Effect::Call(Call::FetchBalance)],
            AppEvent::BalanceLoaded(answer) => {
                self.account.balance.loaded(answer.balance, answer.as_of);
                vec![Effect::SaveAccount]
            }
            AppEvent::History(event) => {
                let newest_page = matches!(
                    event,
                    HistoryEvent::Loaded {
                        appended: false,
                        ..
                    }
                );
                let fetch = self.account.history.update(event);
                let mut effects: Vec<Effect> = fetch
                    .into_iter()
                    .map(|fetch| Effect::Call(Call::FetchHistory(fetch)))
                    .collect();
                if newest_page {
                    effects.push(Effect::SaveAccount);
                }
                effects
            }
            AppEvent::ChooseLanguage(language) => {
                self.language = language;
                vec![Effect::Speak(language)]
            }
            AppEvent::Play(event) => {
                self.play_drawn_at = now;
                let news = matches!(event, PlayEvent::StatusChanged(_));
                let effects = self.account.play.update(event, credentials, now);
                if news {
                    self.take_play_balance();
                }
                effects::of_play(effects, &mut self.account.history)
            }
            AppEvent::LeftPlay => {
                self.account.play.put_away_finished();
                vec![]
            }
            AppEvent::TopUp(event) => {
                let effects = self.account.top_up.update(event);
                effects::of_top_up(effects, &mut self.account.history)
            }
            AppEvent::MachinePay(event) => {
                let effects = self.account.machine_pay.update(event, now);
                effects::of_machine_pay(effects, &mut self.account.history)
            }
            AppEvent::Reward(event) => {
                let effects = self.account.reward.update(event);
                effects::of_reward(effects, &mut self.account.history)
            }
            AppEvent::OpenLink(link) => match Self::link_screen(&link) {
                LinkScreen::Reward => {
                    self.update(AppEvent::Reward(RewardEvent::Open(link)), now, credentials)
                }
                LinkScreen::Machine => self.update(
                    AppEvent::MachinePay(MachinePayEvent::Open(link)),
                    now,
                    credentials,
                ),
            },
            AppEvent::RunningLoaded(running) => {
                let mut effects = Vec::new();
                // Newest first: the newest open one is the one the card follows.
                if let Some(session) = running.machine_sessions.into_iter().next() {
                    effects.extend(self.update(
                        AppEvent::MachinePay(MachinePayEvent::Resume(session)),
                        now,
                        credentials,
                    ));
                }
                if let Some(session) = running.reward_sessions.into_iter().next() {
                    effects.extend(self.update(
                        AppEvent::Reward(RewardEvent::Resume(session)),
                        now,
                        credentials,
                    ));
                }
                effects
            }
            AppEvent::CallFailed { call, failure } => self.call_failed(call, failure, now),
        }
    }

    fn sign_in_event(&mut self, event: SignInEvent) -> Vec<Effect> {
        let mut effects = Vec::new();
        for effect in self.sign_in.update(event) {
            match effect {
                SignInEffect::SignIn(sent) => effects.push(Effect::Call(Call::SignIn(sent))),
                SignInEffect::SignUp(sent) => effects.push(Effect::Call(Call::SignUp(sent))),
                SignInEffect::LoadAccount => {
                    effects.extend(self.load_account());
                    // Once a session: a restarted app finds what still runs.
                    effects.push(Effect::Call(Call::FetchRunning));
                }
                SignInEffect::Logout => effects.push(Effect::Call(Call::Logout)),
                SignInEffect::ClearAccount => effects.extend(self.clear_account()),
            }
        }
        effects
    }

    /// The balance and the newest page of history, fetched again.
    fn load_account(&mut self) -> Vec<Effect> {
        effects::load_account(&mut self.account.history)
    }

    /// Forgets the account: every screen's state, the saved copy, and every call
    /// under way for it (their answers will be dropped).
    fn clear_account(&mut self) -> Vec<Effect> {
        self.account = AccountModels::default();
        self.account_of = None;
        self.epoch = Epoch(self.epoch.0 + 1);
        vec![Effect::StopWatching, Effect::ForgetSavedAccount]
    }

    /// A play's final answer carries the balance after it: the balance card shows
    /// that at once (the fetch that follows confirms it).
    fn take_play_balance(&mut self) {
        if let Some((balance, at)) = self.account.play.final_balance() {
            let shown = &mut self.account.balance;
            if shown.fetched_at.is_none_or(|fetched| fetched <= at) {
                shown.loaded(balance, at);
            }
        }
    }

    fn call_failed(&mut self, call: FailedCall, failure: CallFailure, now: u64) -> Vec<Effect> {
        let effects = self.sign_in_event(SignInEvent::CallFailed(failure.clone()));
        if !self.sign_in.is_signed_in() {
            // The session is gone and the account with it.
            return effects;
        }
        let message = failure.message.clone();
        let account = &mut self.account;
        match call {
            FailedCall::Balance => {
                account.balance.failed(message);
                vec![]
            }
            FailedCall::History => {
                account.history.update(HistoryEvent::Failed(message));
                vec![]
            }
            FailedCall::PlayWatch(id) => {
                account
                    .play
                    .update(PlayEvent::WatchFailed { id, message }, None, now);
                vec![]
            }
            FailedCall::TopUp => {
                let effects = account.top_up.update(TopUpEvent::Failed(failure));
                effects::of_top_up(effects, &mut account.history)
            }
            FailedCall::MachinePay => {
                let effects = account
                    .machine_pay
                    .update(MachinePayEvent::Failed(message), now);
                effects::of_machine_pay(effects, &mut account.history)
            }
            FailedCall::Reward => {
                let effects = account.reward.update(RewardEvent::Failed(message));
                effects::of_reward(effects, &mut account.history)
            }
            // Nothing to show: the screens keep what they have.
            FailedCall::Running => vec![],
        }
    }
}

#[cfg(test)]
mod tests;
