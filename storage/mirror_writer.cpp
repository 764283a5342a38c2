#include "marin/storage/mirror_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <spdlog/logger.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <bitset>
#include <cmath>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <variant>

#include "copy_text.hpp"
#include "merge_sql.hpp"
#include "one_shot.hpp"
#include "pg_session.hpp"
#include "run_log_sql.hpp"

namespace marin::storage {

namespace asio = boost::asio;
using model::TableId;

namespace {

struct Unit {};
template <class T>
using Reply = std::shared_ptr<detail::OneShot<T>>;

struct StopCmd {};
struct ReadyCmd { Reply<Unit> reply; };
// A row as COPY text, encoded on the caller's thread (escaping is most of the
// writer's own CPU, and the writer thread is the one PostgreSQL waits on):
// `key_hash` is its key fields and _hash (then, on tables with link columns,
// the links and whether the row keeps them), `line` its sent values, _raw and
// _hash, both tab-separated and without the final newline.
struct EncodedRow {
    std::string key_hash;
    std::string line;
    bool keeps_links = false;
};
struct WriteCmd { TableId table; std::vector<EncodedRow> rows; ListingKey listing; };
struct CompleteCmd { TableId table; ListingKey listing; };
struct GoneCmd { TableId table; std::vector<std::string> key; Reply<Unit> reply; };
struct FlushCmd { Reply<Unit> reply; };
struct BeginRunCmd { std::string mode; Reply<std::int64_t> reply; };
struct FinishRunCmd {
    std::int64_t run_id;
    RunOutcome outcome;
    RunTotals totals;
    std::string error;
    Reply<Unit> reply;
};
struct ListingDoneCmd { std::int64_t run_id; std::string scope; };
struct TotalsCmd { Reply<WriterTotals> reply; };

using Command = std::variant<StopCmd, ReadyCmd, WriteCmd, CompleteCmd, GoneCmd, FlushCmd, BeginRunCmd, FinishRunCmd,
                             ListingDoneCmd, TotalsCmd>;
using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code, Command)>;

// Deleted seen-key rows tolerated in a session table before it is truncated
// (when no listing of the table is open): temporary tables get no autovacuum.
constexpr std::int64_t seen_truncate_threshold = 20'000;

std::string table_name(TableId t) { return "marin." + std::string(model::table_spec(t).name); }

}  // namespace

struct MirrorWriter::Impl {
    Impl(WriterSettings s, std::shared_ptr<spdlog::logger> l)
        : settings(std::move(s)),
          log(l ? std::move(l) : std::make_shared<spdlog::logger>("marin.storage")),
          channel(ioc, std::max<std::size_t>(settings.channel_capacity, 1)),
          keep_alive(ioc.get_executor()) {}

    WriterSettings settings;
    std::shared_ptr<spdlog::logger> log;
    asio::io_context ioc;  // the writer thread's: receives commands only
    Channel channel;       // declared after ioc: destroyed before it
    // Without it the io_context stops for good the first time its work count
    // drops to zero, which a caller's send can cause before the writer
    // thread has even started running it.
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_alive;
    std::thread thread;

    // ---- writer-thread state below ----
    std::unique_ptr<pqxx::connection> conn;  // the mirror session
    int backend_pid = 0;
    std::optional<std::string> failure;      // first fatal error: fails every later call
    std::unique_ptr<pqxx::connection> run_conn;  // run log session, holds the run's liveness lock
    std::bitset<model::table_count> session_tables;  // probe and seen created
    std::bitset<model::table_count> stage_tables;
    std::bitset<model::table_count> gone_tables;
    // Session gone tables that may hold rows (see remove_rows); set only after
    // the table was created. Only a broken writer rolls a group back, and it
    // runs no statement after that.
    std::bitset<model::table_count> gone_filled;
    // SQL text -> name of the statement prepared on the mirror session.
    std::unordered_map<std::string, std::string> prepared_names;
    struct TableState {
        std::optional<std::int64_t> live_at_first_touch;
        std::int64_t removed_this_run = 0;
        std::map<std::string, int> open_listings;  // scope -> listing id
        std::int64_t seen_dead_rows = 0;
        std::vector<int> seen_to_forget;  // completed listings whose seen keys go next
        std::int64_t staged_since_truncate = 0;
        std::int64_t probed_since_truncate = 0;
    };
    std::array<TableState, model::table_count> tables;
    int next_listing_id = 1;
    WriterTotals totals;

    // Rows received but not merged yet, per table: the rows themselves, and
    // the COPY text of the probe table (key, _hash, _seq, _listing of each).
    // The rows' own COPY text is written only for the new and changed ones.
    struct Pending {
        struct Entry {
            std::string line;  // EncodedRow::line
            int listing;       // listing id whose keys record_seen records; 0: none
            bool keeps_links;  // model::Row::keeps_links (staged as _keep on tables with links)
        };
        std::vector<Entry> entries;  // by _seq
        std::string probe;
        std::size_t bytes = 0;       // text held: row and probe lines
        bool any_listing = false;    // some row has a listing: record_seen
    };
    std::array<Pending, model::table_count> pending;
    std::size_t pending_bytes = 0;  // sum of pending[*].bytes

