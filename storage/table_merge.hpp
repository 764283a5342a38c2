// The merge of one table's pending rows, in the group's transaction. Rows
// wait here (per table, bounded by WriterSettings::pending_rows and
// pending_bytes) so that one merge takes the rows of many commands.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "marin/storage/mirror_writer.hpp"
#include "writer_commands.hpp"

namespace spdlog {
class logger;
}

namespace marin::storage::detail {

class MirrorSession;
class RemovalGuard;

class TableMerge {
  public:
    TableMerge(MirrorSession& session, RemovalGuard& guard, WriterTotals& totals, spdlog::logger& log,
               const WriterSettings& settings)
        : session_(session), guard_(guard), totals_(totals), log_(log), settings_(settings) {}

    // What add() leaves due for a merge now.
    enum class Due { nothing, table, all };
    // The rows join the table's pending rows, their keys recorded as seen by
    // listing id `listing` (0: none).
    Due add(model::TableId t, std::vector<EncodedRow>& rows, int listing);
    std::size_t pending_rows(model::TableId t) const { return pending_[index(t)].entries.size(); }

    // Merges the table's pending rows. Throws on any failure (the group is
    // then abandoned, and clear() drops what was pending).
    void merge(model::TableId t);
    void clear();

  private:
    struct Pending {
        struct Entry {
            std::string line;  // EncodedRow::line
            int listing;       // listing id whose keys record_seen records; 0: none
            bool keeps_links;  // model::Row::keeps_links (staged as _keep on tables with links)
        };
        std::vector<Entry> entries;  // by _seq
        // COPY text of the probe table: key, _hash, _seq, _listing of each row.
        std::string probe;
        std::size_t bytes = 0;     // text held: row and probe lines
        bool any_listing = false;  // some row has a listing: record_seen
    };
    // What classify found: the COPY text of the new and of the changed rows.
    struct Classified {
        std::string inserts;
        std::string changes;
        std::int64_t staged = 0;
        std::vector<std::string> written;  // _seq of the new and changed rows, for the roll-ups
        TableCounts counts;
    };
    // Rows staged or probed in a table between two TRUNCATEs of its session table.
    struct SinceTruncate {
        std::int64_t staged = 0;
        std::int64_t probed = 0;
    };
    static std::size_t index(model::TableId t) { return static_cast<std::size_t>(t); }
    Classified classify(model::TableId t, const Pending& p);
    void merge_changed(model::TableId t, Classified& c);
    void empty_session_table(std::int64_t& rows_since_truncate, std::int64_t rows, const std::string& truncate_sql,
                             const std::string& delete_sql);

    MirrorSession& session_;
    RemovalGuard& guard_;
    WriterTotals& totals_;
    spdlog::logger& log_;
    const WriterSettings& settings_;
    std::array<Pending, model::table_count> pending_;
    std::size_t pending_bytes_ = 0;  // sum of pending_[*].bytes
    std::array<SinceTruncate, model::table_count> since_truncate_;
};

}  // namespace marin::storage::detail
