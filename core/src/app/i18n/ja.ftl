# GashaPay の日本語テキスト（英語版と同じ ID・属性・プレースホルダー）。

## 数
points = { $n ->
   *[other] { $count } pt
}

## アプリ全体
app_name = GashaPay
device_name = GashaPay アプリ
starting = 起動中…
loading = 読み込み中…
main_navigation = メイン
tab_home = ホーム
tab_play = プレイ
tab_history = 履歴
tab_top_up = チャージ
tab_settings = 設定

## サインイン・新規登録
sign_in_title = GashaPay にサインイン
sign_in_server = サーバー: { $server }
username = ユーザー名
password = パスワード
sign_in = サインイン
signing_in = サインイン中…
sign_up_title = GashaPay アカウントを作成
create_account = アカウントを作成
creating_account = アカウントを作成中…
switch_to_sign_up = はじめての方はアカウントを作成
switch_to_sign_in = アカウントをお持ちの方
username_rule = 3〜32文字: a–z、0–9、_ . -
password_rule = 8文字以上

## ホーム
your_balance = ポイント残高
balance_unknown = —
balance_updated = { $time } 更新
balance_not_loaded = まだ読み込まれていません
balance_stale = オフライン: 残高が最新ではない可能性があります
play = プレイ
play_action_label = マシンで遊ぶ: QR コードを表示
recent_activity = 最近の利用
no_plays_yet = まだプレイがありません。

## 履歴
history_title = 履歴
history_empty = まだ何もありません。プレイ・返金・チャージがここに表示されます。
show_older = さらに表示
history_play_at = { $machine } でプレイ
history_refund_no_answer = 返金: { $machine } から応答なし
history_refund_cancelled = 返金: { $machine } でキャンセル
history_refund_failed = 返金: { $machine } の払い出し失敗
history_a_machine = マシン
history_top_up = チャージ
history_machine_credit = { $machine } にポイント投入
history_machine_refund = { $machine } の未使用ポイント返却
history_purchase_at = { $machine } で { $item } を購入
history_reward_from = { $partner } からのリワード
history_refunded = 返金済み
history_not_dispensed = 払い出しなし
history_dispensed = 払い出し完了

## プレイ
play_title = プレイ
how_many_points = 何ポイント使いますか？
points_to_play = 使うポイント
choose_points_to_play = 使うポイントを選んでください
show_code_for = { $points } の QR コードを表示
code_label = { $points } を支払う QR コード。マシンのスキャナーにかざしてください。
code_renews = 自動更新 · 残り約{ $minutes }分
code_as_text = コードの文字表記
brightness_hint = コード表示中は画面が明るいまま消えません。
play_again = もう一度遊ぶ
cancel = キャンセル
new_balance = 新しい残高: { $balance }
cannot_make_code = コードを作成できません

## プレイの状態
status_awaiting_scan = スキャン待ち
status_pending = 処理中…
status_completed = 払い出し完了！お楽しみください。
status_refunded_no_answer = マシンから応答がありません: ポイントを返金しました
status_refunded_cancelled = マシンでキャンセルしました: ポイントを返金しました
status_refunded_failed = マシンの故障: ポイントを返金しました
status_code_expired = コードの有効期限切れ
status_refused_because = 拒否: { $reason }
status_refused = 拒否されました

## 設定
settings_title = 設定
server = サーバー
server_demo = { $server }（内蔵デモサーバー）
choose_server_title = どの GashaPay サーバーを使いますか？
server_address_hint = 運営者から案内されたアドレス（例: https://pay.example.com）
use_server = 確認して使用
checking_server = 確認中…
server_changed = { $server } を使用中
language_choice = 言語
this_device = この端末
device_of_user = ユーザー { $user } の端末 { $device }
device_not_registered = 未登録
secrets_stored_in = サインイン情報の保存先
system_keychain = システムのキーチェーン
memory_only_keychain = アプリ終了までメモリのみ（{ $reason }）
sign_out = サインアウト

