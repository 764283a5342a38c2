// The crawl's RowSink on top of storage::MirrorWriter.
//
// MirrorWriter::write completes when the batch is merged; awaiting that from
// the crawl would make each listing wait for PostgreSQL between pages. This
// adapter lets up to `max_outstanding` batches be in the writer's hands at
// once (memory stays bounded: that many batches), while keeping the one
// ordering that matters: a listing is completed only after all its batches
// were merged.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <exception>
#include <map>
#include <string>

#include "marin/storage/mirror_writer.hpp"
#include "marin/sync/row_sink.hpp"

namespace marin::app {

class WriterSink final : public sync::RowSink {
public:
    WriterSink(boost::asio::any_io_executor executor, storage::MirrorWriter& writer, std::size_t max_outstanding);

    boost::asio::awaitable<void> write(model::TableId table, std::vector<model::Row> rows,
                                       const sync::ListingScope& scope) override;
    boost::asio::awaitable<void> complete_listing(model::TableId table, const sync::ListingScope& scope) override;
    boost::asio::awaitable<void> mark_gone(model::TableId table, std::vector<std::string> key) override;
    boost::asio::awaitable<void> flush() override;

    std::size_t outstanding() const { return outstanding_; }

private:
    boost::asio::awaitable<void> wait_until(auto&& condition);
    void rethrow_failure() const;

    boost::asio::any_io_executor executor_;
    storage::MirrorWriter& writer_;
    std::size_t max_outstanding_;
    std::size_t outstanding_ = 0;
    std::map<std::string, std::size_t> outstanding_by_scope_;
    std::exception_ptr failure_;
    boost::asio::steady_timer changed_;
};

storage::ListingKey to_listing_key(const sync::ListingScope& scope);

}  // namespace marin::app
