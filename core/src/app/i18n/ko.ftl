# GashaPay 한국어 텍스트 (영어판과 같은 ID, 속성, 자리표시자).

## 숫자
points = { $n ->
   *[other] { $count }P
}

## 앱 전체
app_name = GashaPay
device_name = GashaPay 앱
starting = 시작하는 중…
loading = 불러오는 중…
main_navigation = 메인
tab_home = 홈
tab_play = 플레이
tab_history = 내역
tab_top_up = 충전
tab_settings = 설정

## 로그인과 가입
sign_in_title = GashaPay 로그인
sign_in_server = 서버: { $server }
username = 사용자 이름
password = 비밀번호
sign_in = 로그인
signing_in = 로그인하는 중…
sign_up_title = GashaPay 계정 만들기
create_account = 계정 만들기
creating_account = 계정을 만드는 중…
switch_to_sign_up = 처음이신가요? 계정 만들기
switch_to_sign_in = 이미 계정이 있어요
username_rule = 3~32자: a–z, 0–9, _ . -
password_rule = 8자 이상

## 홈
your_balance = 내 포인트
balance_unknown = —
balance_updated = { $time } 업데이트
balance_not_loaded = 아직 불러오지 않음
balance_stale = 오프라인: 잔액이 최신이 아닐 수 있습니다
play = 플레이
play_action_label = 기계에서 플레이: QR 코드 표시
recent_activity = 최근 활동
no_plays_yet = 아직 플레이 기록이 없습니다.

## 내역
history_title = 내역
history_empty = 아직 아무것도 없습니다. 플레이, 환불, 충전이 여기에 표시됩니다.
show_older = 이전 내역 보기
history_play_at = { $machine }에서 플레이
history_refund_no_answer = 환불: { $machine } 응답 없음
history_refund_cancelled = 환불: { $machine }에서 취소됨
history_refund_failed = 환불: { $machine } 배출 실패
history_a_machine = 기계
history_top_up = 충전
history_machine_credit = { $machine }에 포인트 투입
history_machine_refund = { $machine } 미사용 포인트 반환
history_purchase_at = { $machine }에서 { $item } 구매
history_reward_from = { $partner } 리워드
history_refunded = 환불됨
history_not_dispensed = 배출 안 됨
history_dispensed = 배출 완료

## 플레이
play_title = 플레이
how_many_points = 몇 포인트를 쓸까요?
points_to_play = 사용할 포인트
choose_points_to_play = 사용할 포인트를 고르세요
show_code_for = { $points } QR 코드 표시
code_label = { $points } 결제용 QR 코드입니다. 기계의 스캐너에 대세요.
code_renews = 자동 갱신 · 약 { $minutes }분 후 만료
code_as_text = 코드 텍스트
brightness_hint = 코드가 보이는 동안 화면이 밝게 켜져 있습니다.
play_again = 다시 플레이
cancel = 취소
new_balance = 새 잔액: { $balance }
cannot_make_code = 코드를 만들 수 없습니다

## 플레이 상태
status_awaiting_scan = 스캔 대기 중
status_pending = 처리 중…
status_completed = 배출 완료! 즐거운 시간 되세요.
status_refunded_no_answer = 기계가 응답하지 않음: 포인트 환불됨
status_refunded_cancelled = 기계에서 취소됨: 포인트 환불됨
status_refunded_failed = 기계 고장: 포인트 환불됨
status_code_expired = 코드 만료
status_refused_because = 거부됨: { $reason }
status_refused = 거부됨

## 설정
settings_title = 설정
server = 서버
server_demo = { $server } (내장 데모 서버)
choose_server_title = 어떤 GashaPay 서버를 쓸까요?
server_address_hint = 운영자가 알려 준 주소, 예: https://pay.example.com
use_server = 확인하고 사용
checking_server = 확인하는 중…
server_changed = 이제 { $server } 사용 중
language_choice = 언어
this_device = 이 기기
device_of_user = 사용자 { $user }의 기기 { $device }
device_not_registered = 등록되지 않음
secrets_stored_in = 로그인 정보 저장 위치
system_keychain = 시스템 키체인
memory_only_keychain = 앱을 종료할 때까지 메모리에만 ({ $reason })
sign_out = 로그아웃

## 충전
top_up_title = 충전
top_up_amount = 금액
test_payment_token = 테스트 결제 토큰
test_card_succeeds = 테스트 카드 (성공)
test_card_declined = 테스트 카드 (거절)
pay_and_add = 결제하고 { $points } 추가
paying = 결제하는 중…
top_up_done = { $amount } 추가했습니다. 새 잔액: { $balance }

