// The group commit of WriterExecutor (writer_execute.hpp): what a group merges and records before its commit, and how a
// failure fails it.
#include <spdlog/logger.h>

#include <chrono>
#include <stdexcept>

#include "merge_sql.hpp"
#include "pg_session.hpp"
#include "writer_execute.hpp"

namespace marin::storage::detail {

using model::TableId;

bool WriterExecutor::group_due() const {
    return session_.in_transaction() &&
           std::chrono::steady_clock::now() - session_.transaction_started() >= settings_.group_max_delay;
}

// One step of the group. A failure is fatal: it breaks the writer and fails
// every call of the group; returns false then.
bool WriterExecutor::step(const std::string& what, const std::function<void()>& work) {
    if (failure_.failed()) return false;
    try {
        work();
        return true;
    } catch (const std::exception& e) {
        break_writer(describe(what, e));
        return false;
    }
}

void WriterExecutor::break_writer(std::string message) {
    failure_.set(std::move(message));
    failure_.publish();
    log_->error("{}", failure_.message());
    abandon_group(failure_.now());
}

void WriterExecutor::abandon_group(const std::exception_ptr& error) {
    session_.rollback();
    book_.abandon_group();
    merge_.clear();
    answer(error);
}

void WriterExecutor::answer(const std::exception_ptr& error) {
    held_.answer(error);
    counts_ = {};
}

void WriterExecutor::commit_group() {
    if (failure_.failed()) return;  // the group was failed already
    if (!process_completions() || !merge_all() || !record_checkpoints()) return;
    if (session_.in_transaction()) {
        const auto started = session_.transaction_started();
        const bool ok =
            step("committing " + std::to_string(counts_.merges) + " merges (" + std::to_string(counts_.rows) +
                     " rows) and " + std::to_string(counts_.removals) + " removals",
                 [&] { session_.commit(); });
        if (!ok) return;
        log_->debug(
            "committed {} merges ({} rows), {} removals, {} calls ({} ms)", counts_.merges, counts_.rows,
            counts_.removals, held_.size(),
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
    }
    answer(nullptr);
}

bool WriterExecutor::merge_table(TableId t) {
    const auto rows = merge_.pending_rows(t);
    if (rows == 0) return !failure_.failed();
    if (!step("merging " + std::to_string(rows) + " rows into " + table_name(t), [&] { merge_.merge(t); }))
        return false;
    ++counts_.merges;
    counts_.rows += static_cast<std::int64_t>(rows);
    return true;
}

bool WriterExecutor::merge_tables(const std::vector<TableId>& tables) {
    for (auto t : tables)
        if (!merge_table(t)) return false;
    return true;
}

bool WriterExecutor::merge_all() {
    for (std::size_t i = 0; i < model::table_count; ++i)
        if (!merge_table(static_cast<TableId>(i))) return false;
    return true;
}

// A removal whose tables' pending rows are merged already. The removal guard
// and a caller's bad argument change nothing and leave the writer usable.
// Returns false when it refused or failed. Null reply: a completion, whose
// refusal the next flush reports.
bool WriterExecutor::removal(const Reply<Unit>& reply, const std::string& what, const std::function<void()>& work) {
    std::exception_ptr error;
    std::string refusal;
    const bool ok = step(what, [&] {
        try {
            work();
        } catch (const RemovalGuardError& e) {
            log_->error("{}", e.what());
            error = std::current_exception();
            refusal = e.what();
        } catch (const std::invalid_argument& e) {
            error = std::make_exception_ptr(std::invalid_argument(what + ": " + e.what()));
            refusal = what + ": " + e.what();
        }
    });
    if (!ok) {
        if (reply) reply->set(failure_.now(), Unit{});
        return false;
    }
    ++counts_.removals;
    if (reply)
        held_.hold(reply, Unit{}, error);
    else if (error)
        book_.add_refusal(std::move(refusal));
    return !error;
}

// The group's queued completions, after all its pending rows are merged (so
// every listing's keys are recorded as seen and every child row that a
// cascade may mark is stored).
bool WriterExecutor::process_completions() {
    if (!book_.has_completions()) return !failure_.failed();
    if (!merge_all()) return false;
    for (const auto& c : book_.take_completions()) {
        if (failure_.failed()) continue;
        const auto what = "completing listing " + c.listing.name + " of " + table_name(c.table);
        const bool done = removal(nullptr, what, [&] {
            removal_.unseen(c.table, c.listing, book_.open_id(c.table, c.listing.name));
            book_.close(c.table, c.listing.name);
        });
        if (!done) book_.refused(c.listing.name);
    }
    return step("forgetting the keys of completed listings", [&] { book_.forget_seen_keys(session_); });
}

// A listing whose removals the guard refused is left unrecorded, so a
// resumed run reads it again.
bool WriterExecutor::record_checkpoints() {
    const auto queued = book_.checkpoints_queued();
    if (queued == 0) {
        book_.end_group();
        return !failure_.failed();
    }
    return step("recording " + std::to_string(queued) + " listings done", [&] { book_.record_checkpoints(session_); });
}

}  // namespace marin::storage::detail
