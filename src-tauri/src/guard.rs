//! The window shows the app and nothing else: navigations away from its origin are refused.
//!
//! A lesson link to a pack file, a page an SVG links to, any web address: refused here, in the
//! shell, whatever the page's markup manages to do.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Runtime, Url};

/// The plugin that refuses navigations; `dev_url` is the dev server's origin in a dev build.
pub fn plugin<R: Runtime>(dev_url: Option<Url>) -> TauriPlugin<R> {
    Builder::new("navigation-guard")
        .on_navigation(move |_, url| allowed(url, dev_url.as_ref()))
        .build()
}

/// True for the app's own pages: `tauri://localhost` (the bundled UI on Linux and macOS),
/// `http(s)://tauri.localhost` (Windows), and the dev server in a dev build.
pub fn allowed(url: &Url, dev_url: Option<&Url>) -> bool {
    let own = match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    };
    own || dev_url.is_some_and(|dev| dev.origin() == url.origin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_own_origin_may_be_shown() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(allowed(&url("tauri://localhost/"), None));
        assert!(allowed(
            &url("tauri://localhost/index.html#/lesson/code"),
            None
        ));
        for refused in [
            "devloop-pack://localhost/plan/img/evil.svg",
            "http://devloop-pack.localhost/plan/img/evil.svg",
            "http://127.0.0.1:8080/phish.html",
            "https://example.com/",
            "file:///etc/passwd",
            "tauri://evil.example/",
            "javascript:alert(1)",
            "data:text/html,<script>1</script>",
            "about:blank",
        ] {
            assert!(!allowed(&url(refused), None), "{refused}");
        }
        let dev = url("http://localhost:5173");
        assert!(allowed(&url("http://localhost:5173/#/plan"), Some(&dev)));
        assert!(!allowed(&url("http://localhost:5174/"), Some(&dev)));
    }
}
