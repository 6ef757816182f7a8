//! The prompt validator on arbitrary text: as an edit command, and (when the text is JSON) as a
//! FLUX.2 and a Kling request. It answers every input without panicking, and the same input
//! always gets the same verdict (it decides on the text alone).

#![no_main]

use libfuzzer_sys::fuzz_target;
use miri_core::prompt::{edit, flux, kling};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    assert_eq!(edit::validate(text), edit::validate(text));
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let verdict = flux::validate_json(&value);
        assert_eq!(verdict, flux::validate_json(&value));
        if !value.is_object() {
            assert!(!verdict.is_empty(), "a FLUX request must be a JSON object: {text}");
        }
        let _ = kling::validate_json(&value);
    }
});
