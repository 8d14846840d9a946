#include "common/parallel.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace bntrain {
namespace {

thread_local bool inside_parallel_region = false;

// Workers sleep on `wake` until `generation` changes, run their chunk, then count down `pending`.
// One job at a time: `submit_mutex` serializes callers from different JS threads (worker_threads).
class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
  }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(int64_t count, ChunkBody body) {
    std::lock_guard<std::mutex> submit(submit_mutex_);
    const int64_t chunks = std::min<int64_t>(count, size());
    {
      std::lock_guard<std::mutex> lock(mutex_);
      body_ = body;
      count_ = count;
      chunks_ = chunks;
      pending_ = static_cast<int>(chunks) - 1;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();

    run_chunk(0);

    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    body_ = {};
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run_chunk(int64_t chunk) {
    // Chunk boundaries depend only on count and chunks_, never on timing.
    const int64_t begin = count_ * chunk / chunks_;
    const int64_t end = count_ * (chunk + 1) / chunks_;
    inside_parallel_region = true;
    try {
      body_.call(body_.body, begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    inside_parallel_region = false;
  }

  void worker_loop(int index) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stopping_) return;
        if (index >= chunks_) continue;
      }
      run_chunk(index);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        --pending_;
      }
      done_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex submit_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  ChunkBody body_{};
  int64_t count_ = 0;
  int64_t chunks_ = 1;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

std::mutex pool_mutex;
std::shared_ptr<ThreadPool> pool;

int default_threads() {
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware == 0 ? 1 : static_cast<int>(std::min(hardware, 256u));
}

std::shared_ptr<ThreadPool> current_pool() {
  std::lock_guard<std::mutex> lock(pool_mutex);
  if (!pool) pool = std::make_shared<ThreadPool>(default_threads());
  return pool;
}

}  // namespace

void parallel_for_chunks(int64_t count, ChunkBody body) {
  if (count <= 0) return;
  if (inside_parallel_region) {
    body.call(body.body, 0, count);
    return;
  }
  auto active = current_pool();
  if (active->size() == 1 || count == 1) {
    body.call(body.body, 0, count);
    return;
  }
  active->run(count, body);
}

int num_threads() { return current_pool()->size(); }

void set_num_threads(int threads) {
  if (threads < 1 || threads > 256) throw std::invalid_argument("thread count must be in [1, 256]");
  std::lock_guard<std::mutex> lock(pool_mutex);
  if (pool && pool->size() == threads) return;
  pool = std::make_shared<ThreadPool>(threads);
}

}  // namespace bntrain
