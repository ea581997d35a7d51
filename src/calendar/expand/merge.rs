//! The lazy, sorted merge of the streams of instances of every series
//! ([`Occurrences`]).

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::rc::Rc;

use chrono::{DateTime, Utc};

use super::instance::{Instance, Stream};
use crate::model::Occurrence;

/// The lazy, sorted merge of every series' occurrences; see [`occurrences`](super::occurrences).
///
/// As an iterator it gives whole [`Occurrence`]s; [`Occurrences::next_instance`] gives
/// each as an [`Instance`], which borrows from the feed and allocates nothing.
pub struct Occurrences<'a> {
    /// The order key of each stream's next instance, its start and lane packed by
    /// [`order_key`]. The merge moves these 16-byte keys, not the instances, and
    /// compares no strings.
    heap: BinaryHeap<Reverse<u128>>,
    /// The next instance of each stream in the heap.
    heads: Vec<Option<Instance<'a>>>,
    /// The lane of each series' stream: the position of (its UID, the stream) in the
    /// order of the merge.
    series_lanes: Vec<u32>,
    /// The lane of each UID in the stream of overrides (the last).
    override_lanes: HashMap<&'a str, u32>,
    /// The stream of each lane.
    lane_streams: Vec<usize>,
    streams: Vec<Stream<'a>>,
    late_warnings: Rc<RefCell<Vec<String>>>,
}

impl<'a> Occurrences<'a> {
    /// The merge of the series' `streams` (the UID rank of each in `stream_ranks`) and
    /// of the overrides and one-off events in `fixed`, by start, then UID (its rank in
    /// `uid_rank`), then stream. `late_warnings` collects what iterating finds.
    pub(super) fn new(
        mut fixed: Vec<Instance<'a>>,
        mut streams: Vec<Stream<'a>>,
        stream_ranks: &[usize],
        uid_rank: &HashMap<&str, usize>,
        late_warnings: Rc<RefCell<Vec<String>>>,
    ) -> Self {
        fixed.sort_by(|a, b| (a.start().instant(), a.uid()).cmp(&(b.start().instant(), b.uid())));

        // Occurrences starting together go by UID, then stream. Number every (UID rank,
        // stream) pair that can occur in that order, as a lane: each series' stream has
        // one, the overrides' stream (the last) one per UID.
        let overrides = streams.len();
        let mut lanes: Vec<(usize, usize)> = stream_ranks.iter().copied().zip(0..).collect();
        lanes.extend(fixed.iter().map(|o| (uid_rank[o.uid()], overrides)));
        lanes.sort_unstable();
        lanes.dedup();
        let lane = |pair: (usize, usize)| {
            let at = lanes.binary_search(&pair).expect("every pair has a lane");
            u32::try_from(at).expect("fewer than 2^32 lanes")
        };
        let series_lanes: Vec<u32> = stream_ranks.iter().copied().zip(0..).map(lane).collect();
        let mut override_lanes: HashMap<&str, u32> = HashMap::new();
        for o in &fixed {
            override_lanes
                .entry(o.uid())
                .or_insert_with(|| lane((uid_rank[o.uid()], overrides)));
        }
        let lane_streams = lanes.iter().map(|&(_, stream)| stream).collect();
        streams.push(Box::new(fixed.into_iter()));

        let mut it = Occurrences {
            heap: BinaryHeap::with_capacity(streams.len()),
            heads: (0..streams.len()).map(|_| None).collect(),
            series_lanes,
            override_lanes,
            lane_streams,
            streams,
            late_warnings,
        };
        for i in 0..it.streams.len() {
            it.refill(i);
        }
        it
    }

    /// Warnings raised while iterating (a series cut off at
    /// [`MAX_INSTANCES_PER_SERIES`](super::MAX_INSTANCES_PER_SERIES), the query at
    /// [`MAX_INSTANCES_PER_QUERY`](super::MAX_INSTANCES_PER_QUERY)), drained: call it
    /// after iterating, and report them with those [`occurrences`](super::occurrences)
    /// gave.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut self.late_warnings.borrow_mut())
    }

    /// The next occurrence, not built yet: what [`Iterator::next`] gives, without its
    /// strings (for callers that look at many occurrences and keep few).
    pub fn next_instance(&mut self) -> Option<Instance<'a>> {
        let Reverse(key) = self.heap.pop()?;
        // The low 32 bits of the key are the lane.
        let stream = self.lane_streams[key as u32 as usize];
        let instance = self.heads[stream]
            .take()
            .expect("a stream in the heap has a next instance");
        self.refill(stream);
        Some(instance)
    }

    fn refill(&mut self, stream: usize) {
        if let Some(instance) = self.streams[stream].next() {
            self.heap.push(Reverse(self.key(stream, &instance)));
            self.heads[stream] = Some(instance);
        }
    }

    /// The order key of `instance`, the next of `stream`.
    fn key(&self, stream: usize, instance: &Instance) -> u128 {
        let lane = match self.series_lanes.get(stream) {
            Some(&lane) => lane,
            None => self.override_lanes[instance.uid()],
        };
        order_key(instance.start().instant(), lane)
    }
}

/// The start `t` and `lane` packed into one integer in the same order as the pair:
/// seconds since the epoch (offset so that they sort unsigned), nanoseconds (a leap
/// second's included: below 2³¹), lane.
pub(super) fn order_key(t: DateTime<Utc>, lane: u32) -> u128 {
    let seconds = (t.timestamp() as u64) ^ (1 << 63);
    (u128::from(seconds) << 64) | (u128::from(t.timestamp_subsec_nanos()) << 32) | u128::from(lane)
}

impl Iterator for Occurrences<'_> {
    type Item = Occurrence;

    fn next(&mut self) -> Option<Occurrence> {
        self.next_instance().map(|i| i.occurrence())
    }
}
