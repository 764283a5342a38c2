// The writer thread (osm2pgsql's db_copy_thread_t): one std::thread that owns
// the writer's sessions, fed by a bounded channel of commands. A full channel
// suspends the sending coroutine: that is the backpressure that bounds memory
// to capacity x batch size. Commands are executed in the order sent
// (WriterExecutor); the open group is committed as soon as the channel is
// momentarily empty, or once it is WriterSettings::group_max_delay old.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <optional>
#include <thread>

#include "writer_commands.hpp"
#include "writer_execute.hpp"

namespace marin::storage::detail {

class WriterThread {
  public:
    // Starts the thread, which connects. Does not block.
    WriterThread(WriterSettings settings, std::shared_ptr<spdlog::logger> log);
    // Lets the writer finish what is queued, then joins the thread.
    ~WriterThread();
    WriterThread(const WriterThread&) = delete;
    WriterThread& operator=(const WriterThread&) = delete;

    // Sends (suspending while the channel is full).
    boost::asio::awaitable<void> send(Command cmd);
    // Sends, then awaits the reply.
    template <class T>
    boost::asio::awaitable<T> submit(Command cmd, Reply<T> reply) {
        co_await send(std::move(cmd));
        co_return co_await reply->async_wait(boost::asio::use_awaitable);
    }
    boost::asio::awaitable<void> submit(Command cmd, Reply<Unit> reply);
    // On the callers' thread: an enqueue to a broken writer fails at once.
    void throw_if_failed() const { executor_.throw_if_failed(); }

  private:
    using Channel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code, Command)>;
    boost::asio::awaitable<void> receive_loop();
    void drain();

    WriterExecutor executor_;      // used on the thread only (but throw_if_failed)
    boost::asio::io_context ioc_;  // the writer thread's: receives commands only
    Channel channel_;              // declared after ioc_: destroyed before it
    // Without it the io_context stops for good the first time its work count
    // drops to zero, which a caller's send can cause before the writer
    // thread has even started running it.
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> keep_alive_;
    std::thread thread_;
};

}  // namespace marin::storage::detail