    // Completions and checkpoints wait for the group's commit: processed then,
    // after every pending row is merged, they need no merge of their own, so
    // merges stay large however short the listings (a merge per listing cost
    // a dozen round trips each, and bounded an unchanged resync).
    struct QueuedCompletion {
        TableId table;
        ListingKey listing;
    };
    std::vector<QueuedCompletion> completions;
    std::vector<std::pair<std::int64_t, std::string>> checkpoints;  // run id, scope
    std::set<std::string> refused_scopes;  // this group's completions the guard refused
    // Guard refusals of completions, reported by the next flush.
    std::vector<std::string> refusals;
    static constexpr std::size_t max_queued_completions = 500;
    // The first fatal error, readable by the callers' thread so that
    // enqueue fails at once instead of feeding a broken writer.
    mutable std::mutex shared_failure_mutex;
    std::optional<std::string> shared_failure;

    // The open group: one transaction shared by merges, removals and
    // checkpoints; the replies of its calls are held until it commits.
    std::unique_ptr<pqxx::work> group_tx;  // declared after conn: destroyed before it
    std::chrono::steady_clock::time_point group_started;
    std::vector<std::function<void(const std::exception_ptr&)>> deferred;  // null: the group committed
    int group_merges = 0;
    std::int64_t group_rows = 0;
    int group_removals = 0;

    TableState& state(TableId t) { return tables[static_cast<std::size_t>(t)]; }
    Pending& pending_of(TableId t) { return pending[static_cast<std::size_t>(t)]; }
    // Rows staged in a table between two TRUNCATEs of its staging table.
    // DELETE leaves dead tuples that no vacuum ever visits in a temporary
    // table, and every later merge scans them: at 100k rows the statistics
    // staging table reached 200 MB of dead rows. A TRUNCATE costs ~2 ms, so
    // one every couple of full batches keeps the table a few MB at most.
    static constexpr std::int64_t stage_truncate_rows = 4000;

    // ---- Asio side ----
    // Sends (suspending while the channel is full), then awaits the reply.
    template <class T>
    asio::awaitable<T> submit(Command cmd, Reply<T> reply) {
        co_await send(std::move(cmd));
        co_return co_await reply->async_wait(asio::use_awaitable);
    }

    asio::awaitable<void> submit_void(Command cmd, Reply<Unit> reply) {
        co_await send(std::move(cmd));
        co_await reply->async_wait(asio::use_awaitable);
    }

    asio::awaitable<void> send(Command cmd) {
        // Named results, no structured bindings or braced temporaries around
        // co_await: GCC 12 mishandles their lifetimes in coroutines.
        const std::tuple<boost::system::error_code> sent = co_await channel.async_send(
            boost::system::error_code{}, std::move(cmd), asio::as_tuple(asio::use_awaitable));
        if (const auto ec = std::get<0>(sent)) throw StorageError("the storage writer is stopped: " + ec.message());
    }

