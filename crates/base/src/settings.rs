//! Where DevLoop keeps its settings and the learner's workspace, and which language the UI speaks.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::finding::Finding;
pub use crate::words::Locale;
use crate::{Code, Error, Result};

/// Why the UI speaks the language it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LocaleSource {
    /// Nobody chose yet: it follows the operating system's locale.
    System,
    /// The learner picked it; it sticks across restarts.
    Chosen,
}

/// What is stored in `settings.json`. Every field is optional so an old or hand-edited file
/// still loads; a missing field means "use the default".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Stored {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<PathBuf>,
    /// Continuous Deployment: a green push run deploys by itself. Off (the default) is
    /// Continuous Delivery: the run's release waits for a person's click.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuous_deployment: Option<bool>,
    /// Where the deployed service answers (a loopback address); 127.0.0.1:8080 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_address: Option<String>,
    /// Addresses Monitor probes every second, beside the service's own health address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<Vec<String>>,
    /// The lesson pack the app opened last, so `devloop lesson check LESSON` in a terminal
    /// checks the same lessons without being told where they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<PathBuf>,
    /// The content digests of lesson packs the learner trusted to run their commands (see
    /// `workshop::trust`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_packs: Vec<String>,
}

/// The settings in force, as the UI shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub locale: Locale,
    pub locale_source: LocaleSource,
    /// The learner's workspace folder (it may not exist yet).
    pub workspace: String,
    /// The settings file, so an instructor can find it.
    pub file: String,
    /// Continuous Deployment is on (green push runs deploy by themselves); off is Continuous
    /// Delivery (a person clicks Deploy).
    pub continuous_deployment: bool,
    /// Where the deployed service answers from its next start.
    pub proxy_address: String,
    /// `DEVLOOP_PROXY_ADDR` is set and decides the address (the setting is then not used).
    pub proxy_address_from_env: bool,
    /// Set when the settings file could not be read; defaults are in force and the broken
    /// file is kept until the next save moves it aside.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Error>,
}

/// The folders DevLoop uses, resolved once from the environment so tests can point them
/// at temporary folders (`DEVLOOP_CONFIG_DIR`, `DEVLOOP_WORKSPACE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Holds `settings.json`.
    pub config_dir: PathBuf,
    /// Wins over the stored workspace when set, for tests and classroom images.
    pub workspace_override: Option<PathBuf>,
    /// `~/DevLoop`, used when nothing else is set.
    pub default_workspace: PathBuf,
    /// Holds the progress database (`DEVLOOP_DATA_DIR`, else the OS data folder).
    pub data_dir: PathBuf,
}

