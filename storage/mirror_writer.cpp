// The writer's public face: each call encodes its arguments into a command (rows as COPY text, on the caller's thread)
// and sends it to the writer thread.
#include "marin/storage/mirror_writer.hpp"

#include <stdexcept>
#include <string_view>

#include "copy_text.hpp"
#include "merge_sql.hpp"
#include "writer_commands.hpp"
#include "writer_thread.hpp"

namespace marin::storage {

namespace asio = boost::asio;
using detail::Command;
using detail::Unit;
using model::TableId;

namespace {

template <class T>
detail::Reply<T> make_reply() {
    return std::make_shared<detail::OneShot<T>>();
}

// A caller's mistake, reported to the caller before anything is queued.
void check_row_width(TableId table, const std::vector<model::Row>& rows) {
    const auto width = model::table_spec(table).sent_columns().size();
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].values.size() != width)
            throw std::invalid_argument("row " + std::to_string(i) + " for " + detail::table_name(table) + " has " +
                                        std::to_string(rows[i].values.size()) + " values, the table takes " +
                                        std::to_string(width));
}

detail::EncodedRow encode_row(const detail::TableSql& sql, const model::Row& row) {
    detail::EncodedRow e;
    for (auto k : sql.key_positions) {
        detail::append_copy_field(e.key_hash, row.values[k]);
        e.key_hash += '\t';
    }
    detail::append_copy_field(e.key_hash, std::string_view{row.hash});
    // The probe's link columns and _keep follow the hash (merge_sql.hpp).
    for (auto l : sql.link_positions) {
        e.key_hash += '\t';
        detail::append_copy_field(e.key_hash, row.values[l]);
    }
    if (!sql.link_positions.empty()) e.key_hash += row.keeps_links ? "\tt" : "\tf";
    e.keeps_links = row.keeps_links;
    e.line.reserve(row.raw.size() + 256);
    for (const auto& v : row.values) {
        detail::append_copy_field(e.line, v);
        e.line += '\t';
    }
    detail::append_copy_field(e.line, std::string_view{row.raw});
    e.line += '\t';
    detail::append_copy_field(e.line, std::string_view{row.hash});
    return e;
}

// On the caller's thread: checks the rows' width and encodes them as COPY
// text, freeing each row as it goes.
std::vector<detail::EncodedRow> encode_rows(TableId table, std::vector<model::Row> rows) {
    check_row_width(table, rows);
    const auto& sql = detail::table_sql(table);
    std::vector<detail::EncodedRow> out;
    out.reserve(rows.size());
    for (auto& row : rows) {
        out.push_back(encode_row(sql, row));
        row = model::Row{};
    }
    return out;
}

}  // namespace

MirrorWriter::MirrorWriter(WriterSettings settings, std::shared_ptr<spdlog::logger> log)
    : thread_(std::make_unique<detail::WriterThread>(std::move(settings), std::move(log))) {}

MirrorWriter::~MirrorWriter() = default;

// The public calls are plain functions that build the command and hand it to
// a coroutine by move, so callers may pass temporaries (docs/design.md, "GCC
// 12 and coroutine frames").

asio::awaitable<void> MirrorWriter::ready() {
    auto reply = make_reply<Unit>();
    Command cmd{detail::ReadyCmd{reply}};
    return thread_->submit(std::move(cmd), reply);
}

asio::awaitable<void> MirrorWriter::enqueue(TableId table, std::vector<model::Row> rows, ListingKey listing) {
    thread_->throw_if_failed();
    auto encoded = encode_rows(table, std::move(rows));
    Command cmd{detail::RowsCmd{table, std::move(encoded), std::move(listing)}};
    return thread_->send(std::move(cmd));
}

asio::awaitable<void> MirrorWriter::enqueue_complete_listing(TableId table, ListingKey listing) {
    thread_->throw_if_failed();
    Command cmd{detail::CompleteCmd{table, std::move(listing)}};
    return thread_->send(std::move(cmd));
}

asio::awaitable<void> MirrorWriter::mark_gone(TableId table, std::vector<std::string> key_values) {
    auto reply = make_reply<Unit>();
    Command cmd{detail::GoneCmd{table, std::move(key_values), reply}};
    return thread_->submit(std::move(cmd), reply);
}

asio::awaitable<void> MirrorWriter::enqueue_listing_done(std::int64_t run_id, std::string scope) {
    thread_->throw_if_failed();
    Command cmd{detail::ListingDoneCmd{run_id, std::move(scope)}};
    return thread_->send(std::move(cmd));
}

asio::awaitable<void> MirrorWriter::flush() {
    auto reply = make_reply<Unit>();
    Command cmd{detail::FlushCmd{reply}};
    return thread_->submit(std::move(cmd), reply);
}

asio::awaitable<WriterTotals> MirrorWriter::totals() {
    auto reply = make_reply<WriterTotals>();
    Command cmd{detail::TotalsCmd{reply}};
    return thread_->submit(std::move(cmd), reply);
}

asio::awaitable<std::int64_t> MirrorWriter::begin_run(std::string mode) {
    auto reply = make_reply<std::int64_t>();
    Command cmd{detail::BeginRunCmd{std::move(mode), reply}};
    return thread_->submit(std::move(cmd), reply);
}

asio::awaitable<void> MirrorWriter::finish_run(std::int64_t run_id, RunOutcome outcome, RunTotals totals,
                                               std::string error) {
    auto reply = make_reply<Unit>();
    Command cmd{detail::FinishRunCmd{run_id, outcome, std::move(totals), std::move(error), reply}};
    return thread_->submit(std::move(cmd), reply);
}

}  // namespace marin::storage