## チャージ
top_up_title = チャージ
top_up_amount = 金額
test_payment_token = テスト用支払いトークン
test_card_succeeds = テストカード（成功）
test_card_declined = テストカード（拒否）
pay_and_add = 支払って { $points } を追加
paying = 支払い中…
top_up_done = { $amount } を追加しました。新しい残高: { $balance }

## 次にできること
next_retry = もう一度試す
next_top_up = チャージ
next_new_code = 新しいコードを表示
next_check_clock = 端末の時計を自動設定にして、もう一度お試しください
next_sign_in_again = もう一度サインイン
next_update_app = アプリを更新
next_contact_support = サポートに連絡
next_check_payment = カード情報を確認するか、別のカードをお使いください

## 問題: タイトルと .detail
account_rule_username = 別のユーザー名を選んでください
    .detail = ユーザー名は 3〜32 文字の英小文字・数字・_ . - です。
account_rule_password = もっと長いパスワードにしてください
    .detail = パスワードは 8 文字以上です。
server_address_invalid = サーバーのアドレスではありません
    .detail = https:// から始まるアドレス全体を入力してください。
server_unreachable = そのアドレスに GashaPay サーバーがありません
    .detail = アドレスと接続を確認してください。使用中のサーバーはそのままです。
offline = オフラインです
    .detail = サーバーに接続できません。QR コードは使えますが、残高と履歴は最新ではない可能性があります。
server_slow = サーバーの応答が遅れています
    .detail = QR コードは使えますが、残高と履歴は最新ではない可能性があります。
secure_storage_unavailable = 安全な保存領域を使えません
    .detail = サインイン情報はシステムのキーチェーンに保存しますが、アクセスが拒否されました。
unexpected_answer = サーバーから予期しない応答がありました
    .detail = サーバーがこのアプリより新しい可能性があります。
error_account_banned = アカウントが停止されています
    .detail = このアカウントではサインインできません。ポイントは保持されています。
error_insufficient_points = ポイントが足りません
    .detail = 残高がこのプレイの料金より少ないです。課金はされていません。
error_code_expired = このコードは期限切れです
    .detail = コードの有効期間は数分です。課金はされていません。
error_code_from_future = 端末の時計が進んでいます
    .detail = 未来の日時のコードをマシンが拒否しました。課金はされていません。
error_already_used = このコードは使用済みです
    .detail = コードは一度だけ使えます。追加の課金はされていません。
error_cannot_verify = この端末はもう一度サインインが必要です
    .detail = マシンがこの端末のコードを確認できませんでした。課金はされていません。
error_unreadable_code = マシンがこのコードを読み取れませんでした
    .detail = 課金はされていません。
error_needs_newer_app = このマシンには新しいアプリが必要です
    .detail = 課金はされていません。
error_session_ended = もう一度サインインしてください
    .detail = セッションが終了しました。
error_invalid_credentials = ユーザー名またはパスワードが違います
    .detail = 確認してもう一度お試しください。
error_payment_declined = 支払いが拒否されました
    .detail = カードへの請求はなく、ポイントも追加されていません。
error_invalid_payment_token = 支払いを受け付けられません
    .detail = 支払い情報を認識できませんでした。ポイントは追加されていません。
error_top_up_already_sent = このチャージは送信済みです
    .detail = 別の金額で送信済みです。新しくチャージしてください。
error_rate_limited = 試行回数が多すぎます
    .detail = 少し待ってからもう一度お試しください。
error_request_timeout = サーバーの応答に時間がかかりすぎました
    .detail = 接続を確認して、もう一度お試しください。
error_not_found = 見つかりません
    .detail = このプレイは別のアカウントのものか、存在しません。
error_username_taken = このユーザー名は使われています
    .detail = 別のユーザー名を選んでください。
