// Executes the writer's commands on the writer thread (osm2pgsql's
// db_copy_thread_t::thread_t): one command at a time, in the order sent, on
// the mirror session, with group commit. Rows wait in TableMerge;
// completions and checkpoints in ListingBook; all of them join the group's
// transaction, which commit_group merges what is pending into and commits,
// and only then are the group's calls answered.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "listing_book.hpp"
#include "marin/storage/mirror_writer.hpp"
#include "mirror_session.hpp"
#include "removal.hpp"
#include "run_log_session.hpp"
#include "table_merge.hpp"
#include "writer_commands.hpp"
#include "writer_group.hpp"

namespace marin::storage::detail {

class WriterExecutor {
  public:
    WriterExecutor(WriterSettings settings, std::shared_ptr<spdlog::logger> log);
    // Its rooms hold references to each other and to its settings.
    WriterExecutor(const WriterExecutor&) = delete;
    WriterExecutor& operator=(const WriterExecutor&) = delete;

    // Connects the mirror session; a failure fails every later call.
    void open();
    void execute(Command& cmd);
    // Whether the open group is WriterSettings::group_max_delay old.
    bool group_due() const;
    // Merges everything pending, commits and answers the group's calls.
    void commit_group();
    // Rolls the group back, drops what waited for it, fails its calls.
    void abandon_group(const std::exception_ptr& error);
    void close();
    // On the callers' thread: throws once the writer has failed.
    void throw_if_failed() const { failure_.throw_if_published(); }
    spdlog::logger& log() { return *log_; }

  private:
    // What the open group did, for the commit's log line.
    struct GroupCounts {
        int merges = 0;
        std::int64_t rows = 0;
        int removals = 0;
    };

    void handle(StopCmd&) {}
    void handle(ReadyCmd& c);
    void handle(RowsCmd& c);
    void handle(CompleteCmd& c);
    void handle(GoneCmd& c);
    void handle(ListingDoneCmd& c);
    void handle(FlushCmd& c);
    void handle(TotalsCmd& c);
    void handle(BeginRunCmd& c);
    void handle(FinishRunCmd& c);

    // One step of the group (writer_group.cpp). A failure is fatal: it
    // breaks the writer and fails every call of the group; false then.
    bool step(const std::string& what, const std::function<void()>& work);
    // A removal whose tables' pending rows are merged already; false when
    // it refused (guard, bad argument) or failed.
    bool removal(const Reply<Unit>& reply, const std::string& what, const std::function<void()>& work);
    void break_writer(std::string message);
    void answer(const std::exception_ptr& error);
    bool merge_table(model::TableId t);
    bool merge_tables(const std::vector<model::TableId>& tables);
    bool merge_all();
    bool process_completions();
    bool record_checkpoints();

    WriterSettings settings_;
    std::shared_ptr<spdlog::logger> log_;
    MirrorSession session_;
    RemovalGuard guard_;
    WriterTotals totals_;
    TableMerge merge_;
    ListingBook book_;
    Removal removal_;
    RunLogSession run_log_;
    Failure failure_;
    HeldReplies held_;
    GroupCounts counts_;
};

}  // namespace marin::storage::detail
