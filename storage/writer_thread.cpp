// The writer thread: its bounded channel of commands, the receive loop that decides when a group commits, and its end.
#include "writer_thread.hpp"

#include <boost/asio/co_spawn.hpp>
#include <spdlog/logger.h>

#include <algorithm>
#include <tuple>
#include <variant>

namespace marin::storage::detail {

namespace asio = boost::asio;

WriterThread::WriterThread(WriterSettings settings, std::shared_ptr<spdlog::logger> log)
    : executor_(settings, std::move(log)),
      channel_(ioc_, std::max<std::size_t>(settings.channel_capacity, 1)),
      keep_alive_(ioc_.get_executor()) {
    thread_ = std::thread([this] {
        asio::co_spawn(ioc_, receive_loop(), [this](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    executor_.log().critical("storage writer loop ended by an exception: {}", ex.what());
                }
            }
            drain();
            keep_alive_.reset();
        });
        ioc_.run();
        executor_.close();
    });
}

WriterThread::~WriterThread() {
    // A message, not close(): closing a 1.81 channel drops what it holds.
    channel_.async_send(boost::system::error_code{}, Command{StopCmd{}}, [](boost::system::error_code) {});
    if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> WriterThread::send(Command cmd) {
    // A named result (docs/design.md, "GCC 12 and coroutine frames").
    const std::tuple<boost::system::error_code> sent =
        co_await channel_.async_send(boost::system::error_code{}, std::move(cmd), asio::as_tuple(asio::use_awaitable));
    if (const auto ec = std::get<0>(sent)) throw StorageError("the storage writer is stopped: " + ec.message());
}

asio::awaitable<void> WriterThread::submit(Command cmd, Reply<Unit> reply) {
    co_await send(std::move(cmd));
    co_await reply->async_wait(asio::use_awaitable);
}

asio::awaitable<void> WriterThread::receive_loop() {
    executor_.open();
    for (;;) {
        std::tuple<boost::system::error_code, Command> received =
            co_await channel_.async_receive(asio::as_tuple(asio::use_awaitable));
        auto& cmd = std::get<1>(received);
        if (std::get<0>(received) || std::holds_alternative<StopCmd>(cmd)) {
            executor_.commit_group();  // the destructor lets queued work finish
            break;
        }
        executor_.execute(cmd);
        // Group commit: while more commands wait, their work joins the open
        // transaction; once the channel is empty (or the group is old),
        // merge what is pending, commit and answer.
        if (!channel_.ready() || executor_.group_due()) executor_.commit_group();
    }
    executor_.log().debug("storage writer stopped");
}

// Commands sent after the end (a caller's bug) fail instead of hanging, and
// so do calls of a group the loop left behind (only on a bug: the loop
// commits its group before it stops).
void WriterThread::drain() {
    const auto stopped = std::make_exception_ptr(StorageError("the storage writer is stopped"));
    executor_.abandon_group(stopped);
    while (channel_.try_receive([&](boost::system::error_code, Command cmd) {
        std::visit(
            [&](auto& c) {
                if constexpr (requires { c.reply; })
                    if (c.reply) c.reply->set(stopped, {});
            },
            cmd);
    })) {}
    channel_.close();
}

}  // namespace marin::storage::detail