    void start() {
        thread = std::thread([this] {
            asio::co_spawn(ioc, receive_loop(), [this](std::exception_ptr e) {
                if (e) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const std::exception& ex) {
                        log->critical("storage writer loop ended by an exception: {}", ex.what());
                    }
                }
                drain();
                keep_alive.reset();
            });
            ioc.run();
            group_tx.reset();
            conn.reset();
            run_conn.reset();
        });
    }

    void stop() {
        // A message, not close(): closing a 1.81 channel drops what it holds.
        channel.async_send(boost::system::error_code{}, Command{StopCmd{}}, [](boost::system::error_code) {});
        if (thread.joinable()) thread.join();
    }

    // ---- writer thread ----

    // Commands sent after the end (a caller's bug) fail instead of hanging,
    // and so do calls of a group the loop left behind (only on a bug: the
    // loop commits its group before it stops).
    void drain() {
        const auto stopped = std::make_exception_ptr(StorageError("the storage writer is stopped"));
        abandon_group(stopped);
        while (channel.try_receive([&](boost::system::error_code, Command cmd) {
            std::visit([&](auto& c) {
                if constexpr (requires { c.reply; })
                    if (c.reply) c.reply->set(stopped, {});
            }, cmd);
        })) {
        }
        channel.close();
    }

    asio::awaitable<void> receive_loop() {
        open_session();
        for (;;) {
            std::tuple<boost::system::error_code, Command> received =
                co_await channel.async_receive(asio::as_tuple(asio::use_awaitable));
            auto& cmd = std::get<1>(received);
            if (std::get<0>(received) || std::holds_alternative<StopCmd>(cmd)) {
                commit_group();  // the destructor lets queued work finish
                break;
            }
            std::visit([this](auto& c) { handle(c); }, cmd);
            // Group commit: while more commands wait, their work joins the
            // open transaction; once the channel is empty (or the group is
            // old), merge what is pending, commit and answer.
            if (!channel.ready() || group_due()) commit_group();
        }
        log->debug("storage writer stopped");
    }

    void open_session() {
        try {
            conn = detail::connect(settings.dsn, "storage writer", settings.statement_timeout, "marin-sync writer");
            // The group commits do not wait for their WAL to reach the disk
            // (a wait of several ms each, which bounded short listings). That
            // is safe for a mirror: a database crash can only lose the last
            // commits whole (rows and their checkpoints together), which the
            // next run writes again; and the run's end is recorded by the run
            // log's own, synchronous, commit, whose WAL flush makes every
            // earlier commit of this session durable first.
            pqxx::nontransaction(*conn).exec0("SET synchronous_commit = off");
            if (settings.write_lock) detail::take_write_lock(*conn, *settings.write_lock);
            backend_pid = conn->backendpid();
            log->debug("storage writer connected (backend pid {})", backend_pid);
        } catch (const std::exception& e) {
            failure = e.what();
            log->error("{}", e.what());
        }
    }

    std::exception_ptr failure_error() const {
        return std::make_exception_ptr(StorageError("storage writer failed earlier: " + *failure));
    }

    // ---- the group ----

    // The group's transaction, begun on first use.
    pqxx::work& tx() {
        if (!group_tx) {
            check_session();
            group_tx = std::make_unique<pqxx::work>(*conn, "group");
            group_started = std::chrono::steady_clock::now();
        }
        return *group_tx;
    }

    bool group_due() const {
        return group_tx && std::chrono::steady_clock::now() - group_started >= settings.group_max_delay;
    }

    // Holds a reply until the group commits (or fails: then every held reply
    // gets the group's error instead).
    template <class T>
    void defer(const Reply<T>& reply, T value, std::exception_ptr error = nullptr) {
        deferred.push_back([reply, value = std::move(value), error](const std::exception_ptr& group_error) mutable {
            if (group_error)
                reply->set(group_error, T{});
            else
                reply->set(error, std::move(value));
        });
    }

    // One step of the group. A failure is fatal: it breaks the writer and
    // fails every call of the group; returns false then.
    template <class F>
    bool step(const std::string& what, F&& work) {
        if (failure) return false;
        try {
            work();
            return true;
        } catch (const std::exception& e) {
            break_writer(detail::describe(what, e));
            return false;
        }
    }

    void break_writer(std::string message) {
        failure = std::move(message);
        {
            std::lock_guard lock(shared_failure_mutex);
            shared_failure = failure;
        }
        log->error("{}", *failure);
        abandon_group(std::make_exception_ptr(StorageError(*failure)));
    }

    // Rolls the group back and fails its calls.
    void abandon_group(const std::exception_ptr& error) {
        group_tx.reset();  // aborts (never throws)
        completions.clear();
        checkpoints.clear();
        refused_scopes.clear();
        for (auto& p : pending) p = Pending{};
        pending_bytes = 0;
        deliver(error);
    }

    void deliver(const std::exception_ptr& error) {
        auto replies = std::exchange(deferred, {});
        for (auto& r : replies) r(error);
        group_merges = 0;
        group_rows = 0;
        group_removals = 0;
    }

    // Merges everything pending, commits and answers the group's calls.
    void commit_group() {
        if (failure) return;  // the group was failed already
        if (!process_completions() || !merge_all_pending() || !record_checkpoints()) return;
        if (group_tx) {
            const auto started = group_started;
            const bool ok = step("committing " + std::to_string(group_merges) + " merges (" +
                                     std::to_string(group_rows) + " rows) and " + std::to_string(group_removals) +
                                     " removals",
                                 [&] { group_tx->commit(); });
            if (!ok) return;
            group_tx.reset();
            log->debug("committed {} merges ({} rows), {} removals, {} calls ({} ms)", group_merges, group_rows,
                       group_removals, deferred.size(),
                       std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                           .count());
        }
        deliver(nullptr);
    }

    bool merge_all_pending() {
        for (std::size_t i = 0; i < pending.size(); ++i)
            if (!merge_pending(static_cast<TableId>(i))) return false;
        return true;
    }

    // The rows a removal rooted at `root` reads or marks: merged before it.
    static std::vector<TableId> reach(TableId root) {
        std::vector<TableId> out{root};
        for (const auto& link : detail::cascades())
            if (std::find(out.begin(), out.end(), link.parent) != out.end() &&
                std::find(out.begin(), out.end(), link.child) == out.end())
                out.push_back(link.child);
        return out;
    }

    bool merge_pending(const std::vector<TableId>& ts) {
        for (auto t : ts)
            if (!merge_pending(t)) return false;
        return true;
    }

    // ---- the session ----

    void check_session() {
        if (!conn || !conn->is_open()) throw pqxx::broken_connection("the session is closed");
        if (const int pid = conn->backendpid(); pid != backend_pid)
            throw StorageError("the PostgreSQL session was replaced (backend pid " + std::to_string(backend_pid) +
                               " -> " + std::to_string(pid) + "): its temporary tables are gone");
    }

    // The name of `sql` prepared on the mirror session (prepared on first use).
    const std::string& prepared(const std::string& sql) {
        if (const auto found = prepared_names.find(sql); found != prepared_names.end()) return found->second;
        std::string name = "marin_" + std::to_string(prepared_names.size() + 1);
        conn->prepare(name, sql);
        return prepared_names.emplace(sql, std::move(name)).first->second;
    }

    // Creates the probe and seen tables of `t` the first time it is used;
    // the staging and gone tables wait for a changed row or a removal, which
    // an unchanged resync never has (each CREATE TEMP TABLE writes catalogue
    // rows, and their WAL, and costs a few ms).
    void ensure_session_tables(TableId t) {
        const auto i = static_cast<std::size_t>(t);
        if (session_tables[i]) return;
        const auto& sql = detail::table_sql(t);
        auto& w = tx();
        w.exec0(sql.create_probe);
        if (!sql.create_seen.empty()) w.exec0(sql.create_seen);
        session_tables[i] = true;
    }

    void ensure_stage_table(TableId t) {
        const auto i = static_cast<std::size_t>(t);
        if (stage_tables[i]) return;
        tx().exec0(detail::table_sql(t).create_stage);
        stage_tables[i] = true;
    }

    void ensure_gone_table(TableId t) {
        const auto i = static_cast<std::size_t>(t);
        const auto& create = detail::table_sql(t).create_gone;
        if (gone_tables[i] || create.empty()) return;
        tx().exec0(create);
        gone_tables[i] = true;
    }

    // The removal guard compares against the live rows of a table when this
    // run first touched it.
    void touch(pqxx::transaction_base& w, TableId t) {
        auto& st = state(t);
        if (!st.live_at_first_touch)
            st.live_at_first_touch = w.exec_prepared1(prepared(detail::table_sql(t).count_live))[0].as<std::int64_t>();
    }

    int listing_id(TableId t, const std::string& scope) {
        auto& open = state(t).open_listings;
        auto [it, added] = open.try_emplace(scope, next_listing_id);
        if (added) ++next_listing_id;
        return it->second;
    }

    // ---- commands ----

    // Barriers: the group is committed first, so they see (and their reply
    // follows) everything sent before them.
    void handle(ReadyCmd& c) {
        commit_group();
        c.reply->set(failure ? failure_error() : nullptr, Unit{});
    }

    void handle(FlushCmd& c) {
        commit_group();
        if (failure) {
            c.reply->set(failure_error(), Unit{});
        } else if (!refusals.empty()) {
            std::string message = refusals.front();
            if (refusals.size() > 1) message += " (and " + std::to_string(refusals.size() - 1) + " more refusals)";
            refusals.clear();
            c.reply->set(std::make_exception_ptr(StorageError(message)), Unit{});
        } else {
            c.reply->set(nullptr, Unit{});
        }
    }

    void handle(TotalsCmd& c) {
        commit_group();
        c.reply->set(nullptr, totals);
    }

    // Rows join the table's pending rows; they are merged when the table has
    // settings.pending_rows of them, when all pending rows pass
    // settings.pending_bytes, before a removal that reads the table, or when
    // the group commits.
    void handle(WriteCmd& c) {
        if (failure) return;
        const auto& spec = model::table_spec(c.table);
        if (c.rows.empty()) {
            // Nothing to merge, but the call still touches the table (the
            // removal guard's baseline).
            step("merging 0 rows into " + table_name(c.table), [&] { touch(tx(), c.table); });
            return;
        }
        auto& p = pending_of(c.table);
        const bool seen = spec.removable && !c.listing.scope.empty();
        const int listing = seen ? listing_id(c.table, c.listing.scope) : 0;
        const std::string listing_text = seen ? std::to_string(listing) : "\\N";
        const auto probe_before = p.probe.size();
        std::size_t row_bytes = 0;
        for (auto& row : c.rows) {
            p.probe += row.key_hash;
            p.probe += '\t';
            p.probe += std::to_string(p.entries.size());
            p.probe += '\t';
            p.probe += listing_text;
            p.probe += '\n';
            row_bytes += row.line.size();
            p.entries.push_back({std::move(row.line), listing, row.keeps_links});
        }
        p.any_listing = p.any_listing || seen;
        const auto added = row_bytes + (p.probe.size() - probe_before);
        p.bytes += added;
        pending_bytes += added;
        if (p.entries.size() >= settings.pending_rows)
            merge_pending(c.table);
        else if (pending_bytes > settings.pending_bytes)
            merge_all_pending();
    }
    // COPY of whole lines (each ending in '\n') into `table`. tablewriter,
    // not stream_to: 6.4's stream_to keeps write_raw_line private. All lines
    // go in one write (libpqxx appends the last newline). Values were escaped
    // by append_copy_field (UTF-8 safe: every byte it escapes is ASCII).
    // Names come from merge_sql.
    static void copy_lines(pqxx::work& w, const std::string& table, const std::vector<std::string>& columns,
                           std::string& lines) {
        if (lines.empty()) return;
#include <pqxx/internal/ignore-deprecated-pre.hxx>
        pqxx::tablewriter copy(w, table, columns.begin(), columns.end());
#include <pqxx/internal/ignore-deprecated-post.hxx>
        lines.pop_back();
        copy.write_raw_line(lines);
        copy.complete();
    }

    // Empties a session table in the group's transaction; a temporary table
    // is never vacuumed, so now and then TRUNCATE drops the dead tuples.
    void empty_session_table(pqxx::work& w, std::int64_t& rows_since_truncate, std::int64_t rows,
                             const std::string& truncate_sql, const std::string& delete_sql) {
        rows_since_truncate += rows;
        if (rows_since_truncate > stage_truncate_rows) {
            w.exec0(truncate_sql);
            rows_since_truncate = 0;
        } else {
            w.exec_prepared0(prepared(delete_sql));
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
    bool merge_pending(TableId t) {
        auto& p = pending_of(t);
        if (p.entries.empty()) return !failure;
        const auto started = std::chrono::steady_clock::now();
        const auto rows = static_cast<std::int64_t>(p.entries.size());
        const auto& sql = detail::table_sql(t);
        TableCounts result;
        const bool ok = step("merging " + std::to_string(rows) + " rows into " + table_name(t), [&] {
            auto& w = tx();
            ensure_session_tables(t);
            touch(w, t);
            copy_lines(w, sql.probe, sql.probe_copy_columns, p.probe);
            std::string inserts, changes;
            std::int64_t staged = 0;
            std::vector<std::string> written;  // _seq of the new and changed rows, for the roll-ups
            for (const auto& r : w.exec_prepared(prepared(sql.classify))) {
                const auto seq = r[0].as<std::size_t>();
                const auto& e = p.entries.at(seq);
                const int kind = r[1].as<int>();
                if (kind != 2 && !sql.refresh_rollups.empty()) written.push_back(std::to_string(seq));
                switch (kind) {
                    case 0:
                        inserts += e.line;
                        inserts += "\tnow\n";  // _synced_at: 'now' is the transaction's start, as now()
                        ++result.inserted;
                        break;
                    case 1:
                        changes += e.line;
                        changes += '\t';
                        changes += std::to_string(seq);
                        changes += '\t';
                        changes += e.listing ? std::to_string(e.listing) : "\\N";
                        if (!sql.link_positions.empty()) changes += e.keeps_links ? "\tt" : "\tf";
                        changes += '\n';
                        ++staged;
                        ++result.changed;
                        break;
                    default: ++result.unchanged;
                }
            }
            if (p.any_listing) w.exec_prepared0(prepared(sql.record_seen));
            auto& st = state(t);
            copy_lines(w, sql.table, sql.table_copy_columns, inserts);
            if (staged > 0) {
                ensure_stage_table(t);
                copy_lines(w, sql.stage, sql.stage_copy_columns, changes);
                // Staged rows the merge only refreshed (same content, another
                // hash or a link learnt) changed nothing about the object.
                const auto m = w.exec_prepared1(prepared(sql.merge));
                const auto refreshed = m[0].as<std::int64_t>() - m[1].as<std::int64_t>() - m[2].as<std::int64_t>();
                result.changed -= refreshed;
                result.unchanged += refreshed;
                empty_session_table(w, st.staged_since_truncate, staged, sql.truncate_stage, sql.clear_stage);
            }
            // Unchanged rows change no roll-up: an unchanged batch skips this.
            if (!written.empty()) w.exec_prepared(prepared(sql.refresh_rollups), detail::text_array(written));
            empty_session_table(w, st.probed_since_truncate, rows, sql.truncate_probe, sql.clear_probe);
        });
        if (!ok) return false;
        pending_bytes -= p.bytes;
        p = Pending{};  // also gives the buffers back
        auto& tt = totals[t];
        tt.inserted += result.inserted;
        tt.changed += result.changed;
        tt.unchanged += result.unchanged;
        ++group_merges;
        group_rows += rows;
        log->debug("merged {} rows into {}: {} new, {} changed, {} unchanged ({} ms)", rows, table_name(t),
                   result.inserted, result.changed, result.unchanged,
                   std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                       .count());
        return true;
    }

    // A removal (completion or gone parent) in the group's transaction,
    // after the pending rows of the tables it reads. The removal guard and a
    // caller's bad argument change nothing and leave the writer usable.
    template <class F>
    void removal(const Reply<Unit>& reply, TableId root, const std::string& what, F&& work) {
        if (failure) {
            reply->set(failure_error(), Unit{});
            return;
        }
        if (!merge_pending(reach(root))) {
            reply->set(std::make_exception_ptr(StorageError(*failure)), Unit{});
            return;
        }
        removal_merged(reply, what, std::forward<F>(work));
    }

    // A removal whose tables' pending rows are merged already. Returns false
    // when it refused (guard or bad argument). Null reply: a completion,
    // whose refusal the next flush reports.
    template <class F>
    bool removal_merged(const Reply<Unit>& reply, const std::string& what, F&& work) {
        std::exception_ptr error;
        std::string refusal;
        const bool ok = step(what, [&] {
            try {
                work();
            } catch (const RemovalGuardError& e) {
                log->error("{}", e.what());
                error = std::current_exception();
                refusal = e.what();
            } catch (const std::invalid_argument& e) {
                error = std::make_exception_ptr(std::invalid_argument(what + ": " + e.what()));
                refusal = what + ": " + e.what();
            }
        });
        if (!ok) {
            if (reply) reply->set(std::make_exception_ptr(StorageError(*failure)), Unit{});
            return false;
        }
        ++group_removals;
        if (reply)
            defer(reply, Unit{}, error);
        else if (error)
            refusals.push_back(std::move(refusal));
        return !error;
    }

    // The group's queued completions, after all its pending rows are merged
    // (so every listing's keys are recorded as seen and every child row that
    // a cascade may mark is stored).
    bool process_completions() {
        if (completions.empty()) return !failure;
        if (!merge_all_pending()) return false;
        auto queued = std::exchange(completions, {});
        for (auto& c : queued) {
            if (failure) continue;
            const auto what = "completing listing " + c.listing.scope + " of " + table_name(c.table);
            if (!removal_merged(nullptr, what, [&] { complete(c.table, c.listing); }))
                refused_scopes.insert(c.listing.scope);
        }
        return step("forgetting the keys of completed listings", [&] { forget_seen_keys(); });
    }

    // One DELETE per table for the seen keys of every listing completed since
    // the last call; TRUNCATE instead once no listing of the table is open
    // and enough dead rows piled up (a temporary table is never vacuumed).
    void forget_seen_keys() {
        for (std::size_t i = 0; i < tables.size(); ++i) {
            auto& st = tables[i];
            if (st.seen_to_forget.empty()) continue;
            const auto t = static_cast<TableId>(i);
            const auto& sql = detail::table_sql(t);
            std::vector<std::string> ids;
            for (int id : st.seen_to_forget) ids.push_back(std::to_string(id));
            st.seen_to_forget.clear();
            auto& w = tx();
            if (st.open_listings.empty() && st.seen_dead_rows > seen_truncate_threshold) {
                w.exec0(sql.truncate_seen);
                st.seen_dead_rows = 0;
            } else {
                st.seen_dead_rows +=
                    w.exec_prepared0(prepared(sql.forget_seen), detail::text_array(ids)).affected_rows();
            }
        }
    }

    // The group's checkpoints, in one statement; a listing whose removals
    // the guard refused is left unrecorded, so a resumed run reads it again.
    bool record_checkpoints() {
        if (checkpoints.empty()) {
            refused_scopes.clear();
            return !failure;
        }
        auto queued = std::exchange(checkpoints, {});
        std::map<std::int64_t, std::vector<std::string>> by_run;
        for (auto& [run, scope] : queued)
            if (!refused_scopes.contains(scope)) by_run[run].push_back(std::move(scope));
        refused_scopes.clear();
        return step("recording " + std::to_string(queued.size()) + " listings done", [&] {
            for (const auto& [run, scopes] : by_run)
                tx().exec_prepared0(prepared(detail::record_listings_done), run, detail::text_array(scopes));
        });
    }

    void handle(CompleteCmd& c) {
        if (failure) return;
        completions.push_back({c.table, std::move(c.listing)});
        if (completions.size() >= max_queued_completions) process_completions();
    }

    void complete(TableId table, const ListingKey& listing) {
        const auto& spec = model::table_spec(table);
        if (!spec.removable) return;
        const auto select = detail::select_unseen_into_gone(table, listing.parent_filter);
        auto& open = state(table).open_listings;
        const auto found = open.find(listing.scope);
        const int id = found == open.end() ? 0 : found->second;  // 0: no batch, nothing seen
        std::vector<std::string> params{std::to_string(id)};
        for (const auto& [column, value] : listing.parent_filter)
            if (value) params.push_back(*value);

        const auto exists = detail::as_exists(table, select);
        remove_rows(table, "listing " + listing.scope, [&](pqxx::work& w, bool probe_first) {
            if (probe_first &&
                !w.exec_prepared1(prepared(exists), pqxx::prepare::make_dynamic_params(params))[0].as<bool>())
                return std::size_t{0};
            ensure_gone_table(table);
            return w.exec_prepared(prepared(select), pqxx::prepare::make_dynamic_params(params)).affected_rows();
        }, [&](pqxx::work&) {
            // Its keys are forgotten with the other completions' (forget_seen_keys).
            if (id) state(table).seen_to_forget.push_back(id);
        });
        if (found != open.end()) open.erase(found);
    }

    void handle(GoneCmd& c) {
        removal(c.reply, c.table, "marking a row of " + table_name(c.table) + " gone", [&] { return gone(c); });
    }

    void gone(GoneCmd& c) {
        const auto& spec = model::table_spec(c.table);
        if (c.key.size() != spec.key_columns().size())
            throw std::invalid_argument(std::to_string(c.key.size()) + " key values given, " + table_name(c.table) +
                                        " has " + std::to_string(spec.key_columns().size()) + " key columns");
        if (!spec.removable) return;
        const auto select = detail::select_key_into_gone(c.table);
        std::string key_text;
        for (const auto& k : c.key) key_text += (key_text.empty() ? "" : ", ") + k;
        const auto exists = detail::as_exists(c.table, select);
        remove_rows(c.table, "gone " + key_text, [&](pqxx::work& w, bool probe_first) {
            if (probe_first &&
                !w.exec_prepared1(prepared(exists), pqxx::prepare::make_dynamic_params(c.key))[0].as<bool>())
                return std::size_t{0};
            ensure_gone_table(c.table);
            return w.exec_prepared(prepared(select), pqxx::prepare::make_dynamic_params(c.key)).affected_rows();
        }, [](pqxx::work&) {});
    }

    // In the group's transaction: select the root rows into
    // marin_gone_<root>, follow the cascades, check the guard, copy the
    // rows' current versions to history and mark them removed. The guard
    // throws before anything but the session's gone tables was written
    // (and those are emptied at the start of every removal).
    template <class Select, class Finally>
    void remove_rows(TableId root, const std::string& cause, Select&& select_root, Finally&& finally) {
        const auto tables_reached = reach(root);
        for (auto t : tables_reached) ensure_session_tables(t);

        auto& w = tx();
        // Only a removal that selected rows leaves its gone tables non-empty;
        // most select none, and skip the DELETEs (a statement each).
        for (auto t : tables_reached) {
            const auto i = static_cast<std::size_t>(t);
            if (const auto& clear = detail::table_sql(t).clear_gone; !clear.empty() && gone_filled[i]) {
                w.exec_prepared0(prepared(clear));
                gone_filled[i] = false;
            }
        }
        std::map<TableId, std::int64_t> gone;
        touch(w, root);
        // Until a removal needed it, the root's gone table does not exist: ask
        // first whether anything would be selected (most often nothing).
        const bool probe_first = !gone_tables[static_cast<std::size_t>(root)];
        if (const auto n = static_cast<std::int64_t>(select_root(w, probe_first)); n > 0) {
            gone[root] = n;
            gone_filled[static_cast<std::size_t>(root)] = true;
        }
        for (const auto& link : detail::cascades()) {
            if (!gone.count(link.parent)) continue;
            touch(w, link.child);
            ensure_gone_table(link.child);
            if (const auto n =
                    static_cast<std::int64_t>(w.exec_prepared0(prepared(detail::cascade_into_gone(link))).affected_rows());
                n > 0) {
                gone[link.child] += n;
                gone_filled[static_cast<std::size_t>(link.child)] = true;
            }
        }
        for (const auto& [t, n] : gone) check_guard(t, n, cause);
        for (const auto& [t, n] : gone) {
            const auto marked =
                static_cast<std::int64_t>(w.exec_prepared0(prepared(detail::table_sql(t).mark_gone_rows)).affected_rows());
            if (marked != n)
                throw StorageError("marking rows of " + table_name(t) + " removed: selected " + std::to_string(n) +
                                   ", marked " + std::to_string(marked));
        }
        finally(w);
        for (const auto& [t, n] : gone) {
            state(t).removed_this_run += n;
            totals[t].removed += n;
            log->info("{}: marked {} rows of {} removed", cause, n, table_name(t));
        }
    }

    void check_guard(TableId t, std::int64_t n, const std::string& cause) {
        const auto& st = state(t);
        const auto would = st.removed_this_run + n;
        const auto live = st.live_at_first_touch.value_or(0);
        const double limit = settings.removal_guard_ratio * static_cast<double>(live);
        if (would <= settings.removal_guard_min_rows || static_cast<double>(would) <= limit) return;
        const double share = live > 0 ? static_cast<double>(would) / static_cast<double>(live)
                                      : std::numeric_limits<double>::infinity();
        char share_text[32];
        std::snprintf(share_text, sizeof share_text, "%.1f%%", share * 100.0);
        char ratio_text[32];
        std::snprintf(ratio_text, sizeof ratio_text, "%.1f%%", settings.removal_guard_ratio * 100.0);
        throw RemovalGuardError(
            "removal guard: " + cause + " would bring the rows of " + table_name(t) + " marked removed by this run to " +
                std::to_string(would) + ", " + (live > 0 ? std::string(share_text) : std::string("all")) + " of its " +
                std::to_string(live) + " live rows, over removal_guard_ratio = " + ratio_text +
                " (and over removal_guard_min_rows = " + std::to_string(settings.removal_guard_min_rows) +
                "); nothing was marked. If those rows are really gone, raise the setting for one run.",
            std::string(model::table_spec(t).name), would, live, share);
    }

    // The checkpoint commits with the rows of everything sent before it.
    // The checkpoint is recorded in the group's transaction, when it commits
    // (after its merges): so a recorded listing's rows are committed with it.
    void handle(ListingDoneCmd& c) {
        if (failure) return;
        checkpoints.emplace_back(c.run_id, std::move(c.scope));
    }

    // Run bookkeeping: its own session, independent of the mirror's fate.
    void handle(BeginRunCmd& c) {
        commit_group();  // the counts below start after what was sent before
        try {
            if (run_conn) {
                log->warn("begin_run while a run is open: its run-log session is closed");
                run_conn.reset();
            }
            run_conn = detail::connect(settings.dsn, "run log", settings.statement_timeout, "marin-sync run log");
            const auto run_id = detail::insert_run(*run_conn, c.mode);
            for (auto& st : tables) {
                st.live_at_first_touch.reset();
                st.removed_this_run = 0;
            }
            totals.clear();
            log->info("run {} began ({})", run_id, c.mode);
            c.reply->set(nullptr, run_id);
        } catch (const std::exception& e) {
            run_conn.reset();
            c.reply->set(std::make_exception_ptr(StorageError(detail::describe("recording the start of a run in marin.sync_runs", e))), 0);
        }
    }

    // A stop request (SIGTERM) for the run.
    bool stopping() const { return settings.stop && settings.stop->load(); }

    // A new run-log session for a run's last record. The server may not be
    // back yet (a restart takes a second or two): asked 5 times over 7.5 s,
    // so that the run's outcome and its cause reach marin.sync_runs rather
    // than the run being found abandoned later with its cause in the log only.
    std::unique_ptr<pqxx::connection> reconnect_run_log(const std::string& what) {
        constexpr int attempts = 5;
        auto wait = std::chrono::milliseconds(500);
        for (int attempt = 1;; ++attempt) {
            try {
                return detail::connect(settings.dsn, "run log", settings.statement_timeout, "marin-sync run log");
            } catch (const StorageError& e) {
                if (stopping()) throw StorageError(e.what() + std::string("; stopped trying: a stop was requested"));
                if (attempt == attempts) throw;
                log->warn("{}: no new session yet ({}); trying again in {} ms", what, e.what(), wait.count());
                // A stop request cuts the attempts short (the unit's
                // TimeoutStopSec is 60 s): the next run marks this one
                // interrupted.
                const auto until = std::chrono::steady_clock::now() + wait;
                while (std::chrono::steady_clock::now() < until && !stopping())
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                if (stopping()) throw StorageError(e.what() + std::string("; stopped trying: a stop was requested"));
                wait *= 2;
            }
        }
    }

    void handle(FinishRunCmd& c) {
        commit_group();  // completes after every write sent before it
        const std::string what = "recording the end of run " + std::to_string(c.run_id) + " in marin.sync_runs";
        if (c.outcome == RunOutcome::running) {
            c.reply->set(std::make_exception_ptr(std::invalid_argument(what + ": outcome 'running' is not an end")), Unit{});
            return;
        }
        try {
            try {
                if (!run_conn) throw pqxx::broken_connection("no run-log session (begin_run failed or was not called)");
                detail::update_run(*run_conn, c.run_id, c.outcome, c.totals, c.error);
            } catch (const pqxx::broken_connection& e) {
                // The run-log session died with the run (e.g. the server
                // restarted): the outcome still deserves a row, and this one
                // statement needs no session state, so a new session is fine.
                log->warn("{}: {}; retrying on a new session", what, e.what());
                run_conn = reconnect_run_log(what);
                detail::update_run(*run_conn, c.run_id, c.outcome, c.totals, c.error);
            }
            run_conn.reset();  // ends the session: releases the run's liveness lock
            log->info("run {} {}", c.run_id, to_string(c.outcome));
            c.reply->set(nullptr, Unit{});
        } catch (const std::exception& e) {
            run_conn.reset();
            c.reply->set(std::make_exception_ptr(StorageError(detail::describe(what, e))), Unit{});
        }
    }

    void handle(StopCmd&) {}
};

MirrorWriter::MirrorWriter(WriterSettings settings, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(log))) {
    impl_->start();
}

