//! What the window shows, as text, for the desktop build's window tests: with
//! `GASHAPAY_PAGE_TEXT=<file>` set, the web view's visible text and the boxes of its
//! controls are written to that file as JSON a few times a second, so a test reads
//! the page as the web view has it instead of reading pixels. Off without the
//! variable; phones never have it.

use dioxus::prelude::*;
use std::path::PathBuf;
use std::time::Duration;

/// How often the page is written while the variable is set.
const EVERY: Duration = Duration::from_millis(150);

/// Collects what a person can see: each text node and control inside the window and
/// not clipped away by a scrolled box, with its box in CSS pixels.
const SNAPSHOT: &str = r#"
const shownRect = (el, rect) => {
  let [top, left, bottom, right] = [rect.top, rect.left, rect.bottom, rect.right];
  top = Math.max(top, 0); left = Math.max(left, 0);
  bottom = Math.min(bottom, innerHeight); right = Math.min(right, innerWidth);
  for (let box = el; box && box !== document.body; box = box.parentElement) {
    const style = getComputedStyle(box);
    if (style.visibility === 'hidden' || style.display === 'none') return null;
    if (style.overflowY !== 'visible' || style.overflowX !== 'visible') {
      const clip = box.getBoundingClientRect();
      top = Math.max(top, clip.top); left = Math.max(left, clip.left);
      bottom = Math.min(bottom, clip.bottom); right = Math.min(right, clip.right);
    }
  }
  return bottom - top >= 2 && right - left >= 2
    ? { x: left, y: top, w: right - left, h: bottom - top, full_h: rect.height } : null;
};
const texts = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const text = node.textContent.replace(/\s+/g, ' ').trim();
  const parent = node.parentElement;
  if (!text || !parent || parent.closest('style, script')) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  const box = shownRect(parent, range.getBoundingClientRect());
  if (box) texts.push({ text, ...box });
}
const controls = [];
for (const el of document.querySelectorAll('button, a, input, label, [role=radio]')) {
  const box = shownRect(el, el.getBoundingClientRect());
  const typed = el.tagName === 'INPUT' && !['radio', 'checkbox'].includes(el.type) ? el.value : '';
  const text = (el.innerText || el.getAttribute('aria-label') || el.getAttribute('placeholder') ||
    typed || '').replace(/\s+/g, ' ').trim();
  if (box && text) controls.push({ text, tag: el.tagName.toLowerCase(), ...box });
}
return { texts, controls, ratio: devicePixelRatio };
"#;

/// Writes the page to `GASHAPAY_PAGE_TEXT`'s file for as long as the app runs, if the
/// variable is set.
pub fn use_page_text() {
    use_future(|| async {
        let Some(path) = std::env::var_os("GASHAPAY_PAGE_TEXT").map(PathBuf::from) else {
            return;
        };
        let partial = path.with_extension("partial");
        loop {
            tokio::time::sleep(EVERY).await;
            let Ok(page) = document::eval(SNAPSHOT).join::<serde_json::Value>().await else {
                continue;
            };
            // Whole or not at all: the test may read it at any moment.
            let written = std::fs::write(&partial, page.to_string())
                .and_then(|()| std::fs::rename(&partial, &path));
            if let Err(error) = written {
                dioxus::logger::tracing::warn!("the page text was not written: {error}");
            }
        }
    });
}
