// The run log's session (marin.sync_runs), owned by the writer thread apart
// from the mirror session, so that a run whose mirror session broke can still
// record how it ended. It holds the run's liveness lock while the run lives.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <memory>
#include <string>

#include "marin/storage/mirror_writer.hpp"

namespace spdlog {
class logger;
}

namespace marin::storage::detail {

class RunLogSession {
  public:
    RunLogSession(const WriterSettings& settings, spdlog::logger& log) : settings_(settings), log_(log) {}

    // Opens the session, records a 'running' row and takes its liveness
    // lock. Returns the run id; throws StorageError naming what failed.
    std::int64_t begin(const std::string& mode);
    // Records the run's end and closes the session (which releases the
    // lock). A session lost meanwhile is replaced for this one statement.
    // Throws std::invalid_argument for outcome 'running', StorageError else.
    void finish(std::int64_t run_id, RunOutcome outcome, const RunTotals& totals, const std::string& error);
    void close() { conn_.reset(); }

  private:
    std::unique_ptr<pqxx::connection> reconnect(const std::string& what);
    bool stopping() const { return settings_.stop && settings_.stop->load(); }

    const WriterSettings& settings_;
    spdlog::logger& log_;
    std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace marin::storage::detail