MirrorWriter::~MirrorWriter() { impl_->stop(); }

namespace {
template <class T>
Reply<T> make_reply() {
    return std::make_shared<detail::OneShot<T>>();
}

// A caller's mistake, reported to the caller before anything is queued.
void check_row_width(TableId table, const std::vector<model::Row>& rows) {
    const auto width = model::table_spec(table).sent_columns().size();
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].values.size() != width)
            throw std::invalid_argument("row " + std::to_string(i) + " for " + table_name(table) + " has " +
                                        std::to_string(rows[i].values.size()) + " values, the table takes " +
                                        std::to_string(width));
}

// On the caller's thread: checks the rows' width and encodes them as COPY
// text, freeing each row as it goes.
std::vector<EncodedRow> encode_rows(TableId table, std::vector<model::Row> rows) {
    check_row_width(table, rows);
    const auto& key_positions = detail::table_sql(table).key_positions;
    const auto& link_positions = detail::table_sql(table).link_positions;
    std::vector<EncodedRow> out;
    out.reserve(rows.size());
    for (auto& row : rows) {
        EncodedRow e;
        for (auto k : key_positions) {
            detail::append_copy_field(e.key_hash, row.values[k]);
            e.key_hash += '\t';
        }
        detail::append_copy_field(e.key_hash, std::string_view{row.hash});
        // The probe's link columns and _keep follow the hash (merge_sql.hpp).
        for (auto l : link_positions) {
            e.key_hash += '\t';
            detail::append_copy_field(e.key_hash, row.values[l]);
        }
        if (!link_positions.empty()) e.key_hash += row.keeps_links ? "\tt" : "\tf";
        e.keeps_links = row.keeps_links;
        e.line.reserve(row.raw.size() + 256);
        for (const auto& v : row.values) {
            detail::append_copy_field(e.line, v);
            e.line += '\t';
        }
        detail::append_copy_field(e.line, std::string_view{row.raw});
        e.line += '\t';
        detail::append_copy_field(e.line, std::string_view{row.hash});
        out.push_back(std::move(e));
        row = model::Row{};
    }
    return out;
}
}  // namespace

