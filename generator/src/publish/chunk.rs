//! Splitting a batch into requests that respect a service's count and byte limits.

use std::ops::Range;

/// An item larger than one request may carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {index} is {size} bytes; a request to this service carries at most {max_bytes}")]
pub struct Oversized {
    pub index: usize,
    pub size: usize,
    pub max_bytes: usize,
}

/// Consecutive index ranges of at most `max_count` items and `max_bytes` bytes each.
pub fn chunk_ranges(
    sizes: &[usize],
    max_count: usize,
    max_bytes: usize,
) -> Result<Vec<Range<usize>>, Oversized> {
    assert!(max_count > 0, "a request must carry at least one item");
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (index, &size) in sizes.iter().enumerate() {
        if size > max_bytes {
            return Err(Oversized {
                index,
                size,
                max_bytes,
            });
        }
        if index - start == max_count || bytes + size > max_bytes {
            ranges.push(start..index);
            (start, bytes) = (index, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        ranges.push(start..sizes.len());
    }
    Ok(ranges)
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // one-range answers are the point of these cases
mod tests {
    use super::*;

    #[test]
    fn splits_by_count() {
        assert_eq!(
            chunk_ranges(&[], 10, 100).unwrap(),
            Vec::<Range<usize>>::new()
        );
        assert_eq!(chunk_ranges(&[1], 10, 100).unwrap(), [0..1]);
        assert_eq!(chunk_ranges(&[1; 10], 10, 100).unwrap(), [0..10]);
        assert_eq!(chunk_ranges(&[1; 11], 10, 100).unwrap(), [0..10, 10..11]);
        assert_eq!(
            chunk_ranges(&[1; 25], 10, 100).unwrap(),
            [0..10, 10..20, 20..25]
        );
    }

    #[test]
    fn splits_by_bytes() {
        assert_eq!(chunk_ranges(&[40, 40, 40], 10, 100).unwrap(), [0..2, 2..3]);
        assert_eq!(chunk_ranges(&[100, 1], 10, 100).unwrap(), [0..1, 1..2]);
        assert_eq!(
            chunk_ranges(&[50, 50], 10, 100).unwrap(),
            [0..2],
            "exactly the limit fits"
        );
    }

    #[test]
    fn rejects_an_item_that_can_never_fit() {
        assert_eq!(
            chunk_ranges(&[1, 101], 10, 100),
            Err(Oversized {
                index: 1,
                size: 101,
                max_bytes: 100
            })
        );
    }
}
