// A caching CPU allocator for libtorch. Blocks of at least 1 MiB are mapped with mmap at a 2 MiB boundary, advised
// for transparent huge pages, and kept after their tensor frees them, up to a byte limit (least recently freed
// blocks go first), for the next allocation of a similar size (the best fit among cached blocks of n..1.25n bytes;
// of several blocks of that size, the most recently freed: the likeliest to be still in the CPU caches, and, measured
// on the training step below, what keeps its blocks in step with its sizes: the least recently freed instead made
// 3 misses per iteration at F 16 and 9 at F 8, the most recently freed none).
// Smaller blocks come from glibc's heap, 64-byte aligned as with libtorch's default allocator, behind a 64-byte header
// that records their size class: blocks of up to 4 KiB (the scalars and small tensors of every op's bookkeeping) are
// kept in per-class free lists when freed (at most 8 MiB of them) and handed out again without calling into glibc,
// whose aligned allocation and free cost more instructions than a small op's kernel.
//
// The cache keeps the process within the program's own peak plus a little: before a miss maps a new block, the least
// recently freed cached blocks are unmapped until live + cached + the new block fit within the ceiling, the most bytes
// that were ever live at once plus a twentieth of them, at most 64 MiB (or live + the new block, when that is more).
// So the memory held by large blocks peaks about where it would without a cache, where glibc unmaps every freed block
// at once. At the ceiling, a miss first takes a cached block of up to twice the size asked for, which adds no memory
// and faults no page, before it evicts anything. Without the margin and that fallback, a training step whose blocks
// come in a different order than they were freed kept evicting blocks it needed later in the same iteration:
// measured on a 3D U-Net step (F 16, 32x64x64, batch 2+2), 59 misses, ~8,500 minor faults and 64-88 ms of system time
// per iteration against none with them (resident memory 1.74 -> 1.88 GiB); at F 32, 64x128x128 the same misses and
// faults as before (the byte limit binds there), resident memory 19.4 -> 19.7 GiB.
//
// Why: glibc maps every block above its mmap threshold (32 MiB at most) afresh and unmaps it on free, and trims
// freed heap memory back to the kernel, so the large activations of a training step were page-faulted 4 KiB at a
// time on every iteration (hundreds of thousands of minor faults and a large share of system time per step).
#include "cpu-allocator.h"

#include <c10/core/CPUAllocator.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace skcdf {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kPage = 4096;
// Blocks from this size on are cached. Below it glibc's heap serves and reuses blocks without faults.
constexpr size_t kLargeThreshold = size_t(1) << 20;
// Small blocks: 64-byte aligned data after a 64-byte header; those of up to kSmallMax bytes are cached in classes
// of kAlign bytes (class c holds blocks of c * kAlign bytes), at most kSmallCacheMax bytes in all.
constexpr size_t kAlign = 64;
constexpr size_t kSmallMax = 4096;
constexpr size_t kSmallClasses = kSmallMax / kAlign;
constexpr size_t kSmallCacheMax = size_t(8) << 20;
// The ceiling's margin over the peak of live bytes: a twentieth of it, at most kMarginMax.
constexpr size_t kMarginDivisor = 20;
constexpr size_t kMarginMax = size_t(64) << 20;
// At the ceiling a miss takes a cached block of up to kOversize times the size asked for.
constexpr size_t kOversize = 2;

size_t roundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

struct Block {
  void* ptr;
  size_t size;
};

struct CacheStats {
  size_t cached = 0, cachedBlocks = 0, live = 0, peak = 0, limit = 0, smallCached = 0;
  uint64_t hits = 0, misses = 0, evictions = 0, smallHits = 0, smallMisses = 0;
  bool hugePages = false;
};

// Blocks below the large threshold. Each starts with a header holding its size class (0: not cached, for sizes above
// kSmallMax); freed blocks of a class wait in that class's list while the cache holds less than its cap.
class SmallBlocks {
 public:
  void* allocate(size_t n, bool cache);
  void release(void* data, size_t cap);
  void empty();
  void addStats(CacheStats& s);

