//! Calls into the Android activity through JNI. `ndk-context` holds the Java VM and
//! the activity; Dioxus' Android shell (wry and tao) sets it up before the app runs.

use jni::objects::{JObject, JString};
use jni::JavaVM;
use std::path::PathBuf;

/// Why a call into Java failed.
#[derive(Debug, thiserror::Error)]
pub enum AndroidError {
    #[error("JNI: {0}")]
    Jni(#[from] jni::errors::Error),
}

/// Runs `call` with the JNI environment of this thread and the activity.
pub fn with_activity<T>(
    call: impl FnOnce(&mut jni::JNIEnv, &JObject) -> Result<T, jni::errors::Error>,
) -> Result<T, AndroidError> {
    let context = ndk_context::android_context();
    #[allow(unsafe_code, reason = "ndk-context hands out raw JNI pointers")]
    // SAFETY: ndk-context's pointers are the process's Java VM and a global
    // reference to the activity, valid for the app's lifetime.
    let (vm, activity) = unsafe {
        (
            JavaVM::from_raw(context.vm().cast())?,
            JObject::from_raw(context.context().cast()),
        )
    };
    let mut env = vm.attach_current_thread()?;
    Ok(call(&mut env, &activity)?)
}

/// `Context.getFilesDir().getAbsolutePath()`.
pub fn files_dir() -> Result<PathBuf, AndroidError> {
    with_activity(|env, activity| {
        let dir = env
            .call_method(activity, "getFilesDir", "()Ljava/io/File;", &[])?
            .l()?;
        let path = env
            .call_method(&dir, "getAbsolutePath", "()Ljava/lang/String;", &[])?
            .l()?;
        let path: String = env.get_string(&JString::from(path))?.into();
        Ok(PathBuf::from(path))
    })
}

/// Android: the activity window's brightness override and its keep-screen-on flag.
/// A window may only be changed on the UI thread, so each change is sent there
/// through wry's dispatch. Clearing the override gives back the user's brightness.
#[cfg(feature = "mobile")]
pub struct AndroidScreen;

/// `WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON`.
#[cfg(feature = "mobile")]
const FLAG_KEEP_SCREEN_ON: i32 = 0x80;
/// `WindowManager.LayoutParams.BRIGHTNESS_OVERRIDE_FULL` and `_NONE`.
#[cfg(feature = "mobile")]
const BRIGHTNESS_FULL: f32 = 1.0;
#[cfg(feature = "mobile")]
const BRIGHTNESS_USERS: f32 = -1.0;

#[cfg(feature = "mobile")]
impl gashapay_core::app::scanner_screen::ScannerScreen for AndroidScreen {
    fn brighten(&self) {
        set_window_for_code(true);
    }

    fn restore(&self) {
        set_window_for_code(false);
    }
}

#[cfg(feature = "mobile")]
fn set_window_for_code(code_on_screen: bool) {
    dioxus::mobile::wry::prelude::dispatch(move |env, activity, _webview| {
        if let Err(error) = change_window(env, activity, code_on_screen) {
            dioxus::logger::tracing::warn!("the screen was not changed for the code: {error}");
        }
    });
}

#[cfg(feature = "mobile")]
fn change_window(
    env: &mut jni::JNIEnv,
    activity: &JObject,
    code_on_screen: bool,
) -> Result<(), jni::errors::Error> {
    use jni::objects::JValue;
    let window = env
        .call_method(activity, "getWindow", "()Landroid/view/Window;", &[])?
        .l()?;
    let params = env
        .call_method(
            &window,
            "getAttributes",
            "()Landroid/view/WindowManager$LayoutParams;",
            &[],
        )?
        .l()?;
    let brightness = if code_on_screen {
        BRIGHTNESS_FULL
    } else {
        BRIGHTNESS_USERS
    };
    env.set_field(&params, "screenBrightness", "F", JValue::Float(brightness))?;
    env.call_method(
        &window,
        "setAttributes",
        "(Landroid/view/WindowManager$LayoutParams;)V",
        &[JValue::Object(&params)],
    )?;
    let flags = if code_on_screen {
        "addFlags"
    } else {
        "clearFlags"
    };
    env.call_method(&window, flags, "(I)V", &[JValue::Int(FLAG_KEEP_SCREEN_ON)])?;
    Ok(())
}

/// `Intent.ACTION_VIEW`: the action a camera, a browser or another app uses to open a
/// link the app registered for (`[deep_links]` in Dioxus.toml).
const ACTION_VIEW: &str = "android.intent.action.VIEW";

/// The link the activity was opened with, once: the intent's data is cleared after it
/// is read, so a later resume does not open it again. Android starts the activity
/// (launch mode "standard", as dx generates it) with each link it is given, so the
/// link is the activity's intent; it is read at start and whenever the app resumes.
pub fn take_opened_link() -> Result<Option<String>, AndroidError> {
    with_activity(|env, activity| {
        let intent = env
            .call_method(activity, "getIntent", "()Landroid/content/Intent;", &[])?
            .l()?;
        if intent.is_null() {
            return Ok(None);
        }
        let action = env
            .call_method(&intent, "getAction", "()Ljava/lang/String;", &[])?
            .l()?;
        if action.is_null() || String::from(env.get_string(&JString::from(action))?) != ACTION_VIEW
        {
            return Ok(None);
        }
        let data = env
            .call_method(&intent, "getDataString", "()Ljava/lang/String;", &[])?
            .l()?;
        if data.is_null() {
            return Ok(None);
        }
        let link: String = env.get_string(&JString::from(data))?.into();
        let no_uri = JObject::null();
        env.call_method(
            &intent,
            "setData",
            "(Landroid/net/Uri;)Landroid/content/Intent;",
            &[jni::objects::JValue::Object(&no_uri)],
        )?;
        Ok(Some(link))
    })
}
