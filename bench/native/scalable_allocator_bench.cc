// ScalableAllocator's core malloc+free pair at the JS benchmark's sizes (issue
// #4), beside the same pair on a bare Arena, so the cost of the chunk
// bookkeeping (chunk index, allocation index, counters) reads as the
// difference. Also borrow, a pair with 10,000 live allocations spread over
// many chunks, a queue that frees its oldest allocation, and a front-trim
// partial free.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "pools/arena.h"
#include "pools/scalable_allocator.h"

namespace poolmem {
namespace {

std::unique_ptr<ScalableAllocator> Make(uint64_t chunk = 64 * 1024) {
  ScalableOptions o;
  o.chunk_size = chunk;
  auto a = ScalableAllocator::Create(o);
  if (!a) std::abort();
  return a;
}

void ScalablePair(benchmark::State& state) {
  const uint64_t size = static_cast<uint64_t>(state.range(0));
  auto a = Make();
  for (auto _ : state) {
    const int64_t h = a->Malloc(size);
    benchmark::DoNotOptimize(h);
    a->Free(static_cast<uint32_t>(static_cast<uint64_t>(h) >> 32), static_cast<uint64_t>(h) & 0xFFFFFFFFu, size);
  }
}
BENCHMARK(ScalablePair)->Arg(64)->Arg(4096)->Arg(65536)->Arg(1 << 20);

// The same pair on one Arena of the size ScalableAllocator's chunk would have.
void ArenaPair(benchmark::State& state) {
  const uint64_t size = static_cast<uint64_t>(state.range(0));
  auto arena = Arena::Create(size <= 64 * 1024 ? 64 * 1024 : 2 * size, StrategyKind::kTreap, {}, false);
  for (auto _ : state) {
    const int64_t off = arena->Allocate(size);
    benchmark::DoNotOptimize(off);
    arena->Free(static_cast<uint64_t>(off), size);
  }
}
BENCHMARK(ArenaPair)->Arg(64)->Arg(4096)->Arg(65536)->Arg(1 << 20);

void ScalableBorrow(benchmark::State& state) {
  auto a = Make();
  for (auto _ : state) benchmark::DoNotOptimize(a->Borrow(1024));
}
BENCHMARK(ScalableBorrow);

// A pair while 10,000 allocations of 1 KiB stay live across many chunks.
void ScalablePairManyLive(benchmark::State& state) {
  auto a = Make();
  for (int i = 0; i < 10000; ++i) a->Malloc(1024);
  for (auto _ : state) {
    const int64_t h = a->Malloc(1024);
    benchmark::DoNotOptimize(h);
    a->Free(static_cast<uint32_t>(static_cast<uint64_t>(h) >> 32), static_cast<uint64_t>(h) & 0xFFFFFFFFu, 1024);
  }
}
BENCHMARK(ScalablePairManyLive);

// A pair that is not last-in first-out: 64 allocations of 1 KiB stay live in
// a ring; each step mallocs one and frees the oldest (a queue of buffers).
void ScalableFifo(benchmark::State& state) {
  auto a = Make();
  std::vector<int64_t> ring(64);
  for (int64_t& h : ring) h = a->Malloc(1024);
  size_t next = 0;
  for (auto _ : state) {
    const uint64_t h = static_cast<uint64_t>(ring[next]);
    a->Free(static_cast<uint32_t>(h >> 32), h & 0xFFFFFFFFu, 1024);
    ring[next] = a->Malloc(1024);
    benchmark::DoNotOptimize(ring[next]);
    next = (next + 1) % ring.size();
  }
}
BENCHMARK(ScalableFifo);

// Malloc 4 KiB, free its first 1 KiB, then the rest (front trim, then whole).
void ScalableFrontTrim(benchmark::State& state) {
  auto a = Make();
  for (auto _ : state) {
    const uint64_t h = static_cast<uint64_t>(a->Malloc(4096));
    const uint32_t id = static_cast<uint32_t>(h >> 32);
    const uint64_t off = h & 0xFFFFFFFFu;
    a->Free(id, off, 1024);
    a->Free(id, off + 1024, 3072);
  }
}
BENCHMARK(ScalableFrontTrim);

}  // namespace
}  // namespace poolmem
