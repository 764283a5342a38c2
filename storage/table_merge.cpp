// Stage, probe, classify and merge the pending rows of one table (and refresh the statistics roll-ups they touch).
#include "table_merge.hpp"

#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <spdlog/logger.h>

#include <chrono>

#include "copy_text.hpp"
#include "merge_sql.hpp"
#include "mirror_session.hpp"
#include "removal.hpp"

namespace marin::storage::detail {

using model::TableId;

namespace {

// DELETE leaves dead tuples that no vacuum ever visits in a temporary table,
// and every later merge scans them: at 100k rows the statistics staging table
// reached 200 MB of dead rows. A TRUNCATE costs ~2 ms, so one every couple of
// full batches keeps the table a few MB at most.
constexpr std::int64_t stage_truncate_rows = 4000;

// COPY of whole lines (each ending in '\n') into `table`. tablewriter, not
// stream_to: 6.4's stream_to keeps write_raw_line private. All lines go in
// one write (libpqxx appends the last newline). Values were escaped by
// append_copy_field (UTF-8 safe: every byte it escapes is ASCII). Names come
// from merge_sql.
void copy_lines(pqxx::work& w, const std::string& table, const std::vector<std::string>& columns, std::string& lines) {
    if (lines.empty()) return;
#include <pqxx/internal/ignore-deprecated-pre.hxx>
    pqxx::tablewriter copy(w, table, columns.begin(), columns.end());
#include <pqxx/internal/ignore-deprecated-post.hxx>
    lines.pop_back();
    copy.write_raw_line(lines);
    copy.complete();
}

}  // namespace

TableMerge::Due TableMerge::add(TableId t, std::vector<EncodedRow>& rows, int listing) {
    auto& p = pending_[index(t)];
    const std::string listing_text = listing ? std::to_string(listing) : "\\N";
    const auto probe_before = p.probe.size();
    std::size_t row_bytes = 0;
    for (auto& row : rows) {
        p.probe += row.key_hash;
        p.probe += '\t';
        p.probe += std::to_string(p.entries.size());
        p.probe += '\t';
        p.probe += listing_text;
        p.probe += '\n';
        row_bytes += row.line.size();
        p.entries.push_back({std::move(row.line), listing, row.keeps_links});
    }
    p.any_listing = p.any_listing || listing != 0;
    const auto added = row_bytes + (p.probe.size() - probe_before);
    p.bytes += added;
    pending_bytes_ += added;
    if (p.entries.size() >= settings_.pending_rows) return Due::table;
    if (pending_bytes_ > settings_.pending_bytes) return Due::all;
    return Due::nothing;
}

void TableMerge::clear() {
    for (auto& p : pending_) p = Pending{};
    pending_bytes_ = 0;
}

// Empties a session table in the group's transaction; a temporary table is
// never vacuumed, so now and then TRUNCATE drops the dead tuples.
void TableMerge::empty_session_table(std::int64_t& rows_since_truncate, std::int64_t rows,
                                     const std::string& truncate_sql, const std::string& delete_sql) {
    rows_since_truncate += rows;
    if (rows_since_truncate > stage_truncate_rows) {
        session_.tx().exec0(truncate_sql);
        rows_since_truncate = 0;
    } else {
        session_.tx().exec_prepared0(session_.prepared(delete_sql));
    }
}

// One merge of the pending rows of `t`, in the group's transaction:
//  1. COPY each row's key, hash and _seq into the probe table, and ask
//     which rows are new, changed or unchanged (duplicates: the last wins);
//  2. record the keys each listing held (for removals);
//  3. COPY the new rows straight into the mirror table;
//  4. COPY the changed rows into the staging table and merge them (their
//     previous version goes to the history);
//  5. for statistics, recompute the roll-up rows of the (campaign, day)
//     pairs the new and changed rows belong to.
// An unchanged row costs PostgreSQL its key lookup and nothing more.
void TableMerge::merge(TableId t) {
    auto& p = pending_[index(t)];
    if (p.entries.empty()) return;
    const auto started = std::chrono::steady_clock::now();
    const auto rows = static_cast<std::int64_t>(p.entries.size());
    const auto& sql = table_sql(t);
    auto& w = session_.tx();
    session_.ensure_session_tables(t);
    guard_.touch(session_, t);
    copy_lines(w, sql.probe, sql.probe_copy_columns, p.probe);
    auto c = classify(t, p);
    if (p.any_listing) w.exec_prepared0(session_.prepared(sql.record_seen));
    copy_lines(w, sql.table, sql.table_copy_columns, c.inserts);
    if (c.staged > 0) merge_changed(t, c);
    // Unchanged rows change no roll-up: an unchanged batch skips this.
    if (!c.written.empty()) w.exec_prepared(session_.prepared(sql.refresh_rollups), text_array(c.written));
    empty_session_table(since_truncate_[index(t)].probed, rows, sql.truncate_probe, sql.clear_probe);

    pending_bytes_ -= p.bytes;
    p = Pending{};  // also gives the buffers back
    auto& tt = totals_[t];
    tt.inserted += c.counts.inserted;
    tt.changed += c.counts.changed;
    tt.unchanged += c.counts.unchanged;
    log_.debug(
        "merged {} rows into {}: {} new, {} changed, {} unchanged ({} ms)", rows, table_name(t), c.counts.inserted,
        c.counts.changed, c.counts.unchanged,
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
}

// Asks the probe which rows are new (0), changed (1) or unchanged (2), and
// writes the COPY text of the first two.
TableMerge::Classified TableMerge::classify(TableId t, const Pending& p) {
    const auto& sql = table_sql(t);
    Classified c;
    for (const auto& r : session_.tx().exec_prepared(session_.prepared(sql.classify))) {
        const auto seq = r[0].as<std::size_t>();
        const auto& e = p.entries.at(seq);
        const int kind = r[1].as<int>();
        if (kind != 2 && !sql.refresh_rollups.empty()) c.written.push_back(std::to_string(seq));
        switch (kind) {
            case 0:
                c.inserts += e.line;
                c.inserts += "\tnow\n";  // _synced_at: 'now' is the transaction's start, as now()
                ++c.counts.inserted;
                break;
            case 1:
                c.changes += e.line;
                c.changes += '\t';
                c.changes += std::to_string(seq);
                c.changes += '\t';
                c.changes += e.listing ? std::to_string(e.listing) : "\\N";
                if (!sql.link_positions.empty()) c.changes += e.keeps_links ? "\tt" : "\tf";
                c.changes += '\n';
                ++c.staged;
                ++c.counts.changed;
                break;
            default:
                ++c.counts.unchanged;
        }
    }
    return c;
}

// The changed rows through the staging table into the upsert that keeps
// their previous version in the history.
void TableMerge::merge_changed(TableId t, Classified& c) {
    const auto& sql = table_sql(t);
    auto& w = session_.tx();
    session_.ensure_stage_table(t);
    copy_lines(w, sql.stage, sql.stage_copy_columns, c.changes);
    // Staged rows the merge only refreshed (same content, another hash or a
    // link learnt) changed nothing about the object.
    const auto m = w.exec_prepared1(session_.prepared(sql.merge));
    const auto refreshed = m[0].as<std::int64_t>() - m[1].as<std::int64_t>() - m[2].as<std::int64_t>();
    c.counts.changed -= refreshed;
    c.counts.unchanged += refreshed;
    empty_session_table(since_truncate_[index(t)].staged, c.staged, sql.truncate_stage, sql.clear_stage);
}

}  // namespace marin::storage::detail