impl Paths {
    /// Resolves the folders from `DEVLOOP_CONFIG_DIR`, `DEVLOOP_WORKSPACE` and the user's home.
    pub fn from_env() -> Paths {
        let home = dirs::home_dir().unwrap_or_else(std::env::temp_dir);
        let config_dir = std::env::var_os("DEVLOOP_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::config_dir().map(|d| d.join("devloop")))
            .unwrap_or_else(|| home.join(".config/devloop"));
        Paths {
            config_dir,
            // Empty counts as unset, so a wrapper script can clear it.
            workspace_override: std::env::var_os("DEVLOOP_WORKSPACE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            default_workspace: home.join("DevLoop"),
            data_dir: std::env::var_os("DEVLOOP_DATA_DIR")
                .map(PathBuf::from)
                .or_else(|| dirs::data_dir().map(|d| d.join("devloop")))
                .unwrap_or_else(|| home.join(".local/share/devloop")),
        }
    }

    /// Local secrets for workflow runs (`NAME=value` lines), kept outside every repository.
    pub fn secrets_file(&self) -> PathBuf {
        self.config_dir.join("secrets.env")
    }

    /// Where runs keep their workspaces, step files and summaries.
    pub fn runs_dir(&self) -> PathBuf {
        self.data_dir.join("runs")
    }

    /// Release archives: each release's image, saved as a `docker load`-able tar.
    pub fn releases_dir(&self) -> PathBuf {
        self.data_dir.join("releases")
    }

    /// Clean checkouts of commits being released, each removed when its release ends.
    pub fn builds_dir(&self) -> PathBuf {
        self.data_dir.join("builds")
    }

    /// Where `actions/cache` keeps entries between runs.
    pub fn cache_dir(&self) -> PathBuf {
        self.data_dir.join("cache")
    }

    /// The progress database.
    pub fn database_file(&self) -> PathBuf {
        self.data_dir.join("devloop.sqlite")
    }

    /// The settings file.
    pub fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.json")
    }

    /// Reads the stored settings; a missing file is the same as an empty one.
    pub fn load(&self) -> Result<Stored> {
        match self.read()? {
            Some(text) => self.parse(&text),
            None => Ok(Stored::default()),
        }
    }

    /// The settings file's text, or `None` when there is no file yet.
    fn read(&self) -> Result<Option<String>> {
        let file = self.settings_file();
        match std::fs::read_to_string(&file) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::file(Code::Settings, &file, &e)
                .with_fix(format!("ls -l {}", file.display()))),
        }
    }

    fn parse(&self, text: &str) -> Result<Stored> {
        let file = self.settings_file();
        serde_json::from_str(text).map_err(|e| {
            Error::said(
                Code::Settings,
                Finding::new("settingsBroken")
                    .with(
                        "at",
                        format!("{}:{}:{}", file.display(), e.line(), e.column()),
                    )
                    .with("cause", strip_position(&e.to_string())),
                format!(
                    "{}:{}:{}: {}. DevLoop uses its defaults until the file is fixed; \
                     the next change of a setting moves the broken file aside.",
                    file.display(),
                    e.line(),
                    e.column(),
                    strip_position(&e.to_string())
                ),
            )
            .with_fix(format!("$EDITOR {}", file.display()))
        })
    }

    /// The settings in force: stored values, else the OS locale and `~/DevLoop`.
    pub fn resolve(&self, system_locale: Option<&str>) -> Settings {
        let (stored, problem) = match self.load() {
            Ok(stored) => (stored, None),
            Err(e) => (Stored::default(), Some(e)),
        };
        let (locale, locale_source) = match stored.locale {
            Some(locale) => (locale, LocaleSource::Chosen),
            None => (
                Locale::from_tag(system_locale.unwrap_or("en")),
                LocaleSource::System,
            ),
        };
        Settings {
            locale,
            locale_source,
            workspace: self.workspace(&stored).display().to_string(),
            file: self.settings_file().display().to_string(),
            continuous_deployment: stored.continuous_deployment.unwrap_or(false),
            proxy_address: std::env::var(PROXY_ADDR_ENV)
                .ok()
                .or(stored.proxy_address)
                .unwrap_or_else(|| DEFAULT_PROXY_ADDR.into()),
            proxy_address_from_env: std::env::var_os(PROXY_ADDR_ENV).is_some(),
            problem,
        }
    }

    /// The workspace in force for these stored settings.
    /// The workspace in force now: the override, else the stored setting (settings that cannot
    /// be read count as none), else the default.
    pub fn current_workspace(&self) -> PathBuf {
        self.workspace(&self.load().unwrap_or_default())
    }

    pub fn workspace(&self, stored: &Stored) -> PathBuf {
        self.workspace_override
            .clone()
            .or_else(|| stored.workspace.clone())
            .unwrap_or_else(|| self.default_workspace.clone())
    }

    /// Switches between Continuous Delivery (`false`) and Continuous Deployment (`true`).
    /// Remembers the pack the app teaches from (only when it changed: no write each start).
    pub fn remember_pack(&self, dir: &Path) -> Result<()> {
        if self.load()?.pack.as_deref() == Some(dir) {
            return Ok(());
        }
        let dir = dir.to_path_buf();
        self.update(move |stored| stored.pack = Some(dir))
    }

    /// Keeps the content digest of a lesson pack the learner trusts (`workshop::trust`).
    pub fn trust_pack(&self, digest: &str) -> Result<()> {
        let digest = digest.to_owned();
        self.update(move |stored| {
            if !stored.trusted_packs.contains(&digest) {
                stored.trusted_packs.push(digest);
            }
        })
    }

    pub fn set_continuous_deployment(&self, on: bool) -> Result<()> {
        self.update(|stored| stored.continuous_deployment = Some(on))
    }

    /// Moves the service's stable address (from its next start). Only loopback addresses: the
    /// service is the learner's, not the network's.
    pub fn set_proxy_address(&self, text: &str) -> Result<()> {
        let addr = parse_proxy_address(text, "the address")?;
        self.update(|stored| stored.proxy_address = Some(addr.to_string()))
    }

    /// The addresses Monitor probes (at most 10 `http://` URLs), replacing those before.
    pub fn set_probes(&self, urls: &[String]) -> Result<Vec<String>> {
        if urls.len() > 10 {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("tooManyProbes").with("max", 10),
                "at most 10 probes",
            ));
        }
        let mut clean = Vec::new();
        for url in urls.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
            if crate::http::parse(url).is_none() || url.len() > 500 {
                return Err(Error::said(
                    Code::InvalidInput,
                    Finding::new("notAProbe").with("url", url),
                    format!("`{url}` is not an http:// address to probe, like http://127.0.0.1:8080/health"),
                ));
            }
            clean.push(url.to_owned());
        }
        let saved = clean.clone();
        self.update(move |stored| stored.probes = Some(clean))?;
        Ok(saved)
    }

    /// Where the service answers: `DEVLOOP_PROXY_ADDR`, else the setting, else 127.0.0.1:8080.
    pub fn proxy_address(&self) -> Result<std::net::SocketAddr> {
        match std::env::var(PROXY_ADDR_ENV) {
            Ok(text) => parse_proxy_address(&text, PROXY_ADDR_ENV),
            Err(_) => match self.load().ok().and_then(|s| s.proxy_address) {
                Some(text) => parse_proxy_address(&text, "proxyAddress in the settings"),
                None => parse_proxy_address(DEFAULT_PROXY_ADDR, "the default"),
            },
        }
    }

    /// Stores the learner's language choice.
    pub fn set_locale(&self, locale: Locale) -> Result<()> {
        self.update(|stored| stored.locale = Some(locale))
    }

    /// Moves the learner's workspace to `path` (used from the next lesson on; the old folder
    /// stays where it is). The folder must be usable, as the System check judges it.
    pub fn set_workspace(&self, path: &Path) -> Result<()> {
        if self.workspace_override.is_some() {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("workspaceFromEnvironment"),
                "DEVLOOP_WORKSPACE is set, and it decides the workspace; unset it to choose one here",
            )
            .with_fix("unset DEVLOOP_WORKSPACE"));
        }
        if !path.is_absolute() {
            return Err(Error::said(
                Code::InvalidInput,
                Finding::new("notAbsolute").with("path", path.display()),
                format!(
                    "`{}` is not an absolute path; give the full path, e.g. /home/you/DevLoop",
                    path.display()
                ),
            ));
        }
        crate::workspace::usable(path)?;
        let path = path.to_path_buf();
        self.update(move |stored| stored.workspace = Some(path))
    }

    /// Applies `change` to the stored settings and writes them atomically. A file that does not
    /// parse is renamed to `settings.json.broken` first, so a hand edit is never lost.
    fn update(&self, change: impl FnOnce(&mut Stored)) -> Result<()> {
        let file = self.settings_file();
        // A file that cannot be read at all is an error to report, not one to write over.
        let mut stored = match self.read()? {
            None => Stored::default(),
            Some(text) => self.parse(&text).or_else(|_| {
                let aside = file.with_extension("json.broken");
                std::fs::rename(&file, &aside).map_err(|e| io_error(&file, e))?;
                Ok::<_, Error>(Stored::default())
            })?,
        };
        change(&mut stored);
        std::fs::create_dir_all(&self.config_dir).map_err(|e| io_error(&self.config_dir, e))?;
        let json = serde_json::to_string_pretty(&stored)
            .map_err(|e| Error::internal(format!("settings do not serialise: {e}")))?;
        crate::atomic::write(&file, (json + "\n").as_bytes()).map_err(|e| io_error(&file, e))
    }
}