 private:
  struct Header {
    uint32_t cls;
  };
  static Header* headerOf(void* data) { return reinterpret_cast<Header*>(static_cast<char*>(data) - kAlign); }

  std::mutex mu_;
  std::vector<void*> free_[kSmallClasses + 1];  // data pointers, by class
  size_t cachedBytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
};

void* SmallBlocks::allocate(size_t n, bool cache) {
  const uint32_t cls = cache && n <= kSmallMax ? static_cast<uint32_t>((n + kAlign - 1) / kAlign) : 0;
  if (cls) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& list = free_[cls];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      cachedBytes_ -= cls * kAlign;
      ++hits_;
      return p;
    }
    ++misses_;
  }
  void* raw = nullptr;
  const size_t bytes = kAlign + (cls ? cls * kAlign : n);
  if (posix_memalign(&raw, kAlign, bytes) != 0) {
    c10::profiledCPUMemoryReporter().OutOfMemory(n);
    TORCH_CHECK_WITH(OutOfMemoryError, false, "CPU allocator: not enough memory: you tried to allocate ", n, " bytes");
  }
  void* data = static_cast<char*>(raw) + kAlign;
  headerOf(data)->cls = cls;
  return data;
}

void SmallBlocks::release(void* data, size_t cap) {
  const uint32_t cls = headerOf(data)->cls;
  if (cls) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cachedBytes_ + cls * kAlign <= cap) {
      free_[cls].push_back(data);
      cachedBytes_ += cls * kAlign;
      return;
    }
  }
  std::free(headerOf(data));
}

void SmallBlocks::empty() {
  std::vector<void*> drop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& list : free_) {
      drop.insert(drop.end(), list.begin(), list.end());
      list.clear();
      list.shrink_to_fit();
    }
    cachedBytes_ = 0;
  }
  for (void* p : drop) std::free(headerOf(p));
}

void SmallBlocks::addStats(CacheStats& s) {
  std::lock_guard<std::mutex> lock(mu_);
  s.smallCached = cachedBytes_;
  s.smallHits = hits_;
  s.smallMisses = misses_;
}

class CachingCpuAllocator final : public c10::Allocator {
 public:
  CachingCpuAllocator(size_t limit, bool hugePages) : limit_(limit), hugePages_(hugePages) {}

  c10::DataPtr allocate(size_t n) override;
  c10::DeleterFnPtr raw_deleter() const override { return &Delete; }
  void copy_data(void* dest, const void* src, size_t count) const override { default_copy_data(dest, src, count); }

  // The one deleter of every block this allocator hands out (raw_deleter() must name a single function).
  static void Delete(void* ptr);

  CacheStats stats();
  void emptyCache();
  void setLimit(size_t bytes);

 private:
  struct Cached {
    void* ptr;
    uint64_t tick;  // when it was freed: the age order for eviction
  };
  using BySize = std::multimap<size_t, Cached>;

  void* allocateLarge(size_t n);
  void* takeCached(size_t n, size_t most);              // under mu_: best fit of n..most bytes
  void insertCached(void* ptr, size_t size);            // under mu_
  void evictTo(size_t target, std::vector<Block>& out);  // under mu_
  bool release(void* ptr);                              // false when ptr is not a large block of ours
  void* mapAligned(size_t size) const;
  static void unmap(const std::vector<Block>& blocks);

  size_t smallCap() const { return std::min(kSmallCacheMax, limit_.load(std::memory_order_relaxed)); }

  SmallBlocks small_;
  std::mutex mu_;
  std::atomic<size_t> limit_;
  const bool hugePages_;
  std::unordered_map<void*, size_t> live_;  // large blocks held by tensors: address -> mapped bytes
  BySize bySize_;                           // cached blocks by size (best fit)
  std::map<uint64_t, BySize::iterator> byAge_;  // the same blocks by the tick they were freed at (LRU)
  uint64_t tick_ = 0;
  size_t cachedBytes_ = 0, liveBytes_ = 0, peakBytes_ = 0;
  size_t peakLiveBytes_ = 0;  // the most bytes ever held by tensors at once: the cache's ceiling on a miss
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0;
};

