//! A small W3C WebDriver client: just the calls the end-to-end tests make, with waiting built in.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The key W3C WebDriver uses to name an element in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a test waits for the UI before failing; generous because a cold WebKit start is slow.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub type Result<T> = std::result::Result<T, String>;

/// One WebDriver session: one running DevLoop app. Dropping it closes the app.
#[derive(Debug)]
pub struct Session {
    agent: ureq::Agent,
    base: String,
}

/// An element found in the page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Session {
    /// Starts the app at `application` through the driver listening on `driver_url`.
    pub fn start(driver_url: &str, application: &str) -> Result<Session> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // WebDriver reports errors as JSON bodies with 4xx/5xx statuses; we want those bodies.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(90)))
            .build()
            .into();
        let caps = json!({
            "capabilities": {
                "alwaysMatch": { "tauri:options": { "application": application } }
            }
        });
        // tauri-driver accepts connections before its WebKitWebDriver is up and drops the
        // first requests meanwhile, so a dropped connection is retried for a while.
        let deadline = Instant::now() + Duration::from_secs(15);
        let value = loop {
            match send(
                &agent,
                "POST",
                &format!("{driver_url}/session"),
                Some(caps.clone()),
            ) {
                Ok(value) => break value,
                Err(e) if e.contains("io:") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => return Err(e),
            }
        };
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no sessionId in {value}"))?;
        Ok(Session {
            agent,
            base: format!("{driver_url}/session/{id}"),
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        send(&self.agent, method, &format!("{}{path}", self.base), body)
    }

    /// Waits until `css` matches an element and returns the first.
    pub fn find(&self, css: &str) -> Result<Element> {
        self.wait(&format!("an element matching {css}"), || {
            Ok(self.find_all(css)?.into_iter().next())
        })
    }

    /// Every element matching `css` now (no waiting).
    pub fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let value = self.call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        Ok(value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned())))
                    .collect()
            })
            .unwrap_or_default())
    }

    pub fn text(&self, el: &Element) -> Result<String> {
        Ok(self
            .call("GET", &format!("/element/{}/text", el.0), None)?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    pub fn attribute(&self, el: &Element, name: &str) -> Result<Option<String>> {
        Ok(self
            .call("GET", &format!("/element/{}/attribute/{name}", el.0), None)?
            .as_str()
            .map(str::to_owned))
    }

    /// Replaces the text of an input, as typing would.
    pub fn type_text(&self, el: &Element, text: &str) -> Result<()> {
        // The driver will not clear what is outside the view, and the app scrolls inside its
        // own pane, which the driver does not scroll by itself.
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "arguments[0].scrollIntoView({ block: 'center' });",
                "args": [{ ELEMENT_KEY: el.0 }]
            })),
        )?;
        self.call("POST", &format!("/element/{}/clear", el.0), Some(json!({})))?;
        self.call(
            "POST",
            &format!("/element/{}/value", el.0),
            Some(json!({ "text": text })),
        )
        .map(drop)
    }

    pub fn click(&self, el: &Element) -> Result<()> {
        self.call("POST", &format!("/element/{}/click", el.0), Some(json!({})))
            .map(drop)
    }

    /// Runs `script` in the page and returns its result.
    pub fn execute(&self, script: &str) -> Result<Value> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Presses and releases one key (a WebDriver key code such as `\u{E00C}` for Escape).
    pub fn press(&self, key: &str) -> Result<()> {
        let actions = json!({"actions": [{
            "type": "key", "id": "keyboard",
            "actions": [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]
        }]});
        self.call("POST", "/actions", Some(actions)).map(drop)
    }

    /// Drags `from` onto `to` with a mouse: down at the middle of one, moved in steps (as a
    /// hand would), up at the middle of the other.
    pub fn drag(&self, from: &Element, to: &Element) -> Result<()> {
        let origin = |el: &Element| json!({ ELEMENT_KEY: el.0 });
        let actions = json!({"actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [
                {"type": "pointerMove", "origin": origin(from), "x": 0, "y": 0},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerMove", "origin": "pointer", "x": 10, "y": 10, "duration": 100},
                {"type": "pointerMove", "origin": origin(to), "x": 0, "y": 0, "duration": 300},
                {"type": "pointerUp", "button": 0}
            ]
        }]});
        self.call("POST", "/actions", Some(actions))?;
        self.call("DELETE", "/actions", None).map(drop)
    }

    /// The `data-testid` of the focused element, if any.
    pub fn focused_testid(&self) -> Result<Option<String>> {
        Ok(self
            .execute("return document.activeElement && document.activeElement.getAttribute('data-testid');")?
            .as_str()
            .map(str::to_owned))
    }

    /// Waits until the text of the first match of `css` satisfies `ok`, and returns that text.
    pub fn wait_text(&self, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> Result<String> {
        let mut last = String::new();
        self.wait(what, || {
            let Some(el) = self.find_all(css)?.into_iter().next() else {
                return Ok(None);
            };
            // The page may render the element anew between finding it and reading it (a
            // refusal replaced by the next one): found again on the next look, not a failure.
            last = match self.text(&el) {
                Err(e) if e.contains("stale element") => return Ok(None),
                read => read?,
            };
            Ok(ok(&last).then(|| last.clone()))
        })
        .map_err(|e| format!("{e}; last text of {css}: {last:?}"))
    }

    /// Polls `probe` until it yields a value or [`PATIENCE`] runs out.
    pub fn wait<T>(&self, what: &str, probe: impl FnMut() -> Result<Option<T>>) -> Result<T> {
        self.wait_up_to(what, PATIENCE, probe)
    }

    /// The same, for what takes longer than a page does (a deploy that Swarm rolls back).
    pub fn wait_up_to<T>(
        &self,
        what: &str,
        patience: Duration,
        mut probe: impl FnMut() -> Result<Option<T>>,
    ) -> Result<T> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(value) = probe()? {
                return Ok(value);
            }
            if Instant::now() > deadline {
                return Err(format!("gave up after {patience:?} waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        use base64::Engine as _;
        let value = self.call("GET", "/screenshot", None)?;
        base64::engine::general_purpose::STANDARD
            .decode(value.as_str().unwrap_or_default())
            .map_err(|e| format!("screenshot is not base64: {e}"))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.base).call();
    }
}

/// Sends one WebDriver command and unwraps its `value`, turning WebDriver errors into messages.
fn send(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Result<Value> {
    let response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        (_, Some(body)) => agent.post(url).send_json(body),
        (_, None) => agent.post(url).send_empty(),
    };
    let mut response = response.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status();
    let json: Value = response
        .body_mut()
        .read_json()
        .map_err(|e| format!("{method} {url}: answer is not JSON: {e}"))?;
    let value = json.get("value").cloned().unwrap_or(Value::Null);
    if status.is_success() {
        Ok(value)
    } else {
        Err(format!(
            "{method} {url}: {} {}",
            value["error"].as_str().unwrap_or("error"),
            value["message"].as_str().unwrap_or_default()
        ))
    }
}
