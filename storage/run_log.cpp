// marin.sync_runs: the run log's shapes as JSON, the writer's begin and end
// of a run, and RunLog, the one bookkeeping session of a run.
#include "marin/storage/run_log.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "marin/storage/errors.hpp"
#include "pg_session.hpp"
#include "run_log_impl.hpp"
#include "run_log_sql.hpp"

namespace marin::storage {

namespace {
std::string host_name() {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0) return {};
    return buf.data();
}

std::chrono::system_clock::time_point from_epoch(double seconds) {
    return std::chrono::system_clock::time_point{
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(seconds))};
}

// Liveness lock key of a run: objid is an int4, run ids wrap into it.
constexpr const char* liveness_key_sql = "$1::integer, ($2::bigint % 2147483647)::integer";
}  // namespace

std::chrono::milliseconds bookkeeping_timeout(std::chrono::milliseconds configured) {
    if (configured <= std::chrono::milliseconds::zero()) return default_bookkeeping_timeout;
    return std::min(configured, default_bookkeeping_timeout);
}

namespace detail {

std::string rows_json(const RunTotals& totals) {
    std::string out = "{";
    bool first = true;
    for (const auto& [table, c] : totals.tables) {
        if (!first) out += ",";
        first = false;
        out += "\"" + std::string(model::table_spec(table).name) + "\":{\"read\":" + std::to_string(c.read) +
               ",\"inserted\":" + std::to_string(c.inserted) + ",\"changed\":" + std::to_string(c.changed) +
               ",\"unchanged\":" + std::to_string(c.unchanged) + ",\"removed\":" + std::to_string(c.removed) + "}";
    }
    return out + "}";
}

std::string requests_json(const RunTotals& totals) {
    std::string out = "{";
    bool first = true;
    for (const auto& [status, n] : totals.requests_by_status) {
        if (!first) out += ",";
        first = false;
        out += "\"" + std::to_string(status) + "\":" + std::to_string(n);
    }
    return out + "}";
}

std::int64_t insert_run(pqxx::connection& conn, const std::string& mode) {
    pqxx::work tx(conn, "begin_run");
    const auto row = tx.exec_params1(
        "INSERT INTO marin.sync_runs (mode, host, process_id, version) VALUES ($1, $2, $3, $4) RETURNING run_id", mode,
        host_name(), static_cast<std::int64_t>(::getpid()), std::string(MARIN_VERSION));
    const auto run_id = row[0].as<std::int64_t>();
    tx.exec_params1(std::string("SELECT pg_advisory_lock(") + liveness_key_sql + ")", run_liveness_namespace, run_id);
    tx.commit();
    return run_id;
}

void update_run(pqxx::connection& conn, std::int64_t run_id, RunOutcome outcome, const RunTotals& totals,
                const std::string& error) {
    pqxx::work tx(conn, "finish_run");
    const auto r = tx.exec_params0(
        "UPDATE marin.sync_runs SET finished_at = now(), outcome = $2, requests = $3::jsonb, rows = $4::jsonb, "
        "retries = $5, sanitized_values = $6, error = NULLIF($7, ''), listings_not_applicable = $8, "
        "listings_reread = $9 WHERE run_id = $1",
        run_id, std::string(to_string(outcome)), requests_json(totals), rows_json(totals), totals.retries,
        totals.sanitized_values, error, totals.listings_not_applicable, totals.listings_reread);
    if (r.affected_rows() != 1)
        throw StorageError("finishing run " + std::to_string(run_id) + ": no such run in marin.sync_runs");
    tx.commit();
}

}  // namespace detail

RunLog::RunLog(std::string dsn, std::chrono::milliseconds timeout, std::string application_name)
    : impl_(std::make_unique<Impl>(Impl{std::move(dsn), timeout, std::move(application_name), nullptr, 0})) {}

RunLog::~RunLog() = default;

int RunLog::sessions_opened() const { return impl_->opened; }