// Leaked on purpose: storages freed while the process exits still call its deleter.
CachingCpuAllocator* g_alloc = nullptr;

c10::DataPtr CachingCpuAllocator::allocate(size_t n) {
  void* p = nullptr;
  const size_t limit = limit_.load(std::memory_order_relaxed);
  if (n >= kLargeThreshold && limit > 0) {
    p = allocateLarge(n);
  } else if (n > 0) {
    p = small_.allocate(n, limit > 0);
  }
  if (p) c10::profiledCPUMemoryReporter().New(p, n);  // as the default allocator does, for the profiler
  return {p, p, &Delete, c10::Device(c10::DeviceType::CPU)};
}

void* CachingCpuAllocator::allocateLarge(size_t n) {
  const size_t size = roundUp(n, kPage);
  std::vector<Block> drop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (void* p = takeCached(n, n + n / 4)) return p;
    // Make room so that live + cached + this block stays within the ceiling (see the file comment).
    const size_t margin = std::min(peakLiveBytes_ / kMarginDivisor, kMarginMax);
    const size_t ceiling = std::max(peakLiveBytes_ + margin, liveBytes_ + size);
    if (liveBytes_ + cachedBytes_ + size > ceiling) {
      if (void* p = takeCached(n, kOversize * n)) return p;
    }
    ++misses_;
    evictTo(ceiling - liveBytes_ - size, drop);
  }
  unmap(drop);  // before mapping: the new block takes the place of what was dropped
  void* p = mapAligned(size);
  if (!p) {
    emptyCache();  // the cache's blocks may be what the kernel is short of
    p = mapAligned(size);
  }
  if (!p) {
    int err = errno;
    c10::profiledCPUMemoryReporter().OutOfMemory(n);
    TORCH_CHECK_WITH(OutOfMemoryError, false, "CPU allocator: not enough memory: you tried to allocate ", n,
                     " bytes (mmap: ", std::strerror(err), ")");
  }
  std::lock_guard<std::mutex> lock(mu_);
  live_.emplace(p, size);
  liveBytes_ += size;
  peakLiveBytes_ = std::max(peakLiveBytes_, liveBytes_);
  peakBytes_ = std::max(peakBytes_, liveBytes_ + cachedBytes_);
  return p;
}

void* CachingCpuAllocator::takeCached(size_t n, size_t most) {
  auto it = bySize_.lower_bound(n);
  if (it == bySize_.end() || it->first > most) return nullptr;
  // Of the blocks of the best-fitting size, the most recently freed (the last of its equal range): its memory is the
  // likeliest to be still in the CPU caches.
  it = std::prev(bySize_.upper_bound(it->first));
  void* p = it->second.ptr;
  const size_t size = it->first;
  byAge_.erase(it->second.tick);
  bySize_.erase(it);
  cachedBytes_ -= size;
  live_.emplace(p, size);
  liveBytes_ += size;
  peakLiveBytes_ = std::max(peakLiveBytes_, liveBytes_);
  ++hits_;
  return p;
}

void CachingCpuAllocator::insertCached(void* ptr, size_t size) {
  const uint64_t tick = ++tick_;
  byAge_.emplace(tick, bySize_.emplace(size, Cached{ptr, tick}));
  cachedBytes_ += size;
  peakBytes_ = std::max(peakBytes_, liveBytes_ + cachedBytes_);
}

void CachingCpuAllocator::evictTo(size_t target, std::vector<Block>& out) {
  while (cachedBytes_ > target && !byAge_.empty()) {
    auto oldest = byAge_.begin();
    BySize::iterator it = oldest->second;
    out.push_back({it->second.ptr, it->first});
    cachedBytes_ -= it->first;
    bySize_.erase(it);
    byAge_.erase(oldest);
    ++evictions_;
  }
}

