//! How the desktop build's web view draws on Linux.

/// WebKitGTK composites the page through OpenGL. Without a GPU (no `/dev/dri`: a
/// virtual machine, a remote desktop, Xvfb) that OpenGL is a software renderer, and
/// compositing through it costs more than painting the page directly: a new code
/// takes about twice as long to appear. So where there is no GPU, compositing is off,
/// unless the tester set `WEBKIT_DISABLE_COMPOSITING_MODE` (to `0` keeps it on).
///
/// It sets an environment variable, which WebKit reads when it starts: call it first
/// in `main`, before any other thread exists.
pub fn paint_directly_without_gpu() {
    const VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if cfg!(target_os = "linux")
        && std::env::var_os(VARIABLE).is_none()
        && !std::path::Path::new("/dev/dri").exists()
    {
        std::env::set_var(VARIABLE, "1");
    }
}
