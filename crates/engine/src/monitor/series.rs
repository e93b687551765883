//! One metric over time, as Monitor keeps it: the last hour at one-second resolution in a
//! ring, and older data as one-minute points (min, max, average) for 24 hours. A second with
//! no sample is a gap, never a zero: a container that was down shows as a hole in its line.

use std::collections::VecDeque;

pub use crate::record::alert::Minute;

/// Seconds kept at full resolution.
pub const SECONDS: usize = 3600;
/// Minutes kept as summaries.
pub const MINUTES: usize = 24 * 60;

/// A point to draw: `None` is a gap.
pub type Point = (i64, Option<f64>);

#[derive(Debug, Clone)]
pub struct Series {
    /// `secs[t % SECONDS]` is second `t`'s value, NaN for a gap; valid for
    /// `newest - SECONDS < t <= newest`.
    secs: Box<[f64]>,
    newest: Option<i64>,
    minutes: VecDeque<Minute>,
    /// The minute being summed: (minute start, min, max, sum, count).
    open: Option<(i64, f64, f64, f64, u32)>,
}

impl Default for Series {
    fn default() -> Self {
        Series {
            secs: vec![f64::NAN; SECONDS].into_boxed_slice(),
            newest: None,
            minutes: VecDeque::new(),
            open: None,
        }
    }
}

fn slot(t: i64) -> usize {
    t.rem_euclid(SECONDS as i64) as usize
}

impl Series {
    /// Records `value` for second `t`. Returns the minute this closed, if any, so the caller
    /// can persist it. A value that is not a number is ignored.
    pub fn push(&mut self, t: i64, value: f64) -> Option<Minute> {
        if !value.is_finite() {
            return None;
        }
        match self.newest {
            // The clock went back by more than the hour kept: start the hour over from the new
            // time rather than wait an hour for it to catch up. Minutes already closed stay.
            Some(newest) if t <= newest - SECONDS as i64 => {
                self.secs.fill(f64::NAN);
                self.newest = Some(t);
                self.open = None;
            }
            Some(newest) if t > newest => {
                // The seconds skipped are gaps.
                let skipped = (t - newest - 1).min(SECONDS as i64);
                for s in 1..=skipped {
                    self.secs[slot(newest + s)] = f64::NAN;
                }
                self.newest = Some(t);
            }
            Some(_) => {}
            None => self.newest = Some(t),
        }
        self.secs[slot(t)] = value;
        let minute = t - t.rem_euclid(60);
        let closed = match &mut self.open {
            Some((m, min, max, sum, n)) if *m == minute => {
                *min = min.min(value);
                *max = max.max(value);
                *sum += value;
                *n += 1;
                None
            }
            // A late sample of an earlier minute stays in the seconds only.
            Some((m, ..)) if *m > minute => None,
            open => {
                let closed = open.take().map(|(m, min, max, sum, n)| Minute {
                    at: m,
                    min,
                    max,
                    avg: sum / f64::from(n),
                });
                *open = Some((minute, value, value, value, 1));
                closed
            }
        };
        if let Some(m) = closed {
            self.keep_minute(m);
        }
        closed
    }

    /// Adds a summarised minute (one closed here, or read back from the database at start).
    pub fn keep_minute(&mut self, m: Minute) {
        let at = self.minutes.partition_point(|x| x.at < m.at);
        match self.minutes.get(at) {
            Some(x) if x.at == m.at => self.minutes[at] = m,
            _ => self.minutes.insert(at, m),
        }
        let newest = self.minutes.back().map_or(m.at, |x| x.at);
        while self
            .minutes
            .front()
            .is_some_and(|x| x.at <= newest - MINUTES as i64 * 60)
        {
            self.minutes.pop_front();
        }
    }

    /// The minute being summed, so far.
    pub fn open_minute(&self) -> Option<Minute> {
        self.open.map(|(m, min, max, sum, n)| Minute {
            at: m,
            min,
            max,
            avg: sum / f64::from(n),
        })
    }

    /// The newest second with a sample, and its value.
    pub fn latest(&self) -> Option<(i64, f64)> {
        let newest = self.newest?;
        let v = self.secs[slot(newest)];
        (!v.is_nan()).then_some((newest, v))
    }

    /// The value at second `t`, if one was recorded and is still kept at full resolution.
    pub fn at(&self, t: i64) -> Option<f64> {
        let newest = self.newest?;
        if t > newest || t <= newest - SECONDS as i64 {
            return None;
        }
        let v = self.secs[slot(t)];
        (!v.is_nan()).then_some(v)
    }

