//! How `list_all` follows a list that changes, or a server that misbehaves,
//! against a scripted server: records added or removed during the listing,
//! a null `remainingCount`, the same page again and again, endless empty
//! pages, `hasMore` and `nextCursor` that disagree, and cursor pages that
//! must not be sent twice. A healthy list yields every record once; a list
//! that cannot progress ends with an error within a bounded number of
//! requests; none ends early without one.

use conductor::RetryStop;
use conductor_tests::error_json;
use conductor_tests::lists::{decode_error_at, drain, invoice_page_with, names};
use conductor_tests::scripted::{Answer, ScriptedServer, Step};
use serde_json::{Value, json};

const STUCK: &str = "10 pages in a row brought no record not seen before while claiming more; the list does not \
                     progress, and following it could repeat pages forever";

fn page(ids: std::ops::Range<usize>, more: bool, remaining: Value) -> Step {
    invoice_page_with(ids, json!("cur_1"), json!(more), if more { remaining } else { json!(0) })
}

async fn run(script: Vec<Step>) -> (Vec<String>, conductor::Result<()>, usize) {
    let server = ScriptedServer::start(script).await;
    let (ids, end) = drain(server.client_builder()).await;
    (ids, end, server.seen().len())
}

#[tokio::test]
async fn records_added_during_a_listing_do_not_end_it() {
    // 30 invoices, limit 10; 10 are added after the first page, so
    // `remainingCount` stays at 20 for two pages.
    let script = vec![
        page(0..10, true, json!(20)),
        page(10..20, true, json!(20)),
        page(20..30, true, json!(20)),
        page(30..40, true, json!(10)),
        page(40..50, false, json!(0)),
    ];
    let (ids, end, requests) = run(script).await;
    end.unwrap();
    assert_eq!((ids, requests), (names(0..50), 5));
}

#[tokio::test]
async fn records_removed_during_a_listing_do_not_end_it() {
    // Records removed ahead of the reader: the count falls faster than the
    // pages, and a page comes back empty while the count still falls.
    let script = vec![
        page(0..10, true, json!(40)),
        page(10..15, true, json!(20)),
        invoice_page_with(0..0, json!("cur_1"), json!(true), json!(12)),
        page(15..25, true, json!(2)),
        page(25..27, false, json!(0)),
    ];
    let (ids, end, _) = run(script).await;
    end.unwrap();
    assert_eq!(ids, names(0..27));
}

#[tokio::test]
async fn a_null_or_absent_remaining_count_is_followed_by_the_records() {
    for remaining in [Value::Null, json!("absent")] {
        let script = vec![
            page(0..10, true, remaining.clone()),
            page(10..20, true, remaining.clone()),
            page(20..25, false, remaining.clone()),
        ];
        let (ids, end, requests) = run(script).await;
        end.unwrap();
        assert_eq!((ids, requests), (names(0..25), 3));
    }
}

#[tokio::test]
async fn the_same_page_forever_is_stopped_whatever_the_count_says() {
    for remaining in [json!(20), Value::Null, json!("absent")] {
        let script = (0..40).map(|_| page(0..10, true, remaining.clone())).collect();
        let (ids, end, requests) = run(script).await;
        assert_eq!(ids, names(0..10), "yielded once");
        assert_eq!(decode_error_at("data", end), STUCK);
        assert_eq!(requests, 11, "{remaining}");
    }
}

#[tokio::test]
async fn pages_that_overlap_yield_each_record_once() {
    // A server whose offsets shift: each page repeats the last two records
    // of the page before.
    let script = vec![page(0..10, true, json!(10)), page(8..18, true, json!(2)), page(16..20, false, json!(0))];
    let (ids, end, _) = run(script).await;
    end.unwrap();
    assert_eq!(ids, names(0..20));
}

#[tokio::test]
async fn endless_empty_pages_are_stopped() {
    // Claiming the same number, or none, they end the stream after ten.
    for remaining in [json!(20), Value::Null] {
        let mut script = vec![page(0..3, true, remaining.clone())];
        script.extend((0..40).map(|_| invoice_page_with(0..0, json!("cur_1"), json!(true), remaining.clone())));
        let (ids, end, requests) = run(script).await;
        assert_eq!(ids, names(0..3));
        assert_eq!(decode_error_at("data", end), STUCK);
        assert_eq!(requests, 11);
    }
    // With a count that falls on each, as when records are being removed,
    // they may go on longer, but not forever.
    let mut script = vec![page(0..3, true, json!(1_000_000))];
    script.extend((1..200).map(|i| invoice_page_with(0..0, json!("cur_1"), json!(true), json!(1_000_000 - i))));
    let (ids, end, requests) = run(script).await;
    assert_eq!(ids, names(0..3));
    assert!(decode_error_at("data", end).starts_with("100 pages in a row brought no record"));
    assert_eq!(requests, 101);
}

#[tokio::test]
async fn ten_empty_pages_with_a_falling_count_then_the_rest_end_well() {
    let mut script = vec![page(0..3, true, json!(30))];
    script.extend((0..10).map(|i| invoice_page_with(0..0, json!("cur_1"), json!(true), json!(29 - i))));
    script.push(page(3..6, false, json!(0)));
    let (ids, end, requests) = run(script).await;
    end.unwrap();
    assert_eq!((ids, requests), (names(0..6), 12));
}

#[tokio::test]
async fn has_more_that_is_not_true_with_a_cursor_is_an_error_not_an_end() {
    for has_more in [json!(false), Value::Null, json!("absent")] {
        let script =
            vec![invoice_page_with(0..10, json!("cur_1"), has_more.clone(), json!(20)), page(10..30, false, json!(0))];
        let (ids, end, requests) = run(script).await;
        // The page that contradicts itself is not yielded either: the error
        // is where it would have been.
        assert_eq!((ids.len(), requests), (0, 1), "{has_more}");
        assert_eq!(
            decode_error_at("hasMore", end),
            "`hasMore` is not true but `nextCursor` is set and `remainingCount` is not 0: the page does not say \
             whether the list goes on, and ending here could cut it"
        );
    }
    // The list's one cursor on its last page, with nothing remaining, is the
    // end.
    let script = vec![page(0..10, true, json!(5)), invoice_page_with(10..15, json!("cur_1"), json!(false), json!(0))];
    let (ids, end, _) = run(script).await;
    end.unwrap();
    assert_eq!(ids, names(0..15));
}

#[tokio::test]
async fn a_cursor_page_is_never_sent_twice() {
    let unavailable = error_json(503, "INTERNAL_ERROR", "INTERNAL_ERROR", "Try again.");
    let retry_anyway = Step::Answer(Answer::json(503, &unavailable).header("x-should-retry", "true"));
    for retry_non_idempotent in [false, true] {
        let script = vec![page(0..10, true, json!(10)), retry_anyway.clone(), page(10..20, false, json!(0))];
        let server = ScriptedServer::start(script).await;
        let builder = server.client_builder().retry_non_idempotent(retry_non_idempotent);
        let (ids, end) = drain(builder).await;
        assert_eq!(ids, names(0..10));
        let error = end.unwrap_err();
        assert_eq!(error.attempts().unwrap().stop, Some(RetryStop::CursorPage), "{error}");
        assert_eq!(server.seen().len(), 2, "the page after the failed one was never asked for");
    }
}
