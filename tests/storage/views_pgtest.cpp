// The generated per-table views (storage/view_sql.hpp): the same catalogue
// as the hand-written migrations made, a second migrate that changes
// nothing, and a column added to a spec that reaches the views.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "storage_test_util.hpp"
#include "view_migration.hpp"
#include "view_sql.hpp"

using namespace marin;
using storage::Migrator;
using storage::detail::apply_generated_views;
using storage::detail::generated_objects;

namespace {

// Every view and function of schema marin, described by what the catalogue
// says of it: definition, columns with types and comments, comment, owner,
// grants. Function bodies are compared with runs of white space made one
// space and double quotes left out (sql/002 wrote them on one line with
// quote_ident, sql/007 on several), which is the only normalisation.
std::map<std::string, std::string> catalogue(const std::string& dsn) {
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::map<std::string, std::string> out;
    for (const auto& r :
         tx.exec("SELECT 'view ' || c.relname, pg_get_viewdef(c.oid) || E'\\n-- comment: ' "
                 "|| coalesce(obj_description(c.oid, 'pg_class'), '(none)') || E'\\n-- owner: ' || c.relowner::regrole "
                 "|| E'\\n-- acl: ' || coalesce(c.relacl::text, '(default)') "
                 "|| (SELECT string_agg(E'\\n-- column ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) "
                 "|| ': ' || coalesce(col_description(c.oid, a.attnum), '(none)'), '' ORDER BY a.attnum) "
                 "   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) "
                 "FROM pg_class c WHERE c.relnamespace = 'marin'::regnamespace AND c.relkind = 'v' "
                 "UNION ALL "
                 "SELECT 'function ' || p.oid::regprocedure::text, "
                 "btrim(regexp_replace(replace(p.prosrc, '\"', ''), '\\s+', ' ', 'g')) || E'\\n-- ' "
                 "|| pg_get_function_arguments(p.oid) || ' -> ' || pg_get_function_result(p.oid) || ' ' || "
                 "p.provolatile::text "
                 "|| p.proparallel::text || ' ' || l.lanname || E'\\n-- comment: ' "
                 "|| coalesce(obj_description(p.oid, 'pg_proc'), '(none)') || E'\\n-- owner: ' || p.proowner::regrole "
                 "|| E'\\n-- acl: ' || coalesce(p.proacl::text, '(default)') "
                 "FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.pronamespace = 'marin'::regnamespace"))
        out[r[0].as<std::string>()] = r[1].as<std::string>();
    return out;
}

// Runs the numbered migrations as an older marin-sync did: their files only,
// recorded in schema_migrations, no generated step.
void migrate_as_before(const std::string& dsn) {
    pqxx::connection c(dsn);
    {
        pqxx::work tx(c);
        tx.exec0("CREATE SCHEMA marin");
        tx.exec0(
            "CREATE TABLE marin.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
            "checksum text NOT NULL, applied_at timestamp with time zone NOT NULL DEFAULT now())");
        tx.commit();
    }
    for (const auto& m : storage::embedded_migrations()) {
        pqxx::work tx(c);
        tx.exec(std::string(m.sql));
        tx.exec_params0("INSERT INTO marin.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", m.version,
                        std::string(m.name), std::string(m.checksum));
        tx.commit();
    }
}

std::vector<std::string> view_columns(pqxx::transaction_base& tx, const std::string& view) {
    std::vector<std::string> out;
    for (const auto& r : tx.exec_params("SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute "
                                        "WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped "
                                        "ORDER BY attnum",
                                        view))
        out.push_back(r[0].as<std::string>());
    return out;
}

std::map<std::string, std::string> recorded(const std::string& dsn) {
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::map<std::string, std::string> out;
    for (const auto& r : tx.exec("SELECT object, checksum || ' ' || applied_at FROM marin.schema_generated"))
        out[r[0].as<std::string>()] = r[1].as<std::string>();
    return out;
}

// A copy of a spec with columns of its own (the copy owns them).
struct TestSpec {
    std::vector<model::ColumnSpec> columns;
    model::TableSpec spec;
    TestSpec(const model::TableSpec& base, std::vector<model::ColumnSpec> extra)
        : columns(base.columns.begin(), base.columns.end()), spec(base) {
        columns.insert(columns.end(), extra.begin(), extra.end());
        spec.columns = columns;
    }
    TestSpec(const TestSpec&) = delete;  // spec.columns points into columns
};

// What a migration 010 would write for a new column of ads, and the spec
// that says so.
TestSpec add_test_note(pqxx::work& tx) {
    tx.exec0("ALTER TABLE marin.ads ADD COLUMN test_note text");
    tx.exec0("ALTER TABLE marin.ads_history ADD COLUMN test_note text");
    tx.exec0("COMMENT ON COLUMN marin.ads.test_note IS 'A note for the test.'");
    return TestSpec(model::table_spec(model::TableId::ads),
                    {{"test_note", "test_note", model::ColumnType::text, model::ColumnRole::field, false, 10}});
}

}  // namespace