    /// Every second from `from` to `to` (inclusive), gaps included.
    pub fn seconds(&self, from: i64, to: i64) -> Vec<Point> {
        (from..=to).map(|t| (t, self.at(t))).collect()
    }

    /// The minutes from `from` to `to`: kept summaries, and the open minute so far. A minute
    /// with no summary is a gap.
    pub fn minutes(&self, from: i64, to: i64) -> Vec<(i64, Option<Minute>)> {
        let first = from - from.rem_euclid(60);
        let open = self.open_minute();
        (first..=to)
            .step_by(60)
            .map(|m| {
                let kept = self
                    .minutes
                    .binary_search_by_key(&m, |x| x.at)
                    .ok()
                    .map(|i| self.minutes[i]);
                (m, kept.or(open.filter(|o| o.at == m)))
            })
            .collect()
    }

    /// Bytes this series holds, for the memory benchmark.
    pub fn footprint(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.secs.len() * std::mem::size_of::<f64>()
            + self.minutes.capacity() * std::mem::size_of::<Minute>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_with_no_sample_are_gaps_not_zeros() {
        let mut s = Series::default();
        s.push(1000, 1.0);
        s.push(1003, 4.0);
        assert_eq!(
            s.seconds(999, 1004),
            vec![
                (999, None),
                (1000, Some(1.0)),
                (1001, None),
                (1002, None),
                (1003, Some(4.0)),
                (1004, None)
            ]
        );
        assert_eq!(s.latest(), Some((1003, 4.0)));
    }

    #[test]
    fn the_hour_rolls_and_what_is_older_is_gone_from_the_seconds() {
        let mut s = Series::default();
        for t in 0..(SECONDS as i64 + 10) {
            s.push(t, t as f64);
        }
        assert_eq!(s.at(9), None, "older than an hour");
        assert_eq!(s.at(10), Some(10.0));
        // A jump of more than an hour forward leaves nothing stale behind.
        s.push(100_000, 7.0);
        assert_eq!(
            s.seconds(99_990, 99_999)
                .iter()
                .filter(|p| p.1.is_some())
                .count(),
            0
        );
        assert_eq!(s.latest(), Some((100_000, 7.0)));
    }

    #[test]
    fn a_clock_that_goes_back_is_followed_not_waited_for() {
        let mut s = Series::default();
        for t in 10_000..10_010 {
            s.push(t, 1.0);
        }
        // Back 5 seconds: those seconds are written again; nothing panics.
        s.push(10_005, 2.0);
        assert_eq!(s.at(10_005), Some(2.0));
        // Back two hours: the hour starts over at the new time, and new samples count at once.
        s.push(2_800, 3.0);
        s.push(2_801, 4.0);
        assert_eq!(s.latest(), Some((2_801, 4.0)));
        assert_eq!(
            s.seconds(2_799, 2_801),
            vec![(2_799, None), (2_800, Some(3.0)), (2_801, Some(4.0))]
        );
    }

    #[test]
    fn minutes_close_with_min_max_and_average_and_a_missing_minute_is_a_gap() {
        let mut s = Series::default();
        let mut closed = Vec::new();
        for (t, v) in [(60, 1.0), (70, 3.0), (119, 2.0), (180, 10.0), (240, 0.0)] {
            closed.extend(s.push(t, v));
        }
        assert_eq!(
            closed,
            vec![
                Minute {
                    at: 60,
                    min: 1.0,
                    max: 3.0,
                    avg: 2.0
                },
                Minute {
                    at: 180,
                    min: 10.0,
                    max: 10.0,
                    avg: 10.0
                }
            ]
        );
        let m = s.minutes(60, 240);
        assert_eq!(m.len(), 4);
        assert!(m[1].1.is_none(), "nothing was recorded in minute 120");
        assert_eq!(m[3].1.map(|x| x.avg), Some(0.0), "the open minute so far");
    }

    #[test]
    fn a_day_of_minutes_is_kept_and_no_more() {
        let mut s = Series::default();
        for m in 0..(MINUTES as i64 + 5) {
            s.keep_minute(Minute {
                at: m * 60,
                min: 0.0,
                max: 0.0,
                avg: 0.0,
            });
        }
        assert_eq!(s.minutes.len(), MINUTES);
        assert_eq!(s.minutes.front().map(|m| m.at), Some(5 * 60));
    }

    #[test]
    fn not_a_number_is_not_recorded() {
        let mut s = Series::default();
        s.push(1, f64::NAN);
        s.push(2, f64::INFINITY);
        assert_eq!(s.latest(), None);
    }
}
