//! Secret masking for streamed output: every occurrence of a secret becomes `***`, also when
//! it arrives split across two chunks, and lines stay bounded whatever a step prints.

/// Lines longer than this are cut into pieces, so one step printing gigabytes without a
/// newline cannot grow memory.
pub const MAX_LINE: usize = 16 * 1024;

/// Turns raw output chunks into masked lines.
#[derive(Debug)]
pub struct LineMasker {
    secrets: Vec<Vec<u8>>,
    /// Bytes received but not yet emitted: an unfinished line.
    pending: Vec<u8>,
}

impl LineMasker {
    /// Secrets shorter than 3 bytes are not masked: they would turn ordinary text into stars.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<Vec<u8>> = secrets
            .into_iter()
            .filter(|s| s.len() >= 3)
            .map(String::into_bytes)
            .collect();
        // Longest first, so a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        LineMasker {
            secrets,
            pending: Vec::new(),
        }
    }

    /// Feeds a chunk; returns the complete lines it finished, masked.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(chunk);
        let mut lines = Vec::new();
        while let Some(nl) = self.pending.iter().position(|b| *b == b'\n') {
            let mut line: Vec<u8> = self.pending.drain(..=nl).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            lines.push(self.mask(&line));
        }
        // A line with no end in sight: emit what is safe, keeping enough back that a secret
        // straddling the cut is still seen whole next time.
        let keep = self.secrets.first().map_or(0, |s| s.len() - 1);
        while self.pending.len() > MAX_LINE + keep {
            let mut cut = MAX_LINE;
            // Never cut inside a secret.
            for s in &self.secrets {
                if let Some(i) = find(&self.pending[..MAX_LINE + keep], s) {
                    if i < cut && i + s.len() > cut {
                        cut = i + s.len();
                    }
                }
            }
            let piece: Vec<u8> = self.pending.drain(..cut).collect();
            lines.push(self.mask(&piece));
        }
        lines
    }

    /// The last, unterminated line, if any.
    pub fn finish(&mut self) -> Option<String> {
        if self.pending.is_empty() {
            return None;
        }
        let rest = std::mem::take(&mut self.pending);
        Some(self.mask(&rest))
    }

    /// Masks whole text (an error message, a summary).
    pub fn mask_text(&self, text: &str) -> String {
        self.mask(text.as_bytes())
    }

    fn mask(&self, bytes: &[u8]) -> String {
        masked(&self.secrets, bytes)
    }
}

/// `bytes` with every occurrence of each of `secrets` (longest first) as `***`.
fn masked(secrets: &[Vec<u8>], bytes: &[u8]) -> String {
    let mut out = bytes.to_vec();
    {
        for s in secrets {
            let mut i = 0;
            let mut masked = Vec::with_capacity(out.len());
            while i < out.len() {
                if out[i..].starts_with(s) {
                    masked.extend_from_slice(b"***");
                    i += s.len();
                } else {
                    masked.push(out[i]);
                    i += 1;
                }
            }
            out = masked;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The values a run masks: its secrets, and what a step masks with `::add-mask::VALUE` (from
/// that line on, as on GitHub). Every event of the run passes through [`Masks::event`] before
/// anyone sees it or it is stored, so no name, title or message can carry a secret in clear.
#[derive(Debug, Default)]
pub struct Masks(parking_lot::RwLock<Vec<Vec<u8>>>);

/// The workflow command that adds a value to mask.
const ADD_MASK: &str = "::add-mask::";

impl Masks {
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Masks {
        let masks = Masks::default();
        for s in secrets {
            masks.add(&s);
        }
        masks
    }

    /// Masks `value` from now on (values under 3 bytes would turn ordinary text into stars).
    pub fn add(&self, value: &str) {
        if value.len() < 3 {
            return;
        }
        let mut all = self.0.write();
        if !all.iter().any(|s| s == value.as_bytes()) {
            all.push(value.as_bytes().to_vec());
            all.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// `text` masked.
    pub fn text(&self, text: &str) -> String {
        masked(&self.0.read(), text.as_bytes())
    }

    /// `event` with every text in it masked; a log line `::add-mask::VALUE` masks VALUE from
    /// then on and is shown with the value masked.
    pub fn event(&self, event: super::RunEvent) -> super::RunEvent {
        use super::RunEvent as E;
        match event {
            E::Log {
                job,
                step,
                text,
                stderr,
                at_ms,
            } => {
                if let Some(value) = text.trim_start().strip_prefix(ADD_MASK) {
                    self.add(value.trim());
                }
                E::Log {
                    job: self.text(&job),
                    step,
                    text: self.text(&text),
                    stderr,
                    at_ms,
                }
            }
            E::JobStarted { job } => E::JobStarted {
                job: self.text(&job),
            },
            // Kept with the run: an output holding a secret is kept masked, never in clear.
            E::JobSettled {
                job,
                result,
                outputs,
            } => E::JobSettled {
                job: self.text(&job),
                result,
                outputs: outputs
                    .into_iter()
                    .map(|(k, v)| (k, self.text(&v)))
                    .collect(),
            },
            E::StepStarted { job, step, name } => E::StepStarted {
                job: self.text(&job),
                step,
                name: self.text(&name),
            },
            E::StepFinished {
                job,
                step,
                outcome,
                conclusion,
                millis,
            } => E::StepFinished {
                job: self.text(&job),
                step,
                outcome,
                conclusion,
                millis,
            },
            E::JobFinished {
                job,
                result,
                millis,
            } => E::JobFinished {
                job: self.text(&job),
                result,
                millis,
            },
            E::Artifact {
                job,
                name,
                files,
                bytes,
            } => E::Artifact {
                job: self.text(&job),
                name: self.text(&name),
                files,
                bytes,
            },
            // Its problem names a file of DevLoop's, never a value of the run's.
            finished @ E::RunFinished { .. } => finished,
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_lines_and_across_chunks() {
        let mut m = LineMasker::new(["hunter2-token".to_owned()]);
        let mut lines = m.push(b"login with hunt");
        lines.extend(m.push(b"er2-tok"));
        lines.extend(m.push(b"en now\nnext line\n"));
        assert_eq!(lines, vec!["login with *** now", "next line"]);
    }

    #[test]
    fn a_secret_split_by_the_line_length_cut_is_still_masked() {
        let secret = "s3cr3t-value".to_owned();
        let mut m = LineMasker::new([secret.clone()]);
        let mut text = "x".repeat(MAX_LINE - 5).into_bytes();
        text.extend_from_slice(secret.as_bytes());
        text.extend_from_slice(&[b'y'; 100]);
        let mut lines = m.push(&text);
        lines.extend(m.finish());
        let joined = lines.concat();
        assert!(!joined.contains(&secret), "leaked");
        assert!(joined.contains("***"));
    }

    #[test]
    fn gigantic_output_without_newlines_stays_bounded() {
        let mut m = LineMasker::new(Vec::<String>::new());
        let chunk = vec![b'z'; 1024 * 1024];
        let mut count = 0;
        for _ in 0..64 {
            for line in m.push(&chunk) {
                assert!(line.len() <= MAX_LINE);
                count += 1;
            }
            assert!(m.pending.len() <= MAX_LINE, "memory stays bounded");
        }
        count += m.finish().into_iter().count();
        assert_eq!(count, 64 * 1024 * 1024 / MAX_LINE);
    }

    #[test]
    fn short_secrets_are_ignored_and_longest_wins() {
        let m = LineMasker::new(["ab".to_owned(), "token".to_owned(), "token-long".to_owned()]);
        assert_eq!(m.mask_text("ab token-long token"), "ab *** ***");
    }
}
