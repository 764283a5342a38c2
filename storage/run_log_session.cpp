// The run-log commands the writer executes: begin_run and finish_run on the run log's own session.
#include "run_log_session.hpp"

#include <spdlog/logger.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "marin/storage/errors.hpp"
#include "pg_session.hpp"
#include "run_log_sql.hpp"

namespace marin::storage::detail {

std::int64_t RunLogSession::begin(const std::string& mode) {
    try {
        if (conn_) {
            log_.warn("begin_run while a run is open: its run-log session is closed");
            conn_.reset();
        }
        conn_ = connect(settings_.dsn, "run log", settings_.statement_timeout, "marin-sync run log");
        return insert_run(*conn_, mode);
    } catch (const std::exception& e) {
        conn_.reset();
        throw StorageError(describe("recording the start of a run in marin.sync_runs", e));
    }
}

// The server may not be back yet (a restart takes a second or two): asked 5
// times over 7.5 s, so that the run's outcome and its cause reach
// marin.sync_runs rather than the run being found abandoned later with its
// cause in the log only.
std::unique_ptr<pqxx::connection> RunLogSession::reconnect(const std::string& what) {
    constexpr int attempts = 5;
    auto wait = std::chrono::milliseconds(500);
    for (int attempt = 1;; ++attempt) {
        try {
            return connect(settings_.dsn, "run log", settings_.statement_timeout, "marin-sync run log");
        } catch (const StorageError& e) {
            if (stopping()) throw StorageError(e.what() + std::string("; stopped trying: a stop was requested"));
            if (attempt == attempts) throw;
            log_.warn("{}: no new session yet ({}); trying again in {} ms", what, e.what(), wait.count());
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

void RunLogSession::finish(std::int64_t run_id, RunOutcome outcome, const RunTotals& totals, const std::string& error) {
    const std::string what = "recording the end of run " + std::to_string(run_id) + " in marin.sync_runs";
    if (outcome == RunOutcome::running) throw std::invalid_argument(what + ": outcome 'running' is not an end");
    try {
        try {
            if (!conn_) throw pqxx::broken_connection("no run-log session (begin_run failed or was not called)");
            update_run(*conn_, run_id, outcome, totals, error);
        } catch (const pqxx::broken_connection& e) {
            // The run-log session died with the run (e.g. the server
            // restarted): the outcome still deserves a row, and this one
            // statement needs no session state, so a new session is fine.
            log_.warn("{}: {}; retrying on a new session", what, e.what());
            conn_ = reconnect(what);
            update_run(*conn_, run_id, outcome, totals, error);
        }
        conn_.reset();  // ends the session: releases the run's liveness lock
    } catch (const std::exception& e) {
        conn_.reset();
        throw StorageError(describe(what, e));
    }
}

}  // namespace marin::storage::detail