// The public calls are plain functions that build the command and hand it
// to a coroutine by move: callers may pass braced temporaries
// (`write(t, {row}, {})`), which GCC 12 destroys twice when they are the
// arguments of a coroutine itself.

asio::awaitable<void> MirrorWriter::ready() {
    auto reply = make_reply<Unit>();
    Command cmd{ReadyCmd{reply}};
    return impl_->submit_void(std::move(cmd), reply);
}

// An enqueue to a broken writer fails at once: the caller stops feeding it.
void throw_if_failed(const MirrorWriter::Impl& impl) {
    std::lock_guard lock(impl.shared_failure_mutex);
    if (impl.shared_failure) throw StorageError("storage writer failed earlier: " + *impl.shared_failure);
}

asio::awaitable<void> MirrorWriter::enqueue(TableId table, std::vector<model::Row> rows, ListingKey listing) {
    throw_if_failed(*impl_);
    auto encoded = encode_rows(table, std::move(rows));
    // No reply: an error stays in the writer's failure state for the next
    // awaited call.
    Command cmd{WriteCmd{table, std::move(encoded), std::move(listing)}};
    return impl_->send(std::move(cmd));
}

asio::awaitable<void> MirrorWriter::enqueue_complete_listing(TableId table, ListingKey listing) {
    throw_if_failed(*impl_);
    Command cmd{CompleteCmd{table, std::move(listing)}};
    return impl_->send(std::move(cmd));
}

