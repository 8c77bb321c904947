// ReservedRuns: see reserved_runs.h. The common cases (a whole free, a head
// or tail free of a run with one live range) are handled in place; anything
// else rebuilds the run from its remaining live ranges. Lookups: a run
// starting at the freed byte's granule is found by a bit test plus one hash
// probe; a free inside a run walks back to the run's start with
// BitTree::Prev.
#include "structures/reserved_runs.h"

#include <algorithm>

namespace poolmem {

void ReservedRuns::Reset(unsigned shift, uint64_t granules) {
  shift_ = shift;
  runs_.Clear();
  starts_.Reset(granules);
  multi_.assign(1, {});
  free_multi_.clear();
}

void ReservedRuns::Add(uint64_t offset, uint64_t size) {
  const uint64_t start = offset >> shift_;
  const uint64_t end = (offset + size + (uint64_t{1} << shift_) - 1) >> shift_;
  const FreeRange live{offset, offset + size};
  Insert(start, end, &live, 1);
}

// ---------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------

ReservedRuns::Run* ReservedRuns::Containing(uint64_t offset, uint64_t* start) {
  const uint64_t g = offset >> shift_;
  if (g >= starts_.size()) return nullptr;
  const uint64_t s = starts_.Test(g) ? g : starts_.Prev(g);
  if (s == BitTree::kNone) return nullptr;
  Run* run = runs_.Find(s);
  if (g >= run->end) return nullptr;
  *start = s;
  return run;
}

bool ReservedRuns::RunCovers(const Run& run, uint64_t from, uint64_t to) const {
  if (run.multi == 0) return run.live.start <= from && to <= run.live.end;
  for (const FreeRange& r : multi_[run.multi]) {
    if (r.start <= from) {
      if (to <= r.end) return true;
    } else {
      break;
    }
  }
  return false;
}

void ReservedRuns::LiveOf(const Run& run, std::vector<FreeRange>* out) const {
  if (run.multi == 0) {
    out->assign(1, run.live);
  } else {
    *out = multi_[run.multi];
  }
}

// ---------------------------------------------------------------------------
// Release
// ---------------------------------------------------------------------------

FreeStatus ReservedRuns::Release(uint64_t offset, uint64_t size, std::vector<GranuleRange>* released) {
  const uint64_t end = offset + size;
  uint64_t start;
  Run* run = Containing(offset, &start);
  if (run == nullptr) return FreeStatus::kDoubleFree;
  if (end <= run->end << shift_) {
    if (!RunCovers(*run, offset, end)) return FreeStatus::kDoubleFree;
    ReleaseInRun(start, run, offset, end, released);
    return FreeStatus::kOk;
  }
  // The range runs on into the next run(s): check every piece before
  // changing anything, so a failure leaves the state as it was.
  for (uint64_t cursor = offset;;) {
    const uint64_t piece_end = std::min(end, run->end << shift_);
    if (!RunCovers(*run, cursor, piece_end)) return FreeStatus::kDoubleFree;
    if (piece_end == end) break;
    const uint64_t next = run->end;
    if (next >= starts_.size() || !starts_.Test(next)) return FreeStatus::kDoubleFree;
    run = runs_.Find(next);
    cursor = piece_end;
  }
  for (uint64_t cursor = offset; cursor < end;) {
    run = Containing(cursor, &start);
    const uint64_t piece_end = std::min(end, run->end << shift_);
    ReleaseInRun(start, run, cursor, piece_end, released);
    cursor = piece_end;
  }
  return FreeStatus::kOk;
}

// [offset, end) is live and inside `run`, which starts at granule `start`.
void ReservedRuns::ReleaseInRun(uint64_t start, Run* run, uint64_t offset, uint64_t end,
                                std::vector<GranuleRange>* released) {
  const uint64_t granule = uint64_t{1} << shift_;
  if (run->multi == 0) {
    const uint64_t a = run->live.start, b = run->live.end;
    if (offset == a && end == b) {  // the whole run: the hot path
      released->push_back({start, run->end});
      Remove(start, run);
    } else if (offset == a) {       // head: the run may start later
      const uint64_t new_start = end >> shift_;
      run->live.start = end;
      if (new_start > start) {
        const Run moved = *run;
        released->push_back({start, new_start});
        Remove(start, run);
        Insert(new_start, moved.end, &moved.live, 1);
      }
    } else if (end == b) {          // tail: the run may end earlier
      const uint64_t new_end = (offset + granule - 1) >> shift_;
      run->live.end = offset;
      if (new_end < run->end) {
        released->push_back({new_end, run->end});
        run->end = new_end;
      }
    } else {                        // middle: two live ranges, maybe two runs
      const uint64_t run_end = run->end;
      const FreeRange two[2] = {{a, offset}, {end, b}};
      const uint64_t dead_start = (offset + granule - 1) >> shift_, dead_end = end >> shift_;
      Remove(start, run);
      if (dead_start < dead_end) {
        Insert(start, dead_start, &two[0], 1);
        released->push_back({dead_start, dead_end});
        Insert(dead_end, run_end, &two[1], 1);
      } else {
        Insert(start, run_end, two, 2);
      }
    }
    return;
  }
  // Several live ranges: cut [offset, end) out of the one holding it, then
  // regroup what is left into runs.
  scratch_ = multi_[run->multi];
  const uint64_t run_end = run->end;
  for (size_t i = 0; i < scratch_.size(); ++i) {
    FreeRange r = scratch_[i];
    if (r.start > offset || end > r.end) continue;
    if (offset == r.start && end == r.end) {
      scratch_.erase(scratch_.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (offset == r.start) {
      scratch_[i].start = end;
    } else if (end == r.end) {
      scratch_[i].end = offset;
    } else {
      scratch_[i].end = offset;
      scratch_.insert(scratch_.begin() + static_cast<std::ptrdiff_t>(i) + 1, FreeRange{end, r.end});
    }
    break;
  }
  Rebuild(start, run_end, scratch_, released);
}

void ReservedRuns::Rebuild(uint64_t start, uint64_t end, const std::vector<FreeRange>& live,
                           std::vector<GranuleRange>* released) {
  const uint64_t granule = uint64_t{1} << shift_;
  Remove(start, runs_.Find(start));
  uint64_t cursor = start;
  for (size_t i = 0; i < live.size();) {
    const uint64_t group_start = live[i].start >> shift_;
    uint64_t group_end = (live[i].end + granule - 1) >> shift_;
    size_t j = i;
    // Ranges whose granules touch or share one stay in the same run.
    while (j + 1 < live.size() && (live[j + 1].start >> shift_) <= group_end) {
      ++j;
      group_end = (live[j].end + granule - 1) >> shift_;
    }
    if (group_start > cursor) released->push_back({cursor, group_start});
    Insert(group_start, group_end, &live[i], j - i + 1);
    cursor = group_end;
    i = j + 1;
  }
  if (cursor < end) released->push_back({cursor, end});
}

// ---------------------------------------------------------------------------
// Run storage
// ---------------------------------------------------------------------------

void ReservedRuns::Insert(uint64_t start, uint64_t end, const FreeRange* live, size_t n) {
  Run run;
  run.end = end;
  if (n == 1) {
    run.live = live[0];
  } else {
    uint32_t idx;
    if (!free_multi_.empty()) {
      idx = free_multi_.back();
      free_multi_.pop_back();
    } else {
      idx = static_cast<uint32_t>(multi_.size());
      multi_.emplace_back();
    }
    multi_[idx].assign(live, live + n);
    run.multi = idx;
  }
  runs_.Insert(start, run);
  starts_.Set(start);
}

void ReservedRuns::Remove(uint64_t start, Run* run) {
  if (run->multi != 0) {
    multi_[run->multi].clear();
    free_multi_.push_back(run->multi);
  }
  runs_.EraseFound(run);
  starts_.Clear(start);
}

void ReservedRuns::Runs(std::vector<GranuleRange>* out) const {
  out->clear();
  for (uint64_t s = starts_.Next(0); s != BitTree::kNone; s = starts_.Next(s + 1)) {
    out->push_back({s, runs_.Find(s)->end});
  }
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

bool ReservedRuns::Validate() const {
  if (!starts_.Consistent() || starts_.count() != runs_.size()) return false;
  const uint64_t granule = uint64_t{1} << shift_;
  uint64_t previous_end = 0, seen = 0;
  std::vector<FreeRange> live;
  for (uint64_t s = starts_.Next(0); s != BitTree::kNone; s = starts_.Next(s + 1)) {
    const Run* run = runs_.Find(s);
    if (run == nullptr) return false;
    ++seen;
    if (s < previous_end || run->end <= s || run->end > starts_.size()) return false;
    previous_end = run->end;
    if (run->multi != 0 && (run->multi >= multi_.size() || multi_[run->multi].size() < 2)) return false;
    LiveOf(*run, &live);
    for (size_t i = 0; i < live.size(); ++i) {
      if (live[i].start >= live[i].end) return false;
      if (i > 0) {
        if (live[i - 1].end >= live[i].start) return false;  // sorted, not adjacent
        // No granule between two live ranges is wholly dead.
        if ((live[i].start >> shift_) > (live[i - 1].end + granule - 1) >> shift_) return false;
      }
    }
    if (live.front().start < s << shift_ || live.front().start >= (s + 1) << shift_) return false;
    if (live.back().end > run->end << shift_ || live.back().end <= (run->end - 1) << shift_) return false;
  }
  return seen == runs_.size();
}

}  // namespace poolmem
