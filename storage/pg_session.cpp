// Opens storage connections with the session settings they all need, takes the write lock, describes libpqxx errors.
#include "pg_session.hpp"

#include "marin/storage/errors.hpp"

namespace marin::storage::detail {

namespace {
constexpr const char* idle_session_timeout_off =
    "SELECT set_config('idle_session_timeout', '0', false) "
    "WHERE current_setting('idle_session_timeout', true) IS NOT NULL";
}  // namespace

std::unique_ptr<pqxx::connection> connect(const std::string& dsn, std::string_view purpose,
                                          std::chrono::milliseconds statement_timeout,
                                          std::string_view application_name) {
    try {
        auto conn = std::make_unique<pqxx::connection>(dsn);
        // A broken connection must fail loudly: a silent reconnect would
        // lose the session's temporary tables and advisory locks.
#include <pqxx/internal/ignore-deprecated-pre.hxx>
        conn->inhibit_reactivation(true);
#include <pqxx/internal/ignore-deprecated-post.hxx>
        conn->set_client_encoding("UTF8");
        pqxx::nontransaction tx(*conn);
        tx.exec0("SET statement_timeout = " + std::to_string(statement_timeout.count()));
        tx.exec0("SET lock_timeout = 0");
        // Policies meant for people's sessions (ALTER DATABASE/ROLE ... SET
        // idle_session_timeout, idle_in_transaction_session_timeout) must
        // not end ours: the run lock's session is idle for a whole run, and
        // its silent end would let a second run write beside this one.
        // idle_session_timeout is PostgreSQL 14+: set only where it exists.
        tx.exec0("SET idle_in_transaction_session_timeout = 0");
        tx.exec(idle_session_timeout_off);
        tx.exec0("SET TIME ZONE 'UTC'");
        if (!application_name.empty())
            tx.exec_params(
                "SELECT set_config('application_name', $1, false) WHERE current_setting('application_name') = ''",
                std::string(application_name));
        return conn;
    } catch (...) {
        rethrow_as_storage_error("connecting to PostgreSQL (" + std::string(purpose) + ")");
    }
}

std::string describe(std::string_view what, const std::exception& e) {
    std::string msg(what);
    msg += ": ";
    std::string text = e.what();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    // One line: the server's "ERROR: ...\nCONTEXT: ..." would otherwise split
    // a log line (and a journald entry) in two.
    for (auto pos = text.find('\n'); pos != std::string::npos; pos = text.find('\n', pos)) {
        auto end = pos + 1;
        while (end < text.size() && (text[end] == ' ' || text[end] == '\t')) ++end;
        text.replace(pos, end - pos, "; ");
    }
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const auto& state = sql->sqlstate();
        if (state == "57014")
            msg += "statement cancelled (statement_timeout or a cancel request): ";
        else if (state == "57P01" || state == "57P02" || state == "57P03")
            msg += "the server ended the session: ";
        msg += text;
        if (!state.empty()) msg += " [SQLSTATE " + state + "]";
    } else if (dynamic_cast<const pqxx::broken_connection*>(&e) || dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
        // libpqxx 6.4 reports a session the server ended (a restart, a
        // pg_terminate_backend) as "Could not obtain client encoding: not
        // connected" and drops the server's own message: say what it means.
        msg +=
            "lost the connection to PostgreSQL (the server restarted or ended the session, or the network "
            "failed): " +
            text;
    } else {
        msg += text;
    }
    return msg;
}

void rethrow_as_storage_error(std::string_view what) {
    try {
        throw;
    } catch (const StorageError&) {
        throw;
    } catch (const std::exception& e) {
        throw StorageError(describe(what, e));
    }
}

}  // namespace marin::storage::detail
