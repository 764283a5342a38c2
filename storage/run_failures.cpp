// A run's failed listings in marin.sync_runs, written and read on the run log's session.
#include "marin/storage/run_failures.hpp"

#include <pqxx/pqxx>

#include "copy_text.hpp"
#include "run_log_impl.hpp"

namespace marin::storage {

namespace {

// How many failed listings a run keeps: enough to see a pattern, short
// enough for a status page.
constexpr std::size_t kept_failures = 20;

constexpr const char* record_failures_sql =
    "UPDATE marin.sync_runs SET listings_failed = $2, failed_listings = $3::text[] WHERE run_id = $1";
// One row per failed listing, in the order recorded; a run with a count but
// no text (none kept) gives one row with a NULL listing.
constexpr const char* read_failures_sql =
    "SELECT r.run_id, r.listings_failed, f.listing FROM marin.sync_runs r "
    "LEFT JOIN LATERAL unnest(r.failed_listings) WITH ORDINALITY AS f(listing, n) ON true "
    "WHERE r.run_id >= $1 AND r.listings_failed > 0 ORDER BY r.run_id, f.n";

}  // namespace

void RunLog::record_run_failures(std::int64_t run_id, const RunFailures& failures) {
    impl_->in_session(
        "recording the failed listings", "recording the failed listings of run " + std::to_string(run_id),
        [&](pqxx::connection& conn) {
            pqxx::work tx(conn);
            std::vector<std::string> first(
                failures.first.begin(),
                failures.first.begin() + static_cast<std::ptrdiff_t>(std::min(kept_failures, failures.first.size())));
            tx.exec_params0(record_failures_sql, run_id, failures.listings_failed, detail::text_array(first));
            tx.commit();
        });
}

std::map<std::int64_t, RunFailures> RunLog::run_failures_since(std::int64_t oldest_run_id) {
    return impl_->in_session("reading the failed listings", "reading the failed listings from marin.sync_runs",
                             [&](pqxx::connection& conn) {
                                 pqxx::read_transaction tx(conn);
                                 std::map<std::int64_t, RunFailures> out;
                                 for (const auto& row : tx.exec_params(read_failures_sql, oldest_run_id)) {
                                     auto& f = out[row[0].as<std::int64_t>()];
                                     f.listings_failed = row[1].as<std::int64_t>();
                                     if (!row[2].is_null()) f.first.push_back(row[2].as<std::string>());
                                 }
                                 return out;
                             });
}

}  // namespace marin::storage
