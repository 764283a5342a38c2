#include "marin/storage/run_lock.hpp"

#include <pqxx/pqxx>

#include "pg_session.hpp"

namespace marin::storage {

struct RunLock::Impl {
    std::unique_ptr<pqxx::connection> conn;
    int backend_pid = 0;  // kept: a broken connection no longer tells it
};

namespace {

constexpr const char* holder_sql =
    "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local socket'), "
    "coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', '?') "
    "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2 AND l.granted "
    // Advisory locks belong to a database: another database's run (a second
    // agency on the same server) is not the holder.
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";

// Whether this session holds advisory lock (namespace, $1).
constexpr const char* holds_lock_sql =
    "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid "
    "AND objid = $2::oid AND objsubid = 2 AND granted AND pid = pg_backend_pid()";

// A check of the lock is one catalogue read: seconds mean something is wrong.
constexpr std::chrono::milliseconds check_timeout{5000};

std::string describe_holder(pqxx::transaction_base& tx, int lock_id = detail::run_lock_id) {
    try {
        const auto r = tx.exec_params(holder_sql, detail::lock_namespace, lock_id);
        if (r.empty()) return "another session (it may just have ended)";
        const auto& row = r[0];
        std::string app = row[1].as<std::string>();
        return "backend pid " + row[0].as<std::string>() + " (application_name '" + app + "', from " +
               row[2].as<std::string>() + ", connected since " + row[3].as<std::string>() + ")";
    } catch (const std::exception& e) {
        return "another session (could not say which: " + std::string(e.what()) + ")";
    }
}

}  // namespace

RunLock::RunLock(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RunLock::~RunLock() {
    try {
        if (impl_->conn && impl_->conn->is_open()) {
            pqxx::nontransaction tx(*impl_->conn);
            tx.exec_params1("SELECT pg_advisory_unlock($1, $2)", detail::lock_namespace, detail::run_lock_id);
        }
    } catch (const std::exception&) {
        // Closing the session below releases the lock anyway.
    }
    impl_->conn.reset();
}

std::unique_ptr<RunLock> RunLock::acquire(const std::string& dsn, LockMode mode, std::chrono::milliseconds timeout) {
    auto impl = std::make_unique<Impl>();
    impl->conn = detail::connect(dsn, "run lock", std::chrono::milliseconds{0}, "marin-sync run lock");
    try {
        pqxx::nontransaction tx(*impl->conn);
        if (mode == LockMode::fail_fast) {
            if (!tx.exec_params1("SELECT pg_try_advisory_lock($1, $2)", detail::lock_namespace, detail::run_lock_id)[0]
                     .as<bool>())
                throw RunLockBusy("another marin-sync run holds the run lock: " + describe_holder(tx));
        } else {
            tx.exec0("SET lock_timeout = " + std::to_string(timeout.count()));
            try {
                tx.exec_params1("SELECT pg_advisory_lock($1, $2)", detail::lock_namespace, detail::run_lock_id);
            } catch (const pqxx::sql_error& e) {
                if (e.sqlstate() != "55P03") throw;  // lock_not_available: lock_timeout ran out
                throw RunLockBusy("waited " + std::to_string(timeout.count()) + " ms for the run lock, still held by " +
                                  describe_holder(tx));
            }
            tx.exec0("SET lock_timeout = 0");
        }
        tx.exec0("SET statement_timeout = " + std::to_string(check_timeout.count()));
        impl->backend_pid = impl->conn->backendpid();
    } catch (...) {
        detail::rethrow_as_storage_error("taking the run lock");
    }
    return std::unique_ptr<RunLock>(new RunLock(std::move(impl)));
}

bool RunLock::held() { return !lost(); }

std::optional<std::string> RunLock::lost() {
    const int pid = backend_pid();
    const std::string session = "lost the run lock: its session (backend pid " + std::to_string(pid) + ")";
    try {
        if (!impl_->conn || !impl_->conn->is_open()) return session + " is closed";
        pqxx::nontransaction tx(*impl_->conn);
        if (tx.exec_params1(holds_lock_sql, detail::lock_namespace, detail::run_lock_id)[0].as<bool>())
            return std::nullopt;
        return session + " no longer holds it";
    } catch (const std::exception& e) {
        return detail::describe(session + " ended", e);
    }
}

namespace detail {

void take_write_lock(pqxx::connection& conn, const WriteLockPolicy& policy) {
    const std::string busy =
        "another marin-sync run is still writing (its run lock was lost, and it has not "
        "stopped yet): the write lock is held by ";
    try {
        pqxx::nontransaction tx(conn);
        if (policy.mode == LockMode::fail_fast) {
            if (!tx.exec_params1("SELECT pg_try_advisory_lock($1, $2)", lock_namespace, write_lock_id)[0].as<bool>())
                throw RunLockBusy(busy + describe_holder(tx, write_lock_id));
            return;
        }
        // The wait is bounded by lock_timeout alone, not by the session's
        // statement timeout, which is restored after it.
        const auto statement_timeout = tx.exec1("SELECT current_setting('statement_timeout')")[0].as<std::string>();
        tx.exec0("SET statement_timeout = 0");
        tx.exec0("SET lock_timeout = " + std::to_string(policy.timeout.count()));
        try {
            tx.exec_params1("SELECT pg_advisory_lock($1, $2)", lock_namespace, write_lock_id);
        } catch (const pqxx::sql_error& e) {
            if (e.sqlstate() != "55P03") throw;
            throw RunLockBusy("waited " + std::to_string(policy.timeout.count()) + " ms: " + busy +
                              describe_holder(tx, write_lock_id));
        }
        tx.exec0("SET lock_timeout = 0");
        tx.exec_params("SELECT set_config('statement_timeout', $1, false)", statement_timeout);
    } catch (...) {
        rethrow_as_storage_error("taking the write lock");
    }
}

}  // namespace detail

int RunLock::backend_pid() const { return impl_->backend_pid; }

}  // namespace marin::storage