asio::awaitable<void> MirrorWriter::mark_gone(TableId table, std::vector<std::string> key_values) {
    auto reply = make_reply<Unit>();
    Command cmd{GoneCmd{table, std::move(key_values), reply}};
    return impl_->submit_void(std::move(cmd), reply);
}

asio::awaitable<void> MirrorWriter::flush() {
    auto reply = make_reply<Unit>();
    Command cmd{FlushCmd{reply}};
    return impl_->submit_void(std::move(cmd), reply);
}

asio::awaitable<std::int64_t> MirrorWriter::begin_run(std::string mode) {
    auto reply = make_reply<std::int64_t>();
    Command cmd{BeginRunCmd{std::move(mode), reply}};
    return impl_->submit(std::move(cmd), reply);
}

asio::awaitable<void> MirrorWriter::finish_run(std::int64_t run_id, RunOutcome outcome, RunTotals totals,
                                               std::string error) {
    auto reply = make_reply<Unit>();
    Command cmd{FinishRunCmd{run_id, outcome, std::move(totals), std::move(error), reply}};
    return impl_->submit_void(std::move(cmd), reply);
}

asio::awaitable<void> MirrorWriter::enqueue_listing_done(std::int64_t run_id, std::string scope) {
    throw_if_failed(*impl_);
    Command cmd{ListingDoneCmd{run_id, std::move(scope)}};
    return impl_->send(std::move(cmd));
}

asio::awaitable<WriterTotals> MirrorWriter::totals() {
    auto reply = make_reply<WriterTotals>();
    Command cmd{TotalsCmd{reply}};
    return impl_->submit(std::move(cmd), reply);
}

}  // namespace marin::storage