/// Where the service answers unless told otherwise.
pub const DEFAULT_PROXY_ADDR: &str = "127.0.0.1:8080";
/// Overrides the address for one process (tests, a second DevLoop).
pub const PROXY_ADDR_ENV: &str = "DEVLOOP_PROXY_ADDR";

fn parse_proxy_address(text: &str, source: &str) -> Result<std::net::SocketAddr> {
    let addr: std::net::SocketAddr = text.trim().parse().map_err(|_| {
        Error::said(
            Code::InvalidInput,
            Finding::new("notAnAddress").with("address", text),
            format!("{source} `{text}` is not an address like 127.0.0.1:8080"),
        )
    })?;
    if !addr.ip().is_loopback() {
        let loopback = format!("127.0.0.1:{}", addr.port());
        return Err(Error::said(
            Code::InvalidInput,
            Finding::new("notLoopback").with("address", text),
            format!(
                "{source} `{text}` is not a loopback address: the service answers this machine only"
            ),
        )
        .with_fix(if source == PROXY_ADDR_ENV {
            format!("export {PROXY_ADDR_ENV}={loopback}")
        } else {
            format!("devloop proxy {loopback}")
        }));
    }
    Ok(addr)
}

/// The OS locale, as `sys-locale` reads it (`LC_ALL`, `LC_MESSAGES`, `LANG` on Linux).
pub fn system_locale() -> Option<String> {
    sys_locale::get_locale()
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::file(Code::Settings, path, &e).with_fix(format!(
        "ls -ld {}",
        path.parent().unwrap_or(path).display()
    ))
}

/// serde_json appends " at line L column C"; the message already leads with file:line:col.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

