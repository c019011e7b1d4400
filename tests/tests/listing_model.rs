//! Property tests of `list_all` against a model of a listing: a server that
//! lists from the result of the query made when the listing starts, as
//! QuickBooks' iterators do, with random page sizes, records inserted and
//! deleted between pages, pages that repeat records, counts that are exact,
//! stale, null or absent, and random failures. Each stream either yields
//! every record present from start to end exactly once, or ends with an
//! error; a listing in which every page brings something new always ends
//! well. The model is an in-process `Transport`: no network is needed to
//! serve it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use conductor::reqwest::StatusCode;
use conductor::reqwest::header::HeaderMap;
use conductor::{CursorPage, Request, Response, Result, Transport, api};
use futures_util::TryStreamExt;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
struct Thing {
    id: String,
}

#[derive(Default, Serialize)]
struct Pages {
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
}

trait Things: Transport {
    #[api(get = "/things", pages_of = Thing)]
    async fn things(&self, #[query] params: &Pages) -> Result<CursorPage<Thing>>;
}

#[derive(Clone, Copy, Debug)]
enum Count {
    Exact,
    /// Counts the records added since the listing began, as a server that
    /// counts the live table would: it does not fall while records arrive.
    Stale,
    Null,
    Absent,
}

/// What the server does for one page.
#[derive(Clone, Debug)]
struct PageStep {
    size: usize,
    /// Records of earlier pages served again at the start of this one.
    overlap: usize,
    inserts: usize,
    /// Positions (modulo the live records) deleted before this page.
    deletes: Vec<usize>,
    count: Count,
    fail: bool,
}

fn page_step(failures: bool) -> impl Strategy<Value = PageStep> {
    let count = prop_oneof![Just(Count::Exact), Just(Count::Stale), Just(Count::Null), Just(Count::Absent)];
    let fail = if failures { prop::bool::weighted(0.05).boxed() } else { Just(false).boxed() };
    (0usize..12, 0usize..3, 0usize..4, prop::collection::vec(any::<usize>(), 0..3), count, fail).prop_map(
        |(size, overlap, inserts, deletes, count, fail)| PageStep { size, overlap, inserts, deletes, count, fail },
    )
}

#[derive(Default)]
struct State {
    live: Vec<String>,
    snapshot: Vec<String>,
    /// The next position of the snapshot not yet served.
    position: usize,
    plan: Vec<PageStep>,
    pages: usize,
    inserted: usize,
    requests: usize,
    /// Whether a failure was served.
    failed: bool,
    /// The records present at the start that were deleted.
    deleted: HashSet<String>,
}

#[derive(Clone, Default)]
struct Model(Arc<Mutex<State>>);

impl Things for Model {}

impl Transport for Model {
    async fn send(&self, request: Request) -> Result<Response<conductor::Bytes>> {
        let mut state = self.0.lock().unwrap();
        state.requests += 1;
        assert!(state.requests <= 500, "the stream did not stop: {} requests", state.requests);
        let cursor = request.query().iter().any(|(name, _)| name == "cursor");
        let step = state.plan[state.pages % state.plan.len()].clone();
        state.pages += 1;
        if !cursor {
            state.snapshot = state.live.clone();
            state.position = 0;
        } else {
            for _ in 0..step.inserts {
                state.inserted += 1;
                let id = format!("new-{}", state.inserted);
                state.live.push(id);
            }
            for index in &step.deletes {
                if !state.live.is_empty() {
                    let index = index % state.live.len();
                    let gone = state.live.remove(index);
                    state.deleted.insert(gone);
                }
            }
        }
        if step.fail {
            state.failed = true;
            let body = json!({"error": {"message": "Try again.", "type": "INTERNAL_ERROR", "code": "INTERNAL_ERROR",
                                        "httpStatusCode": 503}});
            return Ok(Response::new(StatusCode::SERVICE_UNAVAILABLE, HeaderMap::new(), body.to_string().into()));
        }
        let live: HashSet<String> = state.live.iter().cloned().collect();
        let mut data = Vec::new();
        let start = if cursor { state.position.saturating_sub(step.overlap) } else { 0 };
        let mut index = start;
        while index < state.snapshot.len() && data.len() < step.size {
            let id = &state.snapshot[index];
            if live.contains(id) {
                data.push(json!({"id": id}));
            }
            index += 1;
            state.position = state.position.max(index);
        }
        let remaining = state.snapshot[state.position..].iter().filter(|id| live.contains(*id)).count();
        let more = remaining > 0;
        let mut page = json!({"objectType": "list", "url": "/v1/things", "data": data,
                              "nextCursor": if more { json!("cur_1") } else { Value::Null }, "hasMore": more});
        match step.count {
            Count::Exact => page["remainingCount"] = json!(remaining),
            Count::Stale => page["remainingCount"] = json!(remaining + state.inserted),
            Count::Null => page["remainingCount"] = Value::Null,
            Count::Absent => {}
        }
        Ok(Response::new(StatusCode::OK, HeaderMap::new(), page.to_string().into()))
    }
}

/// Runs one listing of `initial` records under `plan`: what the stream
/// yielded, how it ended, and the model after it.
fn list(initial: usize, plan: Vec<PageStep>) -> (Vec<String>, Result<()>, Model) {
    let model = Model::default();
    {
        let mut state = model.0.lock().unwrap();
        state.live = (0..initial).map(|i| format!("r{i}")).collect();
        state.plan = plan;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (ids, end) = runtime.block_on(async {
        let mut stream = model.things_all(Pages::default());
        let mut ids = Vec::new();
        loop {
            match stream.try_next().await {
                Ok(Some(thing)) => ids.push(thing.id),
                Ok(None) => return (ids, Ok(())),
                Err(error) => return (ids, Err(error)),
            }
        }
    });
    (ids, end, model)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn a_stream_yields_every_record_present_throughout_exactly_once_or_fails(
        initial in 0usize..80,
        plan in prop::collection::vec(page_step(true), 1..12),
    ) {
        let (ids, end, model) = list(initial, plan);
        let state = model.0.lock().unwrap();
        let unique: HashSet<&String> = ids.iter().collect();
        prop_assert_eq!(unique.len(), ids.len(), "a record was yielded twice: {:?}", ids);
        if end.is_ok() {
            for id in state.snapshot.iter().filter(|id| !state.deleted.contains(*id)) {
                prop_assert!(unique.contains(id), "{} is missing from a stream that ended well: {:?}", id, ids);
            }
        }
    }

    #[test]
    fn a_listing_where_every_page_brings_something_new_ends_well(
        initial in 0usize..80,
        plan in prop::collection::vec(page_step(false), 1..12),
    ) {
        // Every page serves more records than it repeats, so while records
        // remain, each page brings one not seen before.
        let plan: Vec<PageStep> =
            plan.into_iter().map(|step| PageStep { size: step.size.max(step.overlap + 1), ..step }).collect();
        let (ids, end, model) = list(initial, plan);
        let state = model.0.lock().unwrap();
        prop_assert!(end.is_ok(), "{:?}", end);
        prop_assert!(!state.failed);
        let unique: HashSet<&String> = ids.iter().collect();
        prop_assert_eq!(unique.len(), ids.len());
        for id in state.snapshot.iter().filter(|id| !state.deleted.contains(*id)) {
            prop_assert!(unique.contains(id), "{} is missing: {:?}", id, ids);
        }
    }
}
