#include <gtest/gtest.h>

#include <map>

#include <thread>

#include "storage_test_util.hpp"

using namespace marin;
using storage::Migrator;

TEST(Migrator, MigrateTwiceIsANoOp) {
    test::TestDatabase db("mig_twice");
    const auto first = Migrator::migrate(db.dsn(), test::quiet_logger());
    EXPECT_EQ(first.size(), storage::embedded_migrations().size());
    EXPECT_EQ(Migrator::current_version(db.dsn()), storage::latest_schema_version());
    EXPECT_TRUE(Migrator::migrate(db.dsn(), test::quiet_logger()).empty());
    EXPECT_NO_THROW(Migrator::check_schema(db.dsn()));
}

TEST(Migrator, ConcurrentMigratesApplyOnce) {
    test::TestDatabase db("mig_race");
    std::vector<int> a, b;
    std::string error;
    auto migrate = [&](std::vector<int>& out) {
        try {
            out = Migrator::migrate(db.dsn(), test::quiet_logger());
        } catch (const std::exception& e) {
            error = e.what();
        }
    };
    std::thread t1([&] { migrate(a); });
    std::thread t2([&] { migrate(b); });
    t1.join();
    t2.join();
    EXPECT_EQ(error, "");
    EXPECT_EQ(a.size() + b.size(), storage::embedded_migrations().size());
}

TEST(Migrator, CheckSchemaRefusesAnUnmigratedOrAlteredDatabase) {
    test::TestDatabase db("mig_check");
    try {
        Migrator::check_schema(db.dsn());
        FAIL() << "no error on an empty database";
    } catch (const storage::SchemaError& e) {
        EXPECT_NE(
            std::string(e.what()).find("schema is at version 0, this marin-sync needs " +
                                       std::to_string(storage::latest_schema_version()) + ": run `marin-sync migrate`"),
            std::string::npos)
            << e.what();
    }
    Migrator::migrate(db.dsn(), test::quiet_logger());
    {
        pqxx::connection c(db.dsn());
        pqxx::work tx(c);
        tx.exec0("UPDATE marin.schema_migrations SET checksum = 'edited' WHERE version = 1");
        tx.commit();
    }
    try {
        Migrator::check_schema(db.dsn());
        FAIL() << "no error on a changed checksum";
    } catch (const storage::SchemaError& e) {
        EXPECT_NE(std::string(e.what()).find("001_schema.sql differs"), std::string::npos) << e.what();
    }
    EXPECT_THROW(Migrator::migrate(db.dsn(), test::quiet_logger()), storage::SchemaError);
    {
        pqxx::connection c(db.dsn());
        pqxx::work tx(c);
        tx.exec0("UPDATE marin.schema_migrations SET checksum = '" +
                 std::string(storage::embedded_migrations()[0].checksum) + "' WHERE version = 1");
        tx.exec0("INSERT INTO marin.schema_migrations (version, name, checksum) VALUES (999, '999_future.sql', 'x')");
        tx.commit();
    }
    try {
        Migrator::check_schema(db.dsn());
        FAIL() << "no error on a newer schema";
    } catch (const storage::SchemaError& e) {
        EXPECT_NE(std::string(e.what()).find("upgrade marin-sync"), std::string::npos) << e.what();
    }
}

TEST(Migrator, ConnectFailureNamesWhatFailed) {
    try {
        Migrator::check_schema("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
        FAIL();
    } catch (const storage::StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("connecting to PostgreSQL"), std::string::npos) << e.what();
    }
}