bool CachingCpuAllocator::release(void* ptr) {
  std::vector<Block> drop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(ptr);
    if (it == live_.end()) return false;
    const size_t size = it->second;
    live_.erase(it);
    liveBytes_ -= size;
    const size_t limit = limit_.load(std::memory_order_relaxed);
    if (size > limit) {
      drop.push_back({ptr, size});
      ++evictions_;
    } else {
      insertCached(ptr, size);
      evictTo(limit, drop);
    }
  }
  unmap(drop);  // outside the lock: munmap can take a while for large blocks
  return true;
}

void CachingCpuAllocator::Delete(void* ptr) {
  if (!ptr) return;
  c10::profiledCPUMemoryReporter().Delete(ptr);
  // Every large block of ours starts at a 2 MiB boundary, so other addresses skip the lock.
  if ((reinterpret_cast<uintptr_t>(ptr) & (kHugePage - 1)) == 0 && g_alloc->release(ptr)) return;
  g_alloc->small_.release(ptr, g_alloc->smallCap());
}

// Maps `size` bytes (a multiple of 4 KiB) starting at a 2 MiB boundary, so that with huge-page advice every full
// 2 MiB of the block is faulted in one go; nullptr when the kernel refuses (errno set).
void* CachingCpuAllocator::mapAligned(size_t size) const {
  const size_t span = size + kHugePage;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = roundUp(reinterpret_cast<uintptr_t>(raw), kHugePage);
  const size_t head = start - reinterpret_cast<uintptr_t>(raw);
  const size_t tail = span - head - size;
  if (head) munmap(raw, head);
  if (tail) munmap(reinterpret_cast<void*>(start + size), tail);
  // Advice only: a kernel without transparent huge pages answers EINVAL and the block keeps 4 KiB pages.
  if (hugePages_) madvise(reinterpret_cast<void*>(start), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(start);
}

void CachingCpuAllocator::unmap(const std::vector<Block>& blocks) {
  for (const Block& b : blocks) munmap(b.ptr, b.size);
}

CacheStats CachingCpuAllocator::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  CacheStats s;
  s.cached = cachedBytes_;
  s.cachedBlocks = bySize_.size();
  s.live = liveBytes_;
  s.peak = peakBytes_;
  s.limit = limit_.load(std::memory_order_relaxed);
  s.hits = hits_;
  s.misses = misses_;
  s.evictions = evictions_;
  s.hugePages = hugePages_;
  small_.addStats(s);
  return s;
}

void CachingCpuAllocator::emptyCache() {
  std::vector<Block> drop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    evictTo(0, drop);
  }
  unmap(drop);
  small_.empty();
}

void CachingCpuAllocator::setLimit(size_t bytes) {
  std::vector<Block> drop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    limit_.store(bytes, std::memory_order_relaxed);
    evictTo(bytes, drop);
  }
  unmap(drop);
  if (bytes < kSmallCacheMax) small_.empty();  // simplest way to stay under a smaller cap
}

// The default limit: 2 GiB, or an eighth of physical memory on smaller machines. A training step's large
// activations are freed and reallocated every iteration; 2 GiB holds the turnover of a 3D U-Net step at batch 2
// (about 1.3 GB faulted per iteration without a cache), and an eighth of RAM keeps small machines safe.
size_t defaultLimit() {
  const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  const size_t twoGiB = size_t(2) << 30;
  if (pages <= 0 || pageSize <= 0) return twoGiB;
  return std::min(twoGiB, static_cast<size_t>(pages) * static_cast<size_t>(pageSize) / 8);
}

