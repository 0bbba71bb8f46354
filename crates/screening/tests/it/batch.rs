//! The `meridian screen` contract through `batch::run`: JSONL and CSV in and out,
//! input order, ids, defaults, and errors that name the line.

use meridian_screening::batch::{self, BatchError, BatchFormat, BatchOptions};

use crate::fixture_index;

fn run(input: &str, options: BatchOptions) -> Result<(String, batch::BatchSummary), BatchError> {
    let mut out = Vec::new();
    let summary = batch::run(input.as_bytes(), &mut out, &fixture_index(), &options)?;
    Ok((String::from_utf8(out).unwrap(), summary))
}

#[test]
fn jsonl_results_come_back_in_input_order_with_ids() {
    let input = concat!(
        "{\"id\":\"q1\",\"name\":\"Zephyr Trading Company Limited\",\"kind\":\"organization\",\"extra\":true}\n",
        "\n",
        "{\"id\":7,\"name\":\"Nobody Inparticular\"}\n",
        "{\"name\":\"Андрей Петровский\",\"kind\":\"any\",\"country\":\"RU\",\"birth_year\":\"1961\"}\n",
    );
    let (out, summary) = run(input, BatchOptions::default()).unwrap();
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], "q1");
    assert_eq!(lines[0]["matches"][0]["source"], "us_ofac_sdn");
    assert_eq!(lines[0]["matches"][0]["entity_id"], "1001");
    assert_eq!(lines[0]["matches"][0]["name"], "ZEPHYR TRADING CO., LTD.");
    assert_eq!(lines[0]["matches"][0]["kind"], "organization");
    assert!(lines[0]["matches"][0]["explanation"]["alignments"].is_array());
    assert_eq!(lines[1]["id"], 7);
    assert_eq!(lines[1]["matches"], serde_json::json!([]));
    assert_eq!(lines[2]["id"], "3");
    assert_eq!(lines[2]["matches"][0]["entity_id"], "1002");
    let keys: Vec<&String> = lines[0]["matches"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 7, "{keys:?}");
    assert_eq!(summary.queries, 3);
    assert_eq!(summary.queries_with_matches, 2);
}

#[test]
fn bad_input_names_the_line() {
    let cases = [
        ("{\"name\":\"ok\"}\n{\"id\":\"q2\"}\n", 2, "name"),
        ("{\"name\":\"ok\"}\nnot json\n", 2, "JSON"),
        ("{\"name\":\"x\",\"kind\":\"robot\"}\n", 1, "kind"),
        (
            "{\"name\":\"x\",\"birth_year\":\"sixty\"}\n",
            1,
            "birth_year",
        ),
        ("{\"name\":\"x\",\"country\":\"Atlantis\"}\n", 1, "country"),
    ];
    for (input, line, field) in cases {
        let err = run(input, BatchOptions::default()).unwrap_err();
        match &err {
            BatchError::Input { line: l, message } => {
                assert_eq!(*l, line, "{input}");
                assert!(message.contains(field), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains(&format!("line {line}")));
    }
}

#[test]
fn csv_in_and_out() {
    let input = "id,name,kind,country\nr1,Zephyr Trading Co Ltd,organization,IR\nr2,Nobody Inparticular,,\n";
    let options = BatchOptions {
        input_format: BatchFormat::Csv,
        output_format: BatchFormat::Csv,
        ..BatchOptions::default()
    };
    let (out, _) = run(input, options).unwrap();
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][0], "r1");
    assert_eq!(&rows[0][1], "1");
    assert_eq!(&rows[0][2], "us_ofac_sdn");
    assert!(rows[0][8].contains("zephyr~zephyr"), "{}", &rows[0][8]);
    let last = rows.last().unwrap();
    assert_eq!((&last[0], &last[2]), ("r2", ""));
}

#[test]
fn csv_without_name_column_is_rejected() {
    let options = BatchOptions {
        input_format: BatchFormat::Csv,
        ..BatchOptions::default()
    };
    let err = run("id,title\n1,x\n", options).unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn threshold_option_filters() {
    let input = "{\"name\":\"Zephir Tradeing\"}\n";
    let strict = BatchOptions {
        threshold: 0.999,
        ..BatchOptions::default()
    };
    let (out, _) = run(input, strict).unwrap();
    assert!(out.contains("\"matches\":[]"), "{out}");
    let loose = BatchOptions {
        threshold: 0.5,
        ..BatchOptions::default()
    };
    let (out, _) = run(input, loose).unwrap();
    assert!(out.contains("ZEPHYR"), "{out}");
}