// The schema is the spec: same tables, columns in spec order, same types,
// json_subtree columns generated from _raw, bookkeeping columns after, keys
// as the spec says, and a comment on every table and column.
TEST(Migrator, SchemaMatchesTheSpecExactly) {
    test::MigratedDatabase db("mig_spec");
    pqxx::connection c(db.dsn());
    pqxx::read_transaction tx(c);
    auto columns = [&](const std::string& table) {
        return tx.exec_params(
            "SELECT column_name, data_type, is_generated, coalesce(generation_expression, ''), is_nullable, "
            "col_description(('marin.' || quote_ident($1))::regclass, ordinal_position::int) IS NOT NULL "
            "FROM information_schema.columns WHERE table_schema = 'marin' AND table_name = $1 "
            "ORDER BY ordinal_position",
            table);
    };
    const std::vector<std::pair<std::string, std::string>> bookkeeping = {{"_raw", "jsonb"},
                                                                          {"_hash", "text"},
                                                                          {"_synced_at", "timestamp with time zone"},
                                                                          {"_removed_at", "timestamp with time zone"}};
    for (const auto& spec : model::all_tables()) {
        const std::string name(spec.name);
        for (const bool history : {false, true}) {
            const auto table = history ? name + "_history" : name;
            SCOPED_TRACE(table);
            const auto r = columns(table);
            const std::size_t extra = history ? 6 : 4;
            ASSERT_EQ(r.size(), spec.columns.size() + extra);
            // By name: a migration that adds a column appends it after the
            // bookkeeping columns (ALTER TABLE ADD COLUMN cannot place it).
            std::map<std::string, pqxx::row> by_name;
            for (const auto& row : r) by_name.emplace(row[0].as<std::string>(), row);
            for (const auto& col : spec.columns) {
                const auto it = by_name.find(std::string(col.name));
                ASSERT_NE(it, by_name.end()) << "no column " << table << "." << col.name;
                const auto& row = it->second;
                EXPECT_EQ(row[1].as<std::string>(), model::sql_type(col.type));
                const bool generated = !history && col.type == model::ColumnType::json_subtree;
                EXPECT_EQ(row[2].as<std::string>(), generated ? "ALWAYS" : "NEVER") << col.name;
                if (generated) {
                    EXPECT_EQ(row[3].as<std::string>(), "(_raw -> '" + std::string(col.json_field) + "'::text)");
                }
                EXPECT_EQ(row[4].as<std::string>(), col.role == model::ColumnRole::key ? "NO" : "YES") << col.name;
                EXPECT_TRUE(row[5].as<bool>()) << "no comment on " << table << "." << col.name;
            }
            for (const auto& [bname, btype] : bookkeeping) {
                const auto it = by_name.find(bname);
                ASSERT_NE(it, by_name.end()) << "no column " << table << "." << bname;
                EXPECT_EQ(it->second[1].as<std::string>(), btype);
                EXPECT_TRUE(it->second[5].as<bool>()) << "no comment on " << table << "." << bname;
            }
            if (history) {
                EXPECT_TRUE(by_name.contains("_valid_from"));
                EXPECT_TRUE(by_name.contains("_valid_to"));
            }
            EXPECT_TRUE(tx.exec_params1("SELECT obj_description(('marin.' || quote_ident($1))::regclass, 'pg_class') "
                                        "IS NOT NULL",
                                        table)[0]
                            .as<bool>())
                << "no comment on table " << table;
        }
        // Primary key = the spec's key columns, in order.
        std::vector<std::string> want;
        for (const auto* k : spec.key_columns()) want.emplace_back(k->name);
        std::vector<std::string> got;
        for (const auto& row : tx.exec_params(
                 "SELECT a.attname FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, n) ON true "
                 "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                 "WHERE i.indrelid = ('marin.' || quote_ident($1))::regclass AND i.indisprimary ORDER BY k.n",
                 name))
            got.push_back(row[0].as<std::string>());
        EXPECT_EQ(got, want) << name;
        // _raw is compressed with lz4.
        EXPECT_EQ(tx.exec_params1("SELECT attcompression FROM pg_attribute WHERE attrelid = ('marin.' || "
                                  "quote_ident($1))::regclass AND attname = '_raw'",
                                  name)[0]
                      .as<std::string>(),
                  "l")
            << name;
    }
    // No other mirror tables than the spec's (+ history, runs, listings,
    // migrations, generated views' record, and the two statistics roll-ups
    // of sql/007).
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_tables WHERE schemaname = 'marin'")[0].as<std::size_t>(),
              2 * model::all_tables().size() + 6);
    // sync_runs and sync_listings are documented too.
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'marin' AND c.relkind = 'r' "
                       "AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL")[0]
                  .as<int>(),
              0);
}
