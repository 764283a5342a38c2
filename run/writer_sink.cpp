// The crawl's RowSink on top of the writer.
#include "writer_sink.hpp"

namespace marin::run {

namespace asio = boost::asio;

// Arguments are named locals, never temporaries built inside the co_await
// expression (docs/design.md, "GCC 12 and coroutine frames").

asio::awaitable<void> WriterSink::write(model::TableId table, std::vector<model::Row> rows,
                                        const model::ListingScope& scope) {
    model::ListingScope key = scope;
    co_await writer_.enqueue(table, std::move(rows), std::move(key));
}

asio::awaitable<void> WriterSink::complete_listing(model::TableId table, const model::ListingScope& scope) {
    model::ListingScope key = scope;
    co_await writer_.enqueue_complete_listing(table, std::move(key));
}

asio::awaitable<void> WriterSink::mark_gone(model::TableId table, std::vector<std::string> key) {
    co_await writer_.mark_gone(table, std::move(key));
}

asio::awaitable<void> WriterSink::checkpoint(const model::ListingScope& scope) {
    auto name = scope.name;
    co_await writer_.enqueue_listing_done(run_id_, std::move(name));
}

asio::awaitable<void> WriterSink::flush() { co_await writer_.flush(); }

}  // namespace marin::run
