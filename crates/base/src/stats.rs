//! The one percentile DevLoop reports, so a load run's p99, Monitor's p99 and the DORA medians are computed alike.

/// The `q` quantile (0..=1) of `sorted` (ascending) by the nearest-rank method: the smallest
/// value with at least `q` of the values at or below it. `None` when there are none.
pub fn nearest_rank<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::nearest_rank;

    #[test]
    fn nearest_rank_picks_a_value_that_was_measured() {
        let hundred: Vec<u64> = (1..=100).collect();
        assert_eq!(nearest_rank(&hundred, 0.99), Some(99));
        assert_eq!(nearest_rank(&hundred, 0.5), Some(50));
        assert_eq!(nearest_rank(&hundred, 1.0), Some(100));
        assert_eq!(nearest_rank(&hundred, 0.0), Some(1));
        assert_eq!(nearest_rank(&[7.5], 0.99), Some(7.5));
        assert_eq!(nearest_rank::<u64>(&[], 0.5), None);
    }
}
