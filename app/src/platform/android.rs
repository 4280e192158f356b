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
