# Los textos de GashaPay en español (los mismos id, atributos y variables que en inglés).

## Números
points = { $n ->
    [one] { $count } punto
   *[other] { $count } puntos
}

## Toda la app
app_name = GashaPay
device_name = App GashaPay
starting = Iniciando…
loading = Cargando…
main_navigation = Principal
tab_home = Inicio
tab_play = Jugar
tab_history = Historial
tab_top_up = Recargar
tab_settings = Ajustes

## Iniciar sesión y registrarse
sign_in_title = Inicia sesión en GashaPay
sign_in_server = Servidor: { $server }
username = Usuario
password = Contraseña
sign_in = Iniciar sesión
signing_in = Iniciando sesión…
sign_up_title = Crea tu cuenta de GashaPay
create_account = Crear cuenta
creating_account = Creando la cuenta…
switch_to_sign_up = ¿Eres nuevo? Crea una cuenta
switch_to_sign_in = Ya tengo una cuenta
username_rule = De 3 a 32 caracteres: a–z, 0–9, _ . -
password_rule = Al menos 8 caracteres

## Inicio
your_balance = Tu saldo
balance_unknown = —
balance_updated = Actualizado { $time }
balance_not_loaded = Aún no cargado
balance_stale = Sin conexión: este saldo puede no estar al día
play = Jugar
play_action_label = Jugar en una máquina: mostrar un código QR
recent_activity = Actividad reciente
no_plays_yet = Aún no has jugado.

## Historial
history_title = Historial
history_empty = Aún no hay nada: aquí aparecerán las jugadas, devoluciones y recargas.
show_older = Ver anteriores
history_play_at = Jugada en { $machine }
history_refund_no_answer = Devolución: { $machine } no respondió
history_refund_cancelled = Devolución: cancelado en { $machine }
history_refund_failed = Devolución: { $machine } no entregó el premio
history_a_machine = una máquina
history_top_up = Recarga
history_machine_credit = Puntos cargados en { $machine }
history_machine_refund = Puntos no usados devueltos por { $machine }
history_purchase_at = { $item } en { $machine }
history_reward_from = Recompensa de { $partner }
history_refunded = Devuelto
history_not_dispensed = No entregado
history_dispensed = Entregado

## Jugar
play_title = Jugar
how_many_points = ¿Cuántos puntos?
points_to_play = Puntos para jugar
choose_points_to_play = Elige cuántos puntos jugar
show_code_for = Mostrar código QR por { $points }
code_label = Código QR para pagar { $points }. Acércalo al lector de la máquina.
code_renews = Se renueva solo · caduca en { $minutes } min
code_as_text = El código en texto
brightness_hint = La pantalla sigue brillante y encendida mientras se ve el código.
play_again = Jugar otra vez
cancel = Cancelar
new_balance = Nuevo saldo: { $balance }
cannot_make_code = No se puede crear un código

## Estado de una jugada
status_awaiting_scan = Esperando el escaneo
status_pending = Procesando…
status_completed = ¡Entregado! Disfruta tu premio.
status_refunded_no_answer = La máquina no respondió: puntos devueltos
status_refunded_cancelled = Cancelado en la máquina: puntos devueltos
status_refunded_failed = La máquina falló: puntos devueltos
status_code_expired = Código caducado
status_refused_because = Rechazado: { $reason }
status_refused = Rechazado

## Ajustes
settings_title = Ajustes
server = Servidor
server_demo = { $server } (servidor de demostración integrado)
choose_server_title = ¿Qué servidor de GashaPay?
server_address_hint = La dirección que te dio tu operador, p. ej. https://pay.example.com
use_server = Comprobar y usar
checking_server = Comprobando…
server_changed = Ahora se usa { $server }
language_choice = Idioma
this_device = Este dispositivo
device_of_user = Dispositivo { $device } del usuario { $user }
device_not_registered = No registrado
secrets_stored_in = Sesión guardada en
system_keychain = El llavero del sistema
memory_only_keychain = Solo en memoria, hasta cerrar la app ({ $reason })
sign_out = Cerrar sesión

