// Executes one writer command on the mirror session (the group it joins commits in writer_group.cpp).
#include "writer_execute.hpp"

#include <spdlog/logger.h>

#include <variant>

#include "merge_sql.hpp"

namespace marin::storage::detail {

using model::TableId;

WriterExecutor::WriterExecutor(WriterSettings settings, std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)),
      log_(log ? std::move(log) : std::make_shared<spdlog::logger>("marin.storage")),
      guard_(settings_.removal_guard_ratio, settings_.removal_guard_min_rows),
      merge_(session_, guard_, totals_, *log_, settings_),
      removal_(session_, guard_, totals_, *log_),
      run_log_(settings_, *log_) {}

void WriterExecutor::open() {
    try {
        session_.open(settings_);
        log_->debug("storage writer connected (backend pid {})", session_.backend_pid());
    } catch (const std::exception& e) {
        failure_.set(e.what());
        log_->error("{}", e.what());
    }
}

void WriterExecutor::execute(Command& cmd) {
    std::visit([this](auto& c) { handle(c); }, cmd);
}

void WriterExecutor::close() {
    session_.close();
    run_log_.close();
}

// Barriers (ready, flush, totals, begin_run, finish_run): the group is
// committed first, so they see (and their reply follows) everything sent
// before them.
void WriterExecutor::handle(ReadyCmd& c) {
    commit_group();
    c.reply->set(failure_.failed() ? failure_.earlier() : nullptr, Unit{});
}

void WriterExecutor::handle(FlushCmd& c) {
    commit_group();
    if (failure_.failed())
        c.reply->set(failure_.earlier(), Unit{});
    else if (auto refusals = book_.take_refusals())
        c.reply->set(std::make_exception_ptr(StorageError(*refusals)), Unit{});
    else
        c.reply->set(nullptr, Unit{});
}

void WriterExecutor::handle(TotalsCmd& c) {
    commit_group();
    c.reply->set(nullptr, totals_);
}

// Rows join the table's pending rows; they are merged when the table has
// settings.pending_rows of them, when all pending rows pass
// settings.pending_bytes, before a removal that reads the table, or when the
// group commits.
void WriterExecutor::handle(RowsCmd& c) {
    if (failure_.failed()) return;
    if (c.rows.empty()) {
        // Nothing to merge, but the call still touches the table (the
        // removal guard's baseline).
        step("merging 0 rows into " + table_name(c.table), [&] { guard_.touch(session_, c.table); });
        return;
    }
    const bool seen = model::table_spec(c.table).removable && !c.listing.name.empty();
    const int listing = seen ? book_.listing_id(c.table, c.listing.name) : 0;
    switch (merge_.add(c.table, c.rows, listing)) {
        case TableMerge::Due::table:
            merge_table(c.table);
            break;
        case TableMerge::Due::all:
            merge_all();
            break;
        case TableMerge::Due::nothing:
            break;
    }
}

// Completions wait for the group's commit (ListingBook).
void WriterExecutor::handle(CompleteCmd& c) {
    if (failure_.failed()) return;
    if (book_.queue_completion(c.table, std::move(c.listing))) process_completions();
}

// At once, after the pending rows of the tables it reads; answered when the group commits.
void WriterExecutor::handle(GoneCmd& c) {
    if (failure_.failed()) {
        c.reply->set(failure_.earlier(), Unit{});
        return;
    }
    if (!merge_tables(Removal::reach(c.table))) {
        c.reply->set(failure_.now(), Unit{});
        return;
    }
    removal(c.reply, "marking a row of " + table_name(c.table) + " gone", [&] { removal_.by_key(c.table, c.key); });
}

// The checkpoint is recorded in the group's transaction when it commits
// (after its merges): so a recorded listing's rows are committed with it.
void WriterExecutor::handle(ListingDoneCmd& c) {
    if (failure_.failed()) return;
    book_.queue_checkpoint(c.run_id, std::move(c.scope));
}

// Run bookkeeping: its own session, independent of the mirror's fate.
void WriterExecutor::handle(BeginRunCmd& c) {
    commit_group();  // the counts below start after what was sent before
    try {
        const auto run_id = run_log_.begin(c.mode);
        guard_.new_run();
        totals_.clear();
        log_->info("run {} began ({})", run_id, c.mode);
        c.reply->set(nullptr, run_id);
    } catch (const StorageError&) {
        c.reply->set(std::current_exception(), 0);
    }
}

void WriterExecutor::handle(FinishRunCmd& c) {
    commit_group();  // completes after every write sent before it
    try {
        run_log_.finish(c.run_id, c.outcome, c.totals, c.error);
        log_->info("run {} {}", c.run_id, to_string(c.outcome));
        c.reply->set(nullptr, Unit{});
    } catch (const std::exception&) {
        c.reply->set(std::current_exception(), Unit{});
    }
}

}  // namespace marin::storage::detail
