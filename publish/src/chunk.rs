//! Splitting a batch into requests that respect a service's count and byte limits.

use std::ops::Range;

/// An item larger than the service accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {index} is {size} bytes as the service counts them; it accepts at most {max_bytes}")]
pub struct Oversized {
    pub index: usize,
    pub size: usize,
    pub max_bytes: usize,
}

/// Consecutive index ranges of at most `max_count` items and `max_request_bytes` bytes
/// each; an item over `max_entry_bytes` (or the request limit) can never be sent.
pub fn chunk_ranges(
    sizes: &[usize],
    max_count: usize,
    max_request_bytes: usize,
    max_entry_bytes: usize,
) -> Result<Vec<Range<usize>>, Oversized> {
    assert!(max_count > 0, "a request must carry at least one item");
    let max_bytes = max_entry_bytes.min(max_request_bytes);
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (index, &size) in sizes.iter().enumerate() {
        if size > max_bytes {
            return Err(Oversized { index, size, max_bytes });
        }
        if index - start == max_count || bytes + size > max_request_bytes {
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
        let chunk = |n: usize| chunk_ranges(&vec![1; n], 10, 100, 100).unwrap();
        assert_eq!(chunk(0), Vec::<Range<usize>>::new());
        assert_eq!(chunk(1), [0..1]);
        assert_eq!(chunk(10), [0..10]);
        assert_eq!(chunk(11), [0..10, 10..11]);
        assert_eq!(chunk(25), [0..10, 10..20, 20..25]);
    }

    #[test]
    fn splits_by_request_bytes() {
        assert_eq!(chunk_ranges(&[40, 40, 40], 10, 100, 100).unwrap(), [0..2, 2..3]);
        assert_eq!(chunk_ranges(&[100, 1], 10, 100, 100).unwrap(), [0..1, 1..2]);
        assert_eq!(
            chunk_ranges(&[50, 50], 10, 100, 100).unwrap(),
            [0..2],
            "exactly the limit fits"
        );
    }

    #[test]
    fn rejects_an_item_over_either_limit() {
        assert_eq!(
            chunk_ranges(&[1, 101], 10, 100, 1000),
            Err(Oversized {
                index: 1,
                size: 101,
                max_bytes: 100
            })
        );
        assert_eq!(
            chunk_ranges(&[30, 31], 10, 100, 30),
            Err(Oversized {
                index: 1,
                size: 31,
                max_bytes: 30
            })
        );
    }
}