error_machine_problem = マシンが問題を報告しました
    .detail = ポイントは安全です。履歴を確認してください。
error_bad_request = 問題が発生しました
    .detail = アプリがサーバーの理解できない要求を送りました。
error_server_problem = サーバーで問題が発生しました
    .detail = 何も変更されていません。しばらくしてからお試しください。
error_code_disabled = この機械は現在支払いを受け付けていません
    .detail = この機械のコードは停止中です。請求はありません。
error_machine_busy = ほかの人がこの機械を使用中です
    .detail = 請求はありません。終わるまでお待ちください。
error_insufficient_credit = このセッションの残りポイントが足りません
    .detail = 機械の請求が残りを超えました。追加の請求はありません。
error_machine_session_ended = このセッションは終了しました
    .detail = 残りのポイントは残高に戻りました。
error_invalid_order = この注文コードは無効です
    .detail = 請求はありません。機械で新しいコードを表示してください。
error_order_expired = この注文は期限切れです
    .detail = 請求はありません。機械でもう一度商品を選んでください。
error_reward_code_expired = このリワードコードは期限切れです
    .detail = ポイントは付与されていません。いま表示中のコードを読み取ってください。
error_already_claimed = この来店のポイントは受け取り済みです
    .detail = コードが変わってからまたどうぞ。
error_reward_session_open = ここでの時間計測はすでに始まっています
    .detail = 帰るときに終了コードを読み取ってください。
error_no_reward_session = ここで計測中の時間はありません
    .detail = 先に開始コードを読み取ってください。
error_daily_cap_reached = このお店で今日もらえる上限に達しました
    .detail = 今日はここまでです。また明日どうぞ。
error_budget_exhausted = このお店は今日のポイントをすべて配り終えました
    .detail = 明日またお試しください。
error_reward_session_closed = このリワードはすでに終了しています
    .detail = これ以上ポイントは付きません。

## コードを表示する機械で支払う
machine_title = 機械
machine_nothing_open = 機械のコードを読み取ると、そこで支払えます。
machine_opening = 機械に問い合わせ中…
machine_load_prompt = 機械に何ポイント入れますか？
machine_load_button = { $points } を入れる
machine_busy_note = ほかの人がこの機械を使用中です。
order_confirm = { $machine } の { $item } に { $points } を支払いますか？
order_pay_button = 支払いを確定
order_paid_waiting = 支払い済み：機械が払い出し中…
session_open = 機械で購入してください
session_credit_left = 残り { $points }
session_purchase = { $item } · { $points }
session_idle = 購入がなければ { $time } に自動終了
session_end_button = セッションを終了
session_ended_refund = セッション終了：{ $points } を残高に返却
session_ended_spent = セッション終了：ポイントはすべて使われました
machine_close = 閉じる
link_unreadable = GashaPay のコードではありません
    .detail = 機械のコードをもう一度読み取ってください。

reward_title = リワード
reward_opening = コードを確認しています…
reward_visit_gives = 今回の来店で { $points }
reward_timed_gives = { $minutes } 分ごとに { $points }
reward_earned = { $partner } で { $points } 獲得
reward_started = { $partner } で時間計測を開始しました
reward_ended = { $partner } で { $minutes } 分、{ $points } 獲得
reward_card_title = { $partner } でポイント獲得中
reward_card_so_far = { $every } · 現在 { $minutes } 分
reward_card_scan_end = 帰るときに終了コードを読み取ってください。
reward_card_partner_ends = 終わるとお店が終了します。
reward_card_done = { $partner } での時間
reward_card_dismiss = OK
session_card_title = { $machine } でセッション中
session_card_show = セッションを表示
status_pending_game = リーダーで支払いました: まもなくゲームが始まります
status_completed_game = ゲームスタート！楽しんでください。
status_refunded_left_game = ゲームをやめました: ポイントを返金しました
history_played = プレイ済み
history_not_played = プレイなし
