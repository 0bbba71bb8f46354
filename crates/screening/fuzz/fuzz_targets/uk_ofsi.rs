//! OFSI consolidated list CSV (legacy layout).
#![no_main]

use libfuzzer_sys::fuzz_target;
use meridian_screening::formats::uk_csv;

fuzz_target!(|data: &[u8]| {
    let _ = uk_csv::parse("ConList.csv", uk_csv::Layout::Ofsi, data);
});
