# GashaPay's texts in English: the reference every other language must match
# (same ids, attributes and placeholders).

## Numbers. $count is the number already grouped for the language; $n chooses the form.
points = { $n ->
    [one] { $count } pt
   *[other] { $count } pts
}

## Whole app
app_name = GashaPay
device_name = GashaPay app
starting = Starting…
loading = Loading…
main_navigation = Main
tab_home = Home
tab_play = Play
tab_history = History
tab_top_up = Top up
tab_settings = Settings

## Sign in and sign up
sign_in_title = Sign in to GashaPay
sign_in_server = Server: { $server }
username = Username
password = Password
sign_in = Sign in
signing_in = Signing in…
sign_up_title = Create your GashaPay account
create_account = Create account
creating_account = Creating account…
switch_to_sign_up = New here? Create an account
switch_to_sign_in = I already have an account
username_rule = 3 to 32 characters: a–z, 0–9, _ . -
password_rule = At least 8 characters

## Home
your_balance = Your balance
balance_unknown = —
balance_updated = Updated { $time }
balance_not_loaded = Not loaded yet
balance_stale = Offline: this balance may be out of date
play = Play
play_action_label = Play a machine: show a QR code
recent_activity = Recent activity
no_plays_yet = No plays yet.

## History
history_title = History
history_empty = Nothing here yet: plays, refunds and top-ups will show up here.
show_older = Show older
history_play_at = Play at { $machine }
history_refund_no_answer = Refund: { $machine } did not answer
history_refund_cancelled = Refund: cancelled at { $machine }
history_refund_failed = Refund: { $machine } failed to dispense
history_a_machine = a machine
history_top_up = Top-up
history_machine_credit = Points loaded into { $machine }
history_machine_refund = Unused points back from { $machine }
history_purchase_at = { $item } at { $machine }
history_reward_from = Reward from { $partner }
history_refunded = Refunded
history_not_dispensed = Not dispensed
history_dispensed = Dispensed

## Play
play_title = Play
how_many_points = How many points?
points_to_play = Points to play
choose_points_to_play = Choose how many points to play
show_code_for = Show QR code for { $points }
code_label = QR code to pay { $points }. Hold it up to the machine's scanner.
code_renews = Renews automatically · expires in { $minutes } min
code_as_text = The code as text
brightness_hint = The screen stays bright and awake while the code shows.
play_again = Play again
cancel = Cancel
new_balance = New balance: { $balance }
cannot_make_code = Cannot make a code

## A play's status
status_awaiting_scan = Waiting for scan
status_pending = Processing…
status_completed = Dispensed! Enjoy your prize.
status_refunded_no_answer = The machine did not answer: points refunded
status_refunded_cancelled = Cancelled at the machine: points refunded
status_refunded_failed = The machine failed: points refunded
status_code_expired = Code expired
status_refused_because = Refused: { $reason }
status_refused = Refused

## Settings
settings_title = Settings
server = Server
server_demo = { $server } (built-in demo server)
choose_server_title = Which GashaPay server?
server_address_hint = The address your operator gave you, e.g. https://pay.example.com
use_server = Check and use
checking_server = Checking…
server_changed = Now using { $server }
language_choice = Language
this_device = This device
device_of_user = Device { $device } of user { $user }
device_not_registered = Not registered
secrets_stored_in = Sign-in stored in
system_keychain = The system keychain
memory_only_keychain = Memory only, until the app quits ({ $reason })
sign_out = Sign out

## Top up
top_up_title = Top up
top_up_amount = Amount
test_payment_token = Test payment token
test_card_succeeds = Test card (succeeds)
test_card_declined = Test card (declined)
pay_and_add = Pay and add { $points }
paying = Paying…
top_up_done = Added { $amount }. New balance: { $balance }

## What the user can do next
next_retry = Try again
next_top_up = Top up
next_new_code = Show a new code
next_check_clock = Set the phone's clock to automatic, then try again
next_sign_in_again = Sign in again
next_update_app = Update the app
next_contact_support = Contact support
next_check_payment = Check the card details or use another card

## Problems: the title, and .detail under it
account_rule_username = Choose another username
    .detail = Usernames are 3 to 32 characters: lowercase letters, digits, _ . and -.
account_rule_password = Choose a longer password
    .detail = Passwords are at least 8 characters.
server_address_invalid = That is not a server address
    .detail = Type the whole address, starting with https://
server_unreachable = No GashaPay server answers there
    .detail = Check the address and your connection. The server in use was kept.
offline = You're offline
    .detail = GashaPay can't reach the server. Your QR code still works; balance and history may be out of date.
server_slow = The server is slow to answer
    .detail = Your QR code still works; balance and history may be out of date.
secure_storage_unavailable = Secure storage is unavailable
    .detail = GashaPay keeps your sign-in in the system keychain, which refused access.
