//! The transformation every lane applies: deterministic, so results can be checked.

use eventlab_schema::{LabEvent, Transformation};

pub fn transform(event: &LabEvent) -> Transformation {
    let words: Vec<&str> = event.random_fact.split_whitespace().collect();
    let id_band = match event.id {
        0..=333 => "low",
        334..=666 => "mid",
        _ => "high",
    };
    Transformation {
        fact_word_count: words.len(),
        fact_normalised: words.join(" ").to_lowercase(),
        id_band: id_band.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: u16, fact: &str) -> LabEvent {
        let mut event = LabEvent::from_json(include_bytes!("../../schema/tests/fixtures/event.json")).unwrap();
        event.id = id;
        event.random_fact = fact.to_owned();
        event
    }

    #[test]
    fn counts_words_and_folds_white_space() {
        let out = transform(&event(417, "  Honey   never\tspoils\n"));
        assert_eq!(out.fact_word_count, 3);
        assert_eq!(out.fact_normalised, "honey never spoils");
        assert_eq!(out.id_band, "mid");
    }

    #[test]
    fn bands_split_the_id_range_in_three() {
        assert_eq!(transform(&event(1, "a")).id_band, "low");
        assert_eq!(transform(&event(333, "a")).id_band, "low");
        assert_eq!(transform(&event(334, "a")).id_band, "mid");
        assert_eq!(transform(&event(667, "a")).id_band, "high");
        assert_eq!(transform(&event(1000, "a")).id_band, "high");
    }

    #[test]
    fn an_empty_fact_has_no_words() {
        let out = transform(&event(5, "   "));
        assert_eq!(out.fact_word_count, 0);
        assert_eq!(out.fact_normalised, "");
    }
}