std::vector<RunSummary> RunLog::recent_runs(int limit) {
    return impl_->in_session(
        "reading marin.sync_runs", "reading recent runs from marin.sync_runs", [&](pqxx::connection& conn) {
            pqxx::read_transaction tx(conn);
            std::vector<RunSummary> runs;
            std::map<std::int64_t, std::size_t> index;
            const auto r = tx.exec_params(
                "SELECT run_id, mode, extract(epoch FROM started_at)::float8, extract(epoch FROM finished_at)::float8, "
                "outcome, retries, sanitized_values, coalesce(error, ''), host, process_id, listings_not_applicable, "
                "listings_reread "
                "FROM marin.sync_runs ORDER BY run_id DESC LIMIT $1",
                limit);
            for (const auto& row : r) {
                RunSummary s;
                s.run_id = row[0].as<std::int64_t>();
                s.mode = row[1].as<std::string>();
                s.started_at = from_epoch(row[2].as<double>());
                if (!row[3].is_null()) s.finished_at = from_epoch(row[3].as<double>());
                s.outcome =
                    model::run_outcome_from_string(row[4].as<std::string>()).value_or(model::RunOutcome::failed);
                s.totals.retries = row[5].as<std::int64_t>();
                s.totals.sanitized_values = row[6].as<std::int64_t>();
                s.error = row[7].as<std::string>();
                s.host = row[8].as<std::string>();
                s.process_id = row[9].as<std::int64_t>();
                s.totals.listings_not_applicable = row[10].as<std::int64_t>();
                s.totals.listings_reread = row[11].as<std::int64_t>();
                index[s.run_id] = runs.size();
                runs.push_back(std::move(s));
            }
            if (runs.empty()) return runs;
            const auto oldest = runs.back().run_id;
            for (const auto& row : tx.exec_params(
                     "SELECT r.run_id, e.key, coalesce((e.value->>'read')::bigint, 0), "
                     "coalesce((e.value->>'inserted')::bigint, 0), coalesce((e.value->>'changed')::bigint, 0), "
                     "coalesce((e.value->>'unchanged')::bigint, 0), coalesce((e.value->>'removed')::bigint, 0) "
                     "FROM marin.sync_runs r CROSS JOIN jsonb_each(r.rows) e WHERE r.run_id >= $1",
                     oldest)) {
                const auto it = index.find(row[0].as<std::int64_t>());
                const auto table = model::table_by_name(row[1].as<std::string>());
                if (it == index.end() || !table) continue;
                auto& c = runs[it->second].totals.tables[*table];
                c.read = row[2].as<std::int64_t>();
                c.inserted = row[3].as<std::int64_t>();
                c.changed = row[4].as<std::int64_t>();
                c.unchanged = row[5].as<std::int64_t>();
                c.removed = row[6].as<std::int64_t>();
            }
            for (const auto& row :
                 tx.exec_params("SELECT r.run_id, e.key::integer, e.value::bigint FROM marin.sync_runs r "
                                "CROSS JOIN jsonb_each_text(r.requests) e WHERE r.run_id >= $1 AND e.key ~ '^[0-9]+$'",
                                oldest)) {
                const auto it = index.find(row[0].as<std::int64_t>());
                if (it == index.end()) continue;
                runs[it->second].totals.requests_by_status[row[1].as<int>()] = row[2].as<std::int64_t>();
            }
            return runs;
        });
}

