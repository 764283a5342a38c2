// Coroutines started together, stopped together and awaited together, the
// shape of the task_group in Beast's and Asio's examples (private to
// marin_sync); and a shield that keeps a stop away from one call.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <list>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/steady_timer.hpp>

namespace marin::sync::detail {

// Each task has a cancellation signal of its own, bound to its co_spawn;
// emit() cancels what every running task is waiting for. One executor, one
// thread: no lock. The group must outlive its tasks: join() before it goes.
class TaskGroup {
  public:
    using OnExit = std::function<void(std::exception_ptr)>;

    explicit TaskGroup(boost::asio::any_io_executor executor);
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;

    // Starts `task`; `on_exit` is told how it ended (an exception it let out).
    void spawn(boost::asio::awaitable<void> task, OnExit on_exit);
    // Cancels the wait or operation in progress of every running task.
    void emit(boost::asio::cancellation_type type);
    // Returns once every task has ended. A cancellation of the caller does
    // not end it early (the tasks would outlive what they use).
    boost::asio::awaitable<void> join();
    std::size_t running() const noexcept { return running_; }

  private:
    struct Task {
        boost::asio::cancellation_signal signal;
        bool running = true;
    };

    boost::asio::any_io_executor executor_;
    // A signal lives as long as the group: an ended task's co_spawn still
    // holds a handler in it.
    std::list<Task> tasks_;
    std::size_t running_ = 0;
    boost::asio::steady_timer all_ended_;  // never expires: cancelled when the last task ends
};

// Runs `call` on a coroutine of its own that no cancellation reaches: a
// sink (writer) command is sent whole or not at all, whatever the caller's
// slot says meanwhile.
boost::asio::awaitable<void> shielded(boost::asio::awaitable<void> call);

}  // namespace marin::sync::detail
