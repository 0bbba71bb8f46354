//! US Consolidated Screening List CSV.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = meridian_screening::formats::us_csl::parse("consolidated.csv", data);
});
