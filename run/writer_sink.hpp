// The crawl's RowSink on top of storage::MirrorWriter.
//
// Rows are handed over with MirrorWriter::enqueue, which returns as soon as
// the batch is in the writer's bounded channel: the crawl goes on fetching
// while PostgreSQL merges, and a full channel suspends it (backpressure).
// Completions and checkpoints are queued the same way: the crawl never waits
// for a commit (the writer commits them with the group their rows are in).
// The channel is FIFO, so a listing's completion is processed after all of
// its batches; a failure, or a removal the guard refused, surfaces on the
// next enqueue or on flush() at the end of the crawl.
#pragma once

#include "marin/storage/mirror_writer.hpp"
#include "marin/sync/row_sink.hpp"

namespace marin::run {

class WriterSink final : public sync::RowSink {
  public:
    explicit WriterSink(storage::MirrorWriter& writer) : writer_(writer) {}

    boost::asio::awaitable<void> write(model::TableId table, std::vector<model::Row> rows,
                                       const model::ListingScope& scope) override;
    boost::asio::awaitable<void> complete_listing(model::TableId table, const model::ListingScope& scope) override;
    boost::asio::awaitable<void> mark_gone(model::TableId table, std::vector<std::string> key) override;
    boost::asio::awaitable<void> checkpoint(const model::ListingScope& scope) override;
    boost::asio::awaitable<void> flush() override;

    // The run that checkpoints belong to (MirrorWriter::begin_run's id).
    void set_run_id(std::int64_t run_id) { run_id_ = run_id; }

  private:
    storage::MirrorWriter& writer_;
    std::int64_t run_id_ = 0;
};

}  // namespace marin::run