## 다음에 할 수 있는 일
next_retry = 다시 시도
next_top_up = 충전
next_new_code = 새 코드 표시
next_check_clock = 휴대폰 시계를 자동으로 설정한 뒤 다시 시도하세요
next_sign_in_again = 다시 로그인
next_update_app = 앱 업데이트
next_contact_support = 고객 지원 문의
next_check_payment = 카드 정보를 확인하거나 다른 카드를 사용하세요

## 문제: 제목과 .detail
account_rule_username = 다른 사용자 이름을 고르세요
    .detail = 사용자 이름은 3~32자의 영문 소문자, 숫자, _ . - 입니다.
account_rule_password = 더 긴 비밀번호를 고르세요
    .detail = 비밀번호는 8자 이상입니다.
server_address_invalid = 서버 주소가 아닙니다
    .detail = https:// 로 시작하는 전체 주소를 입력하세요.
server_unreachable = 그 주소에서 응답하는 GashaPay 서버가 없습니다
    .detail = 주소와 연결을 확인하세요. 사용 중인 서버는 그대로입니다.
offline = 오프라인입니다
    .detail = 서버에 연결할 수 없습니다. QR 코드는 계속 쓸 수 있지만 잔액과 내역이 최신이 아닐 수 있습니다.
server_slow = 서버 응답이 느립니다
    .detail = QR 코드는 계속 쓸 수 있지만 잔액과 내역이 최신이 아닐 수 있습니다.
secure_storage_unavailable = 보안 저장소를 사용할 수 없습니다
    .detail = 로그인 정보는 시스템 키체인에 보관하는데, 접근이 거부되었습니다.
unexpected_answer = 서버가 예상치 못한 응답을 보냈습니다
    .detail = 서버가 이 앱보다 최신일 수 있습니다.
error_account_banned = 계정이 정지되었습니다
    .detail = 이 계정으로는 로그인할 수 없습니다. 포인트는 보존됩니다.
error_insufficient_points = 포인트가 부족합니다
    .detail = 잔액이 이 플레이 가격보다 적습니다. 결제되지 않았습니다.
error_code_expired = 이 코드는 만료되었습니다
    .detail = 코드는 몇 분 동안만 유효합니다. 결제되지 않았습니다.
error_code_from_future = 휴대폰 시계가 빠릅니다
    .detail = 기계가 미래 시각의 코드를 거부했습니다. 결제되지 않았습니다.
error_already_used = 이미 사용한 코드입니다
    .detail = 코드는 한 번만 쓸 수 있습니다. 추가 결제는 없습니다.
error_cannot_verify = 이 휴대폰은 다시 로그인해야 합니다
    .detail = 기계가 이 휴대폰의 코드를 확인하지 못했습니다. 결제되지 않았습니다.
error_unreadable_code = 기계가 이 코드를 읽지 못했습니다
    .detail = 결제되지 않았습니다.
error_needs_newer_app = 이 기계는 최신 앱이 필요합니다
    .detail = 결제되지 않았습니다.
error_session_ended = 다시 로그인해 주세요
    .detail = 세션이 끝났습니다.
error_invalid_credentials = 사용자 이름 또는 비밀번호가 틀립니다
    .detail = 확인한 뒤 다시 시도하세요.
error_payment_declined = 결제가 거절되었습니다
    .detail = 카드에 청구되지 않았고 포인트도 추가되지 않았습니다.
error_invalid_payment_token = 결제를 받을 수 없습니다
    .detail = 결제 정보를 인식하지 못했습니다. 포인트가 추가되지 않았습니다.
error_top_up_already_sent = 이미 보낸 충전입니다
    .detail = 다른 금액으로 이미 보냈습니다. 새로 충전하세요.
error_rate_limited = 시도가 너무 많습니다
    .detail = 잠시 기다린 뒤 다시 시도하세요.
error_request_timeout = 서버 응답이 너무 오래 걸렸습니다
    .detail = 연결을 확인한 뒤 다시 시도하세요.
error_not_found = 찾을 수 없습니다
    .detail = 이 플레이는 다른 계정의 것이거나 존재하지 않습니다.
error_username_taken = 이미 쓰이는 사용자 이름입니다
    .detail = 다른 사람이 쓰고 있습니다. 다른 이름을 고르세요.
error_machine_problem = 기계가 문제를 보고했습니다
    .detail = 포인트는 안전합니다. 내역을 확인하세요.
