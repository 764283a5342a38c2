// The writer's mirror session: one PostgreSQL connection, never reconnected
// (a new one would have lost the session's temporary tables), the group's
// transaction on it, statements prepared once, and the session tables
// (merge_sql.hpp) created on first use.
#pragma once

#include <pqxx/pqxx>

#include <bitset>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "marin/model/table_spec.hpp"
#include "marin/storage/mirror_writer.hpp"

namespace marin::storage::detail {

class MirrorSession {
  public:
    // Connects and sets the session up (synchronous_commit off, the write
    // lock when the settings ask for it). Throws StorageError or RunLockBusy.
    void open(const WriterSettings& settings);
    int backend_pid() const { return backend_pid_; }

    // The group's transaction, begun on first use.
    pqxx::work& tx();
    bool in_transaction() const { return tx_ != nullptr; }
    std::chrono::steady_clock::time_point transaction_started() const { return started_; }
    void commit();    // the group's transaction; it stays open when this throws
    void rollback();  // never throws
    void close();

    // The name of `sql` prepared on this session (prepared on first use).
    const std::string& prepared(const std::string& sql);

    // The probe and seen tables of `t`, created the first time it is used;
    // the staging and gone tables wait for a changed row or a removal, which
    // an unchanged resync never has (each CREATE TEMP TABLE writes catalogue
    // rows, and their WAL, and costs a few ms).
    void ensure_session_tables(model::TableId t);
    void ensure_stage_table(model::TableId t);
    void ensure_gone_table(model::TableId t);
    bool has_gone_table(model::TableId t) const { return gone_tables_[index(t)]; }

  private:
    static std::size_t index(model::TableId t) { return static_cast<std::size_t>(t); }
    void check() const;

    std::unique_ptr<pqxx::connection> conn_;
    int backend_pid_ = 0;
    std::unique_ptr<pqxx::work> tx_;  // declared after conn_: destroyed before it
    std::chrono::steady_clock::time_point started_;
    // SQL text -> name of the statement prepared on the session.
    std::unordered_map<std::string, std::string> prepared_names_;
    std::bitset<model::table_count> session_tables_;  // probe and seen created
    std::bitset<model::table_count> stage_tables_;
    std::bitset<model::table_count> gone_tables_;
};

}  // namespace marin::storage::detail