// The generator reproduces what sql/002, 005 and 007 made, view for view and
// function for function; a database migrated by an older marin-sync (no
// generated step) ends with the catalogue of a fresh one; and a second
// migrate changes nothing.
TEST(GeneratedViews, ReproduceTheMigrationsExactly) {
    test::TestDatabase before("views_before");
    migrate_as_before(before.dsn());
    const auto hand_written = catalogue(before.dsn());

    test::MigratedDatabase fresh("views_fresh");
    const auto generated = catalogue(fresh.dsn());
    ASSERT_EQ(hand_written.size(), generated.size());
    for (const auto& [name, text] : hand_written) {
        const auto it = generated.find(name);
        ASSERT_NE(it, generated.end()) << name;
        EXPECT_EQ(text, it->second) << name;
    }

    // What the generator says of its views is what they have.
    const auto objects = generated_objects();
    EXPECT_EQ(objects.size(), 3 * model::all_tables().size() - 1) << "no current_ad_stats_daily";
    {
        pqxx::connection c(fresh.dsn());
        pqxx::read_transaction tx(c);
        for (const auto& o : objects) {
            if (o.kind != storage::detail::GeneratedObject::Kind::view) continue;
            std::vector<std::string> want;
            for (const auto& col : o.columns) want.push_back(col.name + " " + col.type);
            EXPECT_EQ(view_columns(tx, o.signature), want) << o.signature;
        }
        // Identifiers are written as quote_ident writes them.
        for (const auto& spec : model::all_tables())
            for (auto name : spec.stored_columns())
                EXPECT_EQ(tx.exec_params1("SELECT quote_ident($1)", std::string(name))[0].as<std::string>(),
                          storage::detail::sql_ident(name));
        // The table model's column order is PostgreSQL's.
        for (const auto& spec : model::all_tables()) {
            std::vector<std::string> want;
            for (auto name : spec.stored_columns()) want.emplace_back(name);
            std::vector<std::string> got;
            for (const auto& r : tx.exec_params("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) "
                                                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                                                "marin." + std::string(spec.name)))
                got.push_back(r[0].as<std::string>());
            EXPECT_EQ(got, want) << spec.name;
        }
    }
    EXPECT_EQ(recorded(fresh.dsn()).size(), objects.size());

    // Upgraded: an older marin-sync's database gets the generated step only.
    EXPECT_TRUE(Migrator::migrate(before.dsn(), test::quiet_logger()).empty());
    EXPECT_EQ(catalogue(before.dsn()), generated);

    // Again: nothing to do, nothing made again.
    const auto first = recorded(fresh.dsn());
    EXPECT_TRUE(Migrator::migrate(fresh.dsn(), test::quiet_logger()).empty());
    EXPECT_EQ(recorded(fresh.dsn()), first);
    EXPECT_EQ(catalogue(fresh.dsn()), generated);
    EXPECT_NO_THROW(Migrator::check_schema(fresh.dsn()));
}