## Recargar
top_up_title = Recargar
top_up_amount = Importe
test_payment_token = Token de pago de prueba
test_card_succeeds = Tarjeta de prueba (aceptada)
test_card_declined = Tarjeta de prueba (rechazada)
pay_and_add = Pagar y añadir { $points }
paying = Pagando…
top_up_done = Se añadieron { $amount }. Nuevo saldo: { $balance }

## Qué puede hacer el usuario
next_retry = Intentar de nuevo
next_top_up = Recargar
next_new_code = Mostrar un código nuevo
next_check_clock = Pon la hora del teléfono en automático e inténtalo de nuevo
next_sign_in_again = Iniciar sesión de nuevo
next_update_app = Actualizar la app
next_contact_support = Contactar con soporte
next_check_payment = Revisa los datos de la tarjeta o usa otra

## Problemas: el título y .detail debajo
account_rule_username = Elige otro nombre de usuario
    .detail = Los nombres de usuario tienen de 3 a 32 caracteres: minúsculas, dígitos, _ . y -.
account_rule_password = Elige una contraseña más larga
    .detail = Las contraseñas tienen al menos 8 caracteres.
server_address_invalid = Eso no es la dirección de un servidor
    .detail = Escribe la dirección completa, empezando por https://
server_unreachable = Ningún servidor de GashaPay responde ahí
    .detail = Revisa la dirección y tu conexión. Se mantiene el servidor actual.
offline = Sin conexión
    .detail = GashaPay no llega al servidor. Tu código QR sigue funcionando; el saldo y el historial pueden no estar al día.
server_slow = El servidor tarda en responder
    .detail = Tu código QR sigue funcionando; el saldo y el historial pueden no estar al día.
secure_storage_unavailable = El almacenamiento seguro no está disponible
    .detail = GashaPay guarda tu sesión en el llavero del sistema, que denegó el acceso.
unexpected_answer = Respuesta inesperada del servidor
    .detail = Puede que el servidor sea más nuevo que esta app.
error_account_banned = Cuenta suspendida
    .detail = Esta cuenta no puede iniciar sesión. Tus puntos se conservan.
error_insufficient_points = No tienes puntos suficientes
    .detail = Tu saldo es menor que el precio de esta jugada. No se cobró nada.
error_code_expired = Este código caducó
    .detail = Los códigos duran unos minutos. No se cobró nada.
error_code_from_future = El reloj de tu teléfono va adelantado
    .detail = La máquina rechazó un código con fecha futura. No se cobró nada.
error_already_used = Este código ya se usó
    .detail = Cada código sirve una vez. No se cobró nada más.
error_cannot_verify = Este teléfono debe iniciar sesión de nuevo
    .detail = La máquina no pudo verificar el código de este teléfono. No se cobró nada.
error_unreadable_code = La máquina no pudo leer este código
    .detail = No se cobró nada.
error_needs_newer_app = Esta máquina necesita una app más nueva
    .detail = No se cobró nada.
error_session_ended = Vuelve a iniciar sesión
    .detail = Tu sesión ha terminado.
error_invalid_credentials = Usuario o contraseña incorrectos
    .detail = Revísalos e inténtalo de nuevo.
error_payment_declined = Pago rechazado
    .detail = No se cargó nada a tu tarjeta ni se añadieron puntos.
error_invalid_payment_token = Pago no aceptado
    .detail = No se reconocieron los datos del pago. No se añadieron puntos.
error_top_up_already_sent = Esta recarga ya se envió
    .detail = Se envió antes con otro importe. Empieza una recarga nueva.
error_rate_limited = Demasiados intentos
    .detail = Espera un momento e inténtalo de nuevo.
error_request_timeout = El servidor tardó demasiado
    .detail = Revisa tu conexión e inténtalo de nuevo.
error_not_found = No encontrado
    .detail = Esta jugada es de otra cuenta o no existe.
error_username_taken = Ese nombre de usuario ya existe
    .detail = Otra persona lo tiene. Elige otro.