unexpected_answer = Unexpected answer from the server
    .detail = The server may be newer than this app.
error_account_banned = Account suspended
    .detail = This account cannot sign in. Your points are kept.
error_insufficient_points = Not enough points
    .detail = Your balance is lower than this play costs. Nothing was charged.
error_code_expired = This code expired
    .detail = Codes last a few minutes. Nothing was charged.
error_code_from_future = Your phone's clock is ahead
    .detail = The machine refused a code dated in the future. Nothing was charged.
error_already_used = This code was already used
    .detail = Each code works once. Nothing more was charged.
error_cannot_verify = This phone needs to sign in again
    .detail = The machine could not verify this phone's code. Nothing was charged.
error_unreadable_code = The machine could not read this code
    .detail = Nothing was charged.
error_needs_newer_app = This machine needs a newer app
    .detail = Nothing was charged.
error_session_ended = Please sign in again
    .detail = Your session has ended.
error_invalid_credentials = Wrong username or password
    .detail = Check them and try again.
error_payment_declined = Payment declined
    .detail = Your card was not charged and no points were added.
error_invalid_payment_token = Payment not accepted
    .detail = The payment details were not recognised. No points were added.
error_top_up_already_sent = This top-up was already sent
    .detail = It was sent before with a different amount. Start a new top-up.
error_rate_limited = Too many tries
    .detail = Wait a moment, then try again.
error_request_timeout = The server took too long
    .detail = Check your connection, then try again.
error_not_found = Not found
    .detail = This play belongs to another account or does not exist.
error_username_taken = This username is taken
    .detail = Someone already has it. Choose another one.
error_machine_problem = The machine reported a problem
    .detail = Your points are safe; check your history.
error_bad_request = Something went wrong
    .detail = The app sent a request the server did not understand.
error_server_problem = The server had a problem
    .detail = Nothing was changed. Try again in a moment.
error_code_disabled = This machine is not taking payments
    .detail = Its code is switched off. Nothing was charged.
error_machine_busy = Someone is using this machine
    .detail = Nothing was charged. Try again when they are done.
error_insufficient_credit = Not enough points left in this session
    .detail = The machine asked for more than is left. Nothing more was charged.
error_machine_session_ended = This session has ended
    .detail = What was left came back to your balance.
error_invalid_order = This order's code is not valid
    .detail = Nothing was charged. Ask the machine for a new code.
error_order_expired = This order has expired
    .detail = Nothing was charged. Choose your item on the machine again.
error_reward_code_expired = This reward code has expired
    .detail = Nothing was earned. Scan the code on display now.
error_already_claimed = You already got this visit's points
    .detail = Come back after the code changes.
error_reward_session_open = Your time here is already running
    .detail = Scan the end code when you leave.
error_no_reward_session = No time is running here
    .detail = Scan the start code first.
error_daily_cap_reached = You have earned today's most from this store
    .detail = Nothing more today. Come back tomorrow.
error_budget_exhausted = This store has given all its points today
    .detail = Try again tomorrow.
error_reward_session_closed = This reward has already ended
    .detail = Nothing more to earn from it.

## Paying at a machine that shows the code
machine_title = Machine
machine_nothing_open = Scan the code on a machine to pay there.
machine_opening = Asking the machine…
machine_load_prompt = How many points to load into the machine?
machine_load_button = Load { $points }
machine_busy_note = Someone is using this machine right now.
order_confirm = Pay { $points } for { $item } at { $machine }?
order_pay_button = Confirm payment
order_paid_waiting = Paid: the machine is dispensing…
session_open = Buy on the machine
session_credit_left = { $points } left
session_purchase = { $item } · { $points }
session_idle = Ends by itself at { $time } if nothing is bought
session_end_button = End session
session_ended_refund = Session ended: { $points } back to your balance
session_ended_spent = Session ended: all points were spent
machine_close = Done
link_unreadable = This is not a GashaPay code
    .detail = Scan the code on the machine again.

reward_title = Reward
reward_opening = Checking the code…
reward_visit_gives = { $points } for this visit
reward_timed_gives = { $points } for every { $minutes } min
reward_earned = { $points } earned at { $partner }
reward_started = Time started at { $partner }
reward_ended = { $points } earned at { $partner } for { $minutes } min
reward_card_title = Earning at { $partner }
reward_card_so_far = { $every } · { $minutes } min so far
reward_card_scan_end = Scan the end code when you leave.
reward_card_partner_ends = The store ends it when you are done.
reward_card_done = Your time at { $partner }
reward_card_dismiss = OK
session_card_title = Session open at { $machine }
session_card_show = Show session
status_pending_game = Paid at the reader: the game starts soon
status_completed_game = Game on! Have fun.
status_refunded_left_game = You left the game: points refunded
history_played = Played
history_not_played = Not played