/// DevLoop's folders under one temporary home, for the engine crates' unit tests (compiled
/// always: a crate's `cfg(test)` does not reach the crates that depend on it).
#[doc(hidden)]
pub fn test_paths(home: &Path) -> Paths {
    Paths {
        config_dir: home.join("config"),
        workspace_override: None,
        default_workspace: home.join("ws"),
        data_dir: home.join("data"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &Path) -> Paths {
        Paths {
            config_dir: dir.join("config"),
            workspace_override: None,
            default_workspace: dir.join("DevLoop"),
            data_dir: dir.join("data"),
        }
    }

    #[test]
    fn locale_tags_pick_korean_only_for_korean() {
        assert_eq!(Locale::from_tag("ko_KR.UTF-8"), Locale::Ko);
        assert_eq!(Locale::from_tag("ko-KR"), Locale::Ko);
        assert_eq!(Locale::from_tag("KO"), Locale::Ko);
        assert_eq!(Locale::from_tag("en_US.UTF-8"), Locale::En);
        assert_eq!(Locale::from_tag("C"), Locale::En);
        assert_eq!(Locale::from_tag("kok-IN"), Locale::En);
    }

    #[test]
    fn first_start_follows_the_os_locale() {
        let dir = tempfile::tempdir().unwrap();
        let settings = paths(dir.path()).resolve(Some("ko-KR"));
        assert_eq!(settings.locale, Locale::Ko);
        assert_eq!(settings.locale_source, LocaleSource::System);
        assert_eq!(
            settings.workspace,
            dir.path().join("DevLoop").display().to_string()
        );
    }

    #[test]
    fn a_chosen_locale_survives_a_restart_and_beats_the_os() {
        let dir = tempfile::tempdir().unwrap();
        paths(dir.path()).set_locale(Locale::En).unwrap();
        let settings = paths(dir.path()).resolve(Some("ko_KR.UTF-8"));
        assert_eq!(settings.locale, Locale::En);
        assert_eq!(settings.locale_source, LocaleSource::Chosen);
    }

    #[test]
    fn a_broken_settings_file_names_line_and_column_and_is_kept_aside_on_save() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::create_dir_all(&p.config_dir).unwrap();
        std::fs::write(p.settings_file(), "{\n  \"locale\": \"ko\",\n  oops\n}\n").unwrap();

        let settings = p.resolve(Some("en"));
        let problem = settings.problem.expect("broken file is reported");
        assert_eq!(problem.code, Code::Settings);
        assert!(
            problem.message.contains("settings.json:3:3"),
            "{}",
            problem.message
        );
        assert_eq!(settings.locale, Locale::En, "defaults stay in force");

        p.set_locale(Locale::Ko).unwrap();
        let kept = std::fs::read_to_string(p.config_dir.join("settings.json.broken")).unwrap();
        assert!(kept.contains("oops"), "the hand edit is not lost");
        assert_eq!(p.resolve(None).locale, Locale::Ko);
    }

    #[test]
    fn an_unreadable_settings_file_is_reported_and_never_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        // A folder where the file should be: reading fails with something other than NotFound.
        std::fs::create_dir_all(p.settings_file()).unwrap();
        let err = p.set_locale(Locale::Ko).unwrap_err();
        assert_eq!(err.code, Code::Settings);
        assert!(err.message.contains("Is a directory"), "{}", err.message);
        assert_eq!(err.detail.unwrap().code, "fileUnusable");
        assert!(p.settings_file().is_dir(), "left where it was");
        assert!(!p.config_dir.join("settings.json.broken").exists());
    }

    #[test]
    fn unknown_keys_are_reported_not_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::create_dir_all(&p.config_dir).unwrap();
        std::fs::write(p.settings_file(), r#"{"lang": "ko"}"#).unwrap();
        let err = p.load().unwrap_err();
        assert!(
            err.message.contains("unknown field `lang`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_chosen_workspace_is_stored_and_a_relative_or_unusable_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        let chosen = dir.path().join("elsewhere/DevLoop");
        std::fs::create_dir_all(chosen.parent().unwrap()).unwrap();
        p.set_workspace(&chosen).unwrap();
        assert_eq!(p.resolve(None).workspace, chosen.display().to_string());
        assert_eq!(
            p.set_workspace(Path::new("relative/DevLoop"))
                .unwrap_err()
                .code,
            Code::InvalidInput
        );
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(
            p.set_workspace(&file).unwrap_err().code,
            Code::WorkspaceUnusable
        );
        assert_eq!(
            p.resolve(None).workspace,
            chosen.display().to_string(),
            "a refused choice changes nothing"
        );
    }

    #[test]
    fn the_workspace_override_wins() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = paths(dir.path());
        p.workspace_override = Some(dir.path().join("class"));
        let stored = Stored {
            workspace: Some(dir.path().join("mine")),
            ..Stored::default()
        };
        assert_eq!(p.workspace(&stored), dir.path().join("class"));
    }
}
