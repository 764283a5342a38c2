// The crawl's task group (a cancellation slot per task, emit, join) and the shield around sink calls.
#include "task_group.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace marin::sync::detail {

namespace asio = boost::asio;

TaskGroup::TaskGroup(asio::any_io_executor executor)
    : executor_(executor), all_ended_(executor, asio::steady_timer::time_point::max()) {}

void TaskGroup::spawn(asio::awaitable<void> task, OnExit on_exit) {
    auto& entry = tasks_.emplace_back();
    ++running_;
    asio::co_spawn(executor_, std::move(task),
                   asio::bind_cancellation_slot(entry.signal.slot(),
                                                [this, &entry, on_exit = std::move(on_exit)](std::exception_ptr e) {
                                                    entry.running = false;
                                                    --running_;
                                                    on_exit(e);
                                                    if (running_ == 0) all_ended_.cancel();
                                                }));
}

void TaskGroup::emit(asio::cancellation_type type) {
    for (auto& task : tasks_) {
        if (task.running) task.signal.emit(type);
    }
}

asio::awaitable<void> TaskGroup::join() {
    while (running_ > 0) {
        // An unconnected slot: the caller's cancellation does not reach this wait.
        (void)co_await all_ended_.async_wait(
            asio::bind_cancellation_slot(asio::cancellation_slot(), asio::as_tuple(asio::use_awaitable)));
    }
}

asio::awaitable<void> shielded(asio::awaitable<void> call) {
    auto executor = co_await asio::this_coro::executor;
    co_await asio::co_spawn(executor, std::move(call),
                            asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
}

}  // namespace marin::sync::detail
