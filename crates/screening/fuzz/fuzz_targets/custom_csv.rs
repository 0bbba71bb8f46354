//! Custom watchlist CSV.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = meridian_screening::formats::custom_csv::parse("watchlist.csv", "custom_watchlist", data);
});
