//! `ClientBuilder::max_concurrent_per_end_user`: at most `n` requests in
//! flight per `Conductor-End-User-Id`, the others waiting their turn in the
//! order they came.
//!
//! QuickBooks Desktop answers one request at a time per company file, so
//! requests beyond that only queue inside Conductor, where their time counts
//! toward its timeout; here they wait before they are sent, and an
//! attempt's timeout starts when its turn comes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use reqwest::header::HeaderValue;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The queues of one client, one per end-user with requests in flight or
/// waiting; a queue no request holds is removed.
#[derive(Debug)]
pub(crate) struct Turns {
    limit: usize,
    queues: Mutex<HashMap<HeaderValue, Arc<Semaphore>>>,
}

/// One request's turn: the end-user's next request may go once it is
/// dropped.
pub(crate) struct Turn<'a> {
    turns: &'a Turns,
    end_user: HeaderValue,
    permit: Option<OwnedSemaphorePermit>,
}

impl Turns {
    pub(crate) fn new(limit: usize) -> Turns {
        Turns { limit, queues: Mutex::default() }
    }

    /// Waits for `end_user`'s turn.
    pub(crate) async fn take(&self, end_user: &HeaderValue) -> Turn<'_> {
        let queue = {
            let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(queues.entry(end_user.clone()).or_insert_with(|| Arc::new(Semaphore::new(self.limit))))
        };
        // The semaphore is never closed.
        let permit = queue.acquire_owned().await.ok();
        Turn { turns: self, end_user: end_user.clone(), permit }
    }

    /// How many end-users have a queue (for tests).
    #[cfg(test)]
    fn queues(&self) -> usize {
        self.queues.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut queues = self.turns.queues.lock().unwrap_or_else(PoisonError::into_inner);
        drop(self.permit.take());
        // Removed when nothing holds it or waits on it: the map's own
        // reference is the only one left (waiters hold one too).
        if queues.get(&self.end_user).is_some_and(|queue| Arc::strong_count(queue) == 1) {
            queues.remove(&self.end_user);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn requests_of_one_end_user_take_turns_in_order_and_others_pass() {
        let turns = Arc::new(Turns::new(1));
        let (ann, bob) = (HeaderValue::from_static("end_usr_ann"), HeaderValue::from_static("end_usr_bob"));
        let first = turns.take(&ann).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for n in 0..3 {
            let (turns, ann, order) = (Arc::clone(&turns), ann.clone(), Arc::clone(&order));
            waiting.push(tokio::spawn(async move {
                let _turn = turns.take(&ann).await;
                order.lock().unwrap().push(n);
            }));
            // Each waits before the next is spawned, so they queue in order.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Another end-user is not held back.
        drop(tokio::time::timeout(Duration::from_secs(1), turns.take(&bob)).await.expect("bob's turn"));
        assert!(order.lock().unwrap().is_empty());
        drop(first);
        for task in waiting {
            task.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2]);
        assert_eq!(turns.queues(), 0, "no queue is kept once nothing waits");
    }

    #[tokio::test]
    async fn a_cancelled_wait_leaves_no_queue() {
        let turns = Turns::new(1);
        let ann = HeaderValue::from_static("end_usr_ann");
        let held = turns.take(&ann).await;
        assert!(tokio::time::timeout(Duration::from_millis(20), turns.take(&ann)).await.is_err());
        drop(held);
        assert_eq!(turns.queues(), 0);
    }
}
