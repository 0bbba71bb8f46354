//! FCDO UK Sanctions List CSV (detection and parsing).
#![no_main]

use libfuzzer_sys::fuzz_target;
use meridian_screening::formats::uk_csv;

fuzz_target!(|data: &[u8]| {
    let _ = uk_csv::detect(data);
    let _ = uk_csv::parse("UK_Sanctions_List.csv", uk_csv::Layout::SanctionsList, data);
});