std::vector<std::int64_t> RunLog::mark_abandoned_runs(const std::shared_ptr<spdlog::logger>& log) {
    return impl_->in_session(
        "checking for abandoned runs", "marking abandoned runs in marin.sync_runs", [&](pqxx::connection& conn) {
            pqxx::nontransaction tx(conn);
            std::vector<std::int64_t> changed;
            for (const auto& row :
                 tx.exec("SELECT run_id FROM marin.sync_runs WHERE outcome = 'running' ORDER BY run_id")) {
                const auto run_id = row[0].as<std::int64_t>();
                // A live run holds this lock for as long as its run-log session lives.
                const bool free = tx.exec_params1(std::string("SELECT pg_try_advisory_lock(") + liveness_key_sql + ")",
                                                  detail::run_liveness_namespace, run_id)[0]
                                      .as<bool>();
                if (!free) continue;
                const auto r = tx.exec_params0(
                    "UPDATE marin.sync_runs SET outcome = 'interrupted', error = coalesce(error || '; ', '') || "
                    "'abandoned: its process ended without recording an outcome' WHERE run_id = $1 AND outcome = "
                    "'running'",
                    run_id);
                tx.exec_params1(std::string("SELECT pg_advisory_unlock(") + liveness_key_sql + ")",
                                detail::run_liveness_namespace, run_id);
                if (r.affected_rows() == 1) {
                    changed.push_back(run_id);
                    if (log)
                        log->warn("run {} was left 'running' by a process that is gone: marked interrupted", run_id);
                }
            }
            return changed;
        });
}

std::vector<std::string> RunLog::completed_listings(std::int64_t run_id) {
    return impl_->in_session(
        "reading marin.sync_listings", "reading completed listings of run " + std::to_string(run_id),
        [&](pqxx::connection& conn) {
            pqxx::read_transaction tx(conn);
            std::vector<std::string> out;
            for (const auto& row :
                 tx.exec_params("SELECT scope FROM marin.sync_listings WHERE run_id = $1 ORDER BY scope", run_id))
                out.push_back(row[0].as<std::string>());
            return out;
        });
}

void RunLog::forget_completed_listings(std::int64_t run_id) {
    impl_->in_session("pruning marin.sync_listings", "pruning the checkpoints of run " + std::to_string(run_id),
                      [&](pqxx::connection& conn) {
                          pqxx::work tx(conn);
                          tx.exec_params0("DELETE FROM marin.sync_listings WHERE run_id <= $1", run_id);
                          tx.commit();
                      });
}

StatsSums RunLog::media_plan_stats_sums(const std::string& media_plan_id, const std::string& from,
                                        const std::string& to) {
    return impl_->in_session(
        "summing statistics", "summing the statistics of media plan " + media_plan_id, [&](pqxx::connection& conn) {
            pqxx::read_transaction tx(conn);
            const auto r = tx.exec_params1(
                "SELECT coalesce(sum(impressions), 0)::text, coalesce(sum(clicks), 0)::text, coalesce(sum(spent), "
                "0)::text "
                "FROM marin.ad_stats_daily WHERE media_plan_id = $1 AND date BETWEEN $2::date AND $3::date",
                media_plan_id, from, to);
            return StatsSums{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()};
        });
}

void RunLog::record_stats_check(std::int64_t run_id, const std::string& check_json) {
    impl_->in_session("recording the figures check", "recording the figures check of run " + std::to_string(run_id),
                      [&](pqxx::connection& conn) {
                          pqxx::work tx(conn);
                          tx.exec_params0("UPDATE marin.sync_runs SET stats_check = $2::jsonb WHERE run_id = $1",
                                          run_id, check_json);
                          tx.commit();
                      });
}

std::vector<RunSummary> recent_runs(const std::string& dsn, int limit, std::chrono::milliseconds timeout) {
    return RunLog(dsn, timeout, "marin-sync status").recent_runs(limit);
}

std::vector<std::int64_t> mark_abandoned_runs(const std::string& dsn, const std::shared_ptr<spdlog::logger>& log,
                                              std::chrono::milliseconds timeout) {
    return RunLog(dsn, timeout).mark_abandoned_runs(log);
}

std::vector<std::string> completed_listings(const std::string& dsn, std::int64_t run_id,
                                            std::chrono::milliseconds timeout) {
    return RunLog(dsn, timeout).completed_listings(run_id);
}

}  // namespace marin::storage
