// A fixed pool of worker threads with a bounded queue.
//
// Submit() blocks while the queue is full: that back-pressure is what keeps a
// backup's memory bounded when reading outruns compression or upload.
// Thread safety: every method may be called from any thread, including from
// tasks, except Wait()/destructor, which must not be called from a task.
// Beware Submit() from a task: when the queue is full it blocks a worker, and
// if every worker blocks so, nothing drains the queue and the pool deadlocks.
// Fan-out from tasks belongs on a second pool (or a queue that cannot fill).
// The destructor runs every task still queued before it returns.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace arkiv {

class ThreadPool {
 public:
  ThreadPool(size_t threads, size_t max_queued);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task`; blocks while `max_queued` tasks are already waiting.
  void Submit(std::function<void()> task);

  // Runs `fn` on the pool and returns its future result.
  template <typename F>
  auto Async(F fn) -> std::future<decltype(fn())> {
    auto task = std::make_shared<std::packaged_task<decltype(fn())()>>(std::move(fn));
    auto future = task->get_future();
    Submit([task] { (*task)(); });
    return future;
  }

  // Blocks until the queue is empty and no task is running.
  void Wait();
  size_t size() const { return threads_.size(); }

 private:
  void WorkerLoop();

  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> queue_;
  size_t max_queued_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// Number of worker threads to use by default: the cores this process may run on.
size_t DefaultParallelism();

}  // namespace arkiv
