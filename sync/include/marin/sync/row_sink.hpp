// Where the crawl sends rows. The storage library's writer implements it
// (through an adapter in run/), so that sync/ never depends on PostgreSQL.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "marin/model/row.hpp"
#include "marin/model/run_vocabulary.hpp"
#include "marin/model/table_spec.hpp"

namespace marin::sync {

class RowSink {
  public:
    virtual ~RowSink() = default;
    // Queues rows of one listing; returns once they are queued (a full queue
    // suspends the caller: that is the backpressure that bounds memory).
    virtual boost::asio::awaitable<void> write(model::TableId table, std::vector<model::Row> rows,
                                               const model::ListingScope& scope) = 0;
    // The listing was read to its end: rows it covers that it did not hold
    // are to be marked removed. Called only after every write of the listing.
    virtual boost::asio::awaitable<void> complete_listing(model::TableId table, const model::ListingScope& scope) = 0;
    // A child listing answered 404: its parent is gone.
    virtual boost::asio::awaitable<void> mark_gone(model::TableId table, std::vector<std::string> key) = 0;
    // A listing without children was read to its end and stored: a run that
    // resumes this one after an interruption may skip it.
    virtual boost::asio::awaitable<void> checkpoint(const model::ListingScope& scope) = 0;
    // Waits until everything queued is committed (or throws what failed).
    virtual boost::asio::awaitable<void> flush() = 0;
};

}  // namespace marin::sync
