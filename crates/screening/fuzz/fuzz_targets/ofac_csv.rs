//! OFAC four-file CSV: the input is split on 0xFF into primary, alt, add and comments.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meridian_screening::formats::ofac::{OfacFile, OfacFiles, parse};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0xFF);
    let primary = parts.next().unwrap_or_default();
    let alt = parts.next().map(|bytes| OfacFile {
        name: "alt.csv",
        bytes,
    });
    let add = parts.next().map(|bytes| OfacFile {
        name: "add.csv",
        bytes,
    });
    let comments = parts.next().map(|bytes| OfacFile {
        name: "sdn_comments.csv",
        bytes,
    });
    let _ = parse(
        "us_ofac_sdn",
        OfacFiles {
            primary: OfacFile {
                name: "sdn.csv",
                bytes: primary,
            },
            alt,
            add,
            comments,
        },
    );
});