error_bad_request = 문제가 발생했습니다
    .detail = 앱이 서버가 이해하지 못하는 요청을 보냈습니다.
error_server_problem = 서버에 문제가 있습니다
    .detail = 아무것도 바뀌지 않았습니다. 잠시 후 다시 시도하세요.
error_code_disabled = 이 기기는 지금 결제를 받지 않습니다
    .detail = 이 기기의 코드가 꺼져 있습니다. 결제되지 않았습니다.
error_machine_busy = 다른 사람이 이 기기를 사용 중입니다
    .detail = 결제되지 않았습니다. 사용이 끝나면 다시 시도하세요.
error_insufficient_credit = 이 세션에 남은 포인트가 부족합니다
    .detail = 기기가 남은 포인트보다 많이 요청했습니다. 추가로 결제되지 않았습니다.
error_machine_session_ended = 이 세션은 끝났습니다
    .detail = 남은 포인트는 잔액으로 돌아왔습니다.
error_invalid_order = 이 주문 코드는 유효하지 않습니다
    .detail = 결제되지 않았습니다. 기기에서 새 코드를 받으세요.
error_order_expired = 이 주문은 만료되었습니다
    .detail = 결제되지 않았습니다. 기기에서 상품을 다시 고르세요.
error_reward_code_expired = 이 리워드 코드는 만료되었습니다
    .detail = 적립된 포인트가 없습니다. 지금 표시된 코드를 스캔하세요.
error_already_claimed = 이번 방문 포인트는 이미 받았습니다
    .detail = 코드가 바뀐 뒤에 다시 오세요.
error_reward_session_open = 이곳에서 시간이 이미 측정되고 있습니다
    .detail = 나갈 때 종료 코드를 스캔하세요.
error_no_reward_session = 이곳에서 측정 중인 시간이 없습니다
    .detail = 먼저 시작 코드를 스캔하세요.
error_daily_cap_reached = 오늘 이 매장에서 받을 수 있는 최대치를 받았습니다
    .detail = 오늘은 더 없습니다. 내일 다시 오세요.
error_budget_exhausted = 이 매장은 오늘 포인트를 모두 지급했습니다
    .detail = 내일 다시 시도하세요.
error_reward_session_closed = 이 리워드는 이미 끝났습니다
    .detail = 더 적립할 포인트가 없습니다.

## 코드를 보여 주는 기기에서 결제
machine_title = 기기
machine_nothing_open = 기기의 코드를 스캔하면 그 기기에서 결제할 수 있습니다.
machine_opening = 기기에 확인하는 중…
machine_load_prompt = 기기에 몇 포인트를 넣을까요?
machine_load_button = { $points } 넣기
machine_busy_note = 다른 사람이 이 기기를 사용 중입니다.
order_confirm = { $machine }의 { $item }에 { $points }를 결제할까요?
order_pay_button = 결제 확인
order_paid_waiting = 결제 완료: 기기가 배출하는 중…
session_open = 기기에서 구매하세요
session_credit_left = { $points } 남음
session_purchase = { $item } · { $points }
session_idle = 구매가 없으면 { $time }에 자동 종료
session_end_button = 세션 종료
session_ended_refund = 세션 종료: { $points } 잔액으로 반환
session_ended_spent = 세션 종료: 포인트를 모두 사용했습니다
machine_close = 닫기
link_unreadable = GashaPay 코드가 아닙니다
    .detail = 기기의 코드를 다시 스캔하세요.

reward_title = 리워드
reward_opening = 코드를 확인하는 중…
reward_visit_gives = 이번 방문으로 { $points }
reward_timed_gives = { $minutes }분마다 { $points }
reward_earned = { $partner }에서 { $points } 적립
reward_started = { $partner }에서 시간 측정을 시작했습니다
reward_ended = { $partner }에서 { $minutes }분 동안 { $points } 적립
reward_card_title = { $partner }에서 적립 중
reward_card_so_far = { $every } · 지금까지 { $minutes }분
reward_card_scan_end = 나갈 때 종료 코드를 스캔하세요.
reward_card_partner_ends = 이용이 끝나면 매장이 종료합니다.
reward_card_done = { $partner }에서의 시간
reward_card_dismiss = 확인
session_card_title = { $machine }에서 세션 진행 중
session_card_show = 세션 보기
status_pending_game = 리더에서 결제됨: 곧 게임이 시작됩니다
status_completed_game = 게임 시작! 즐거운 시간 되세요.
status_refunded_left_game = 게임에서 나갔습니다: 포인트 환불됨
history_played = 플레이함
history_not_played = 플레이 안 함
