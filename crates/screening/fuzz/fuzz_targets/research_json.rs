//! Research-security list JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = meridian_screening::formats::research_json::parse("list.json", data);
});