// Parses a byte count: digits, optionally followed by K, M or G (binary units; "KiB"/"KB" forms accepted).
bool parseBytes(const char* text, size_t& out) {
  char* end = nullptr;
  errno = 0;
  if (!text || !*text || *text < '0' || *text > '9') return false;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno == ERANGE) return false;
  std::string unit(end);
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::toupper(c); });
  int shift = 0;
  if (unit.empty() || unit == "B") shift = 0;
  else if (unit == "K" || unit == "KB" || unit == "KIB") shift = 10;
  else if (unit == "M" || unit == "MB" || unit == "MIB") shift = 20;
  else if (unit == "G" || unit == "GB" || unit == "GIB") shift = 30;
  else return false;
  if (shift && v > (~0ULL >> shift)) return false;
  out = static_cast<size_t>(v << shift);
  return true;
}

struct Settings {
  size_t limit;
  bool hugePages;
};

Settings settingsFromEnv(Napi::Env env) {
  Settings s{defaultLimit(), true};
  if (const char* v = std::getenv("NODE_TORCH_CPU_CACHE_BYTES")) {
    if (!parseBytes(v, s.limit)) {
      throw Napi::Error::New(env, std::string("skcdf: NODE_TORCH_CPU_CACHE_BYTES must be a byte count such as 1073741824 "
                                              "or 1G (0 turns the CPU allocator cache off), got '") + v + "'");
    }
  }
  if (const char* v = std::getenv("NODE_TORCH_CPU_HUGEPAGES")) {
    std::string h(v);
    if (h != "0" && h != "1") {
      throw Napi::Error::New(env, "skcdf: NODE_TORCH_CPU_HUGEPAGES must be 0 or 1, got '" + h + "'");
    }
    s.hugePages = h == "1";
  }
  return s;
}

Napi::Value CpuMemoryStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  drainDisposed(env);
  CacheStats s = g_alloc->stats();
  auto o = Napi::Object::New(env);
  o.Set("cachedBytes", static_cast<double>(s.cached));
  o.Set("cachedBlocks", static_cast<double>(s.cachedBlocks));
  o.Set("liveBytes", static_cast<double>(s.live));
  o.Set("peakBytes", static_cast<double>(s.peak));
  o.Set("hits", static_cast<double>(s.hits));
  o.Set("misses", static_cast<double>(s.misses));
  o.Set("evictions", static_cast<double>(s.evictions));
  o.Set("limit", static_cast<double>(s.limit));
  o.Set("threshold", static_cast<double>(kLargeThreshold));
  o.Set("smallCachedBytes", static_cast<double>(s.smallCached));
  o.Set("smallHits", static_cast<double>(s.smallHits));
  o.Set("smallMisses", static_cast<double>(s.smallMisses));
  o.Set("hugePages", s.hugePages);
  o.Set("installed", c10::GetCPUAllocator() == g_alloc);
  return o;
}

Napi::Value CpuEmptyCache(const Napi::CallbackInfo& info) {
  drainDisposed(info.Env());
  g_alloc->emptyCache();
  return info.Env().Undefined();
}

// cpuSetCacheLimit(bytes): bytes is a non-negative integer (checked here too, for callers other than lib/).
Napi::Value CpuSetCacheLimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  drainDisposed(env);
  double v = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(v >= 0) || v != static_cast<double>(static_cast<uint64_t>(v)) || v > 9007199254740991.0) {
    throw Napi::TypeError::New(env, "cpu.setAllocatorCacheLimit: bytes must be a non-negative integer");
  }
  g_alloc->setLimit(static_cast<size_t>(v));
  return env.Undefined();
}

}  // namespace

void installCpuAllocator(Napi::Env env, Napi::Object exports) {
  Settings s = settingsFromEnv(env);
  if (!g_alloc) {
    g_alloc = new CachingCpuAllocator(s.limit, s.hugePages);
    // Priority 0, as libtorch's default: an allocator another library installed with a higher priority stays.
    c10::SetCPUAllocator(g_alloc, 0);
  }
  exports.Set("cpuMemoryStats", Napi::Function::New(env, CpuMemoryStats));
  exports.Set("cpuEmptyCache", Napi::Function::New(env, CpuEmptyCache));
  exports.Set("cpuSetCacheLimit", Napi::Function::New(env, CpuSetCacheLimit));
}

}  // namespace skcdf
