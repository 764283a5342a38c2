#include "writer_sink.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace marin::app {

namespace asio = boost::asio;

storage::ListingKey to_listing_key(const sync::ListingScope& scope) {
    return storage::ListingKey{scope.name, scope.parent_filter};
}

WriterSink::WriterSink(asio::any_io_executor executor, storage::MirrorWriter& writer, std::size_t max_outstanding)
    : executor_(executor),
      writer_(writer),
      max_outstanding_(std::max<std::size_t>(1, max_outstanding)),
      changed_(executor, asio::steady_timer::time_point::max()) {}

void WriterSink::rethrow_failure() const {
    if (failure_) std::rethrow_exception(failure_);
}

asio::awaitable<void> WriterSink::wait_until(auto&& condition) {
    while (!condition() && !failure_) {
        boost::system::error_code ec;
        co_await changed_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    rethrow_failure();
}

asio::awaitable<void> WriterSink::write(model::TableId table, std::vector<model::Row> rows,
                                        const sync::ListingScope& scope) {
    co_await wait_until([this] { return outstanding_ < max_outstanding_; });
    ++outstanding_;
    ++outstanding_by_scope_[scope.name];
    asio::co_spawn(executor_, writer_.write(table, std::move(rows), to_listing_key(scope)),
                   [this, name = scope.name](std::exception_ptr e, storage::BatchResult) {
                       if (e && !failure_) failure_ = e;
                       --outstanding_;
                       if (auto it = outstanding_by_scope_.find(name); it != outstanding_by_scope_.end() &&
                                                                       --it->second == 0)
                           outstanding_by_scope_.erase(it);
                       changed_.cancel();
                   });
}

asio::awaitable<void> WriterSink::complete_listing(model::TableId table, const sync::ListingScope& scope) {
    co_await wait_until([&] { return !outstanding_by_scope_.contains(scope.name); });
    co_await writer_.complete_listing(table, to_listing_key(scope));
}

asio::awaitable<void> WriterSink::mark_gone(model::TableId table, std::vector<std::string> key) {
    co_await writer_.mark_gone(table, std::move(key));
}

asio::awaitable<void> WriterSink::flush() {
    co_await wait_until([this] { return outstanding_ == 0; });
    co_await writer_.flush();
}

}  // namespace marin::app