error_machine_problem = La máquina informó de un problema
    .detail = Tus puntos están a salvo; revisa tu historial.
error_bad_request = Algo salió mal
    .detail = La app envió una petición que el servidor no entendió.
error_server_problem = El servidor tuvo un problema
    .detail = No se cambió nada. Inténtalo de nuevo en un momento.
error_code_disabled = Esta máquina no acepta pagos ahora
    .detail = Su código está desactivado. No se cobró nada.
error_machine_busy = Alguien está usando esta máquina
    .detail = No se cobró nada. Inténtalo cuando termine.
error_insufficient_credit = No quedan puntos suficientes en esta sesión
    .detail = La máquina pidió más de lo que queda. No se cobró nada más.
error_machine_session_ended = Esta sesión ha terminado
    .detail = Lo que quedaba volvió a tu saldo.
error_invalid_order = El código de este pedido no es válido
    .detail = No se cobró nada. Pide un código nuevo a la máquina.
error_order_expired = Este pedido ha caducado
    .detail = No se cobró nada. Vuelve a elegir tu artículo en la máquina.
error_reward_code_expired = Este código de recompensa ha caducado
    .detail = No has ganado nada. Escanea el código que se muestra ahora.
error_already_claimed = Ya tienes los puntos de esta visita
    .detail = Vuelve cuando cambie el código.
error_reward_session_open = Tu tiempo aquí ya está corriendo
    .detail = Escanea el código de salida al irte.
error_no_reward_session = No hay tiempo corriendo aquí
    .detail = Escanea primero el código de inicio.
error_daily_cap_reached = Has ganado hoy lo máximo de esta tienda
    .detail = Nada más por hoy. Vuelve mañana.
error_budget_exhausted = Esta tienda ya ha dado todos sus puntos de hoy
    .detail = Inténtalo mañana.
error_reward_session_closed = Esta recompensa ya ha terminado
    .detail = No hay nada más que ganar con ella.

## Pagar en una máquina que muestra el código
machine_title = Máquina
machine_nothing_open = Escanea el código de una máquina para pagar en ella.
machine_opening = Consultando a la máquina…
machine_load_prompt = ¿Cuántos puntos cargas en la máquina?
machine_load_button = Cargar { $points }
machine_busy_note = Alguien está usando esta máquina ahora.
order_confirm = ¿Pagar { $points } por { $item } en { $machine }?
order_pay_button = Confirmar el pago
order_paid_waiting = Pagado: la máquina está entregando…
session_open = Compra en la máquina
session_credit_left = Quedan { $points }
session_purchase = { $item } · { $points }
session_idle = Termina sola a las { $time } si no compras nada
session_end_button = Terminar sesión
session_ended_refund = Sesión terminada: { $points } vuelven a tu saldo
session_ended_spent = Sesión terminada: se gastaron todos los puntos
machine_close = Listo
link_unreadable = Esto no es un código de GashaPay
    .detail = Vuelve a escanear el código de la máquina.

reward_title = Recompensa
reward_opening = Comprobando el código…
reward_visit_gives = { $points } por esta visita
reward_timed_gives = { $points } cada { $minutes } min
reward_earned = { $points } ganados en { $partner }
reward_started = Tiempo iniciado en { $partner }
reward_ended = { $points } ganados en { $partner } por { $minutes } min
reward_card_title = Ganando en { $partner }
reward_card_so_far = { $every } · { $minutes } min hasta ahora
reward_card_scan_end = Escanea el código de salida al irte.
reward_card_partner_ends = La tienda lo termina cuando acabes.
reward_card_done = Tu tiempo en { $partner }
reward_card_dismiss = Vale
session_card_title = Sesión abierta en { $machine }
session_card_show = Ver la sesión
status_pending_game = Pagado en el lector: la partida empieza enseguida
status_completed_game = ¡A jugar! Que te diviertas.
status_refunded_left_game = Saliste de la partida: puntos devueltos
history_played = Jugado
history_not_played = No jugado