// A column a later migration adds to a table and to its TableSpec appears in
// current_T and T_as_of after the table's columns and in T_versions after
// _is_current, without SQL written for the views; a view of an analyst over
// them stays.
TEST(GeneratedViews, AColumnAddedToASpecReachesTheViews) {
    test::MigratedDatabase db("views_new_column");
    pqxx::connection c(db.dsn());
    std::vector<storage::detail::GeneratedObject> objects;
    {
        pqxx::work tx(c);
        const auto t = add_test_note(tx);
        objects = generated_objects(t.spec);
        tx.exec0("CREATE VIEW marin.analyst_ads AS SELECT id, name FROM marin.current_ads");
        tx.commit();
    }
    {
        pqxx::work tx(c);
        EXPECT_EQ(apply_generated_views(tx, objects, 10, test::quiet_logger()), 3);
        tx.commit();
    }
    pqxx::work tx(c);
    EXPECT_EQ(view_columns(tx, "marin.current_ads").back(), "test_note text");
    const auto versions = view_columns(tx, "marin.ads_versions");
    ASSERT_GE(versions.size(), 2u);
    EXPECT_EQ(versions[versions.size() - 2], "_is_current boolean");
    EXPECT_EQ(versions.back(), "test_note text");
    EXPECT_EQ(tx.exec1("SELECT col_description('marin.current_ads'::regclass, "
                       "(SELECT attnum FROM pg_attribute WHERE attrelid = 'marin.current_ads'::regclass "
                       "AND attname = 'test_note'))")[0]
                  .as<std::string>(),
              "A note for the test.");
    tx.exec0(
        "INSERT INTO marin.ads (id, test_note, _raw, _hash, _synced_at) "
        "VALUES ('1', 'noted', '{}', 'h', now() - interval '1 hour')");
    EXPECT_EQ(tx.exec1("SELECT test_note FROM marin.ads_as_of(now())")[0].as<std::string>(), "noted");
    EXPECT_EQ(tx.exec1("SELECT test_note FROM marin.ads_versions")[0].as<std::string>(), "noted");
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM marin.analyst_ads")[0].as<int>(), 1);
    // Applied: the same text again is not.
    EXPECT_EQ(apply_generated_views(tx, objects, 10, test::quiet_logger()), 0);
}

// A view whose columns would move is dropped and made again with its grants
// when nothing depends on it, and refused, changing nothing, when something
// does.
TEST(GeneratedViews, AViewThatMustChangeShapeIsRemadeOrRefused) {
    test::MigratedDatabase db("views_reshape");
    pqxx::connection c(db.dsn());
    std::vector<storage::detail::GeneratedObject> objects;
    {
        pqxx::work tx(c);
        // Laid out again in "010": the new column before _valid_from.
        auto t = add_test_note(tx);
        t.spec.versions_laid_out_in = 10;
        objects = generated_objects(t.spec);
        tx.exec0("CREATE VIEW marin.analyst_versions AS SELECT id, _valid_from FROM marin.ads_versions");
        tx.exec0(
            "CREATE FUNCTION marin.analyst_rows() RETURNS SETOF marin.ads_versions LANGUAGE sql "
            "AS 'SELECT * FROM marin.ads_versions'");
        tx.exec0("GRANT SELECT ON marin.ads_versions TO PUBLIC");
        tx.commit();
    }
    const auto acl = [&] {
        pqxx::read_transaction tx(c);
        return tx.exec1("SELECT relacl::text FROM pg_class WHERE oid = 'marin.ads_versions'::regclass")[0]
            .as<std::string>();
    };
    const auto acl_before = acl();
    try {
        pqxx::work tx(c);
        apply_generated_views(tx, objects, 10, test::quiet_logger());
        FAIL() << "no error";
    } catch (const storage::SchemaError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("marin.ads_versions must change its columns"), std::string::npos) << what;
        EXPECT_NE(what.find("function marin.analyst_rows(), view marin.analyst_versions depend(s) on it"),
                  std::string::npos)
            << what;
    }
    {
        pqxx::work tx(c);
        tx.exec0("DROP VIEW marin.analyst_versions");
        tx.exec0("DROP FUNCTION marin.analyst_rows()");
        EXPECT_EQ(apply_generated_views(tx, objects, 10, test::quiet_logger()), 3);
        tx.commit();
    }
    pqxx::read_transaction tx(c);
    const auto versions = view_columns(tx, "marin.ads_versions");
    ASSERT_GE(versions.size(), 4u);
    EXPECT_EQ(versions[versions.size() - 4], "test_note text");
    EXPECT_EQ(versions.back(), "_is_current boolean");
    EXPECT_EQ(
        tx.exec1("SELECT relacl::text FROM pg_class WHERE oid = 'marin.ads_versions'::regclass")[0].as<std::string>(),
        acl_before);
}
