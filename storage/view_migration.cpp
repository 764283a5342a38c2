// Applies the generated per-table views after the numbered migrations, by checksum.
#include "view_migration.hpp"

#include <spdlog/logger.h>

#include <map>

#include "marin/storage/errors.hpp"

namespace marin::storage::detail {
namespace {

constexpr const char* bookkeeping_sql = R"sql(
CREATE TABLE IF NOT EXISTS marin.schema_generated (
    object text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamp with time zone NOT NULL DEFAULT now()
);
COMMENT ON TABLE marin.schema_generated IS 'Views and functions marin-sync generates from its table model (current_*, *_versions, *_as_of) after the migrations of marin.schema_migrations, by `marin-sync migrate`: made again when their text or the schema version changes.';
COMMENT ON COLUMN marin.schema_generated.object IS 'The view or function, e.g. marin.current_ads or marin.ads_as_of(timestamptz, boolean).';
COMMENT ON COLUMN marin.schema_generated.checksum IS 'SHA-256 (hex) of its generated CREATE and COMMENT statements and the schema version they were applied after.';
COMMENT ON COLUMN marin.schema_generated.applied_at IS 'When it was last made.';
)sql";

// The statements of `o` as applied after schema `version`: what the checksum covers.
std::string applied_text(const GeneratedObject& o, int version) {
    return o.create + ";\n" + o.comments + "-- after schema version " + std::to_string(version) + "\n";
}

std::vector<ViewColumn> existing_columns(pqxx::transaction_base& tx, const GeneratedObject& o) {
    std::vector<ViewColumn> out;
    for (const auto& r : tx.exec_params("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                                        "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped "
                                        "ORDER BY a.attnum",
                                        o.signature))
        out.push_back({r[0].as<std::string>(), r[1].as<std::string>()});
    return out;
}

// CREATE OR REPLACE VIEW keeps the columns in place and may add some at the end.
bool replaceable(const std::vector<ViewColumn>& have, const std::vector<ViewColumn>& want) {
    if (have.size() > want.size()) return false;
    for (std::size_t i = 0; i < have.size(); ++i)
        if (have[i].name != want[i].name || have[i].type != want[i].type) return false;
    return true;
}

std::string describe(const std::vector<ViewColumn>& columns) {
    std::string out;
    for (const auto& c : columns) out += (out.empty() ? "" : ", ") + c.name + " " + c.type;
    return out;
}

// The first column of `sql`'s rows, for $1 = view.
std::vector<std::string> texts(pqxx::transaction_base& tx, const char* sql, const std::string& view) {
    std::vector<std::string> out;
    for (const auto& r : tx.exec_params(sql, view)) out.push_back(r[0].as<std::string>());
    return out;
}

// Objects that depend on the view or its row type (other views' rules,
// functions returning its rows, ...).
constexpr const char* dependants_sql =
    "SELECT DISTINCT CASE WHEN d.classid = 'pg_rewrite'::regclass "
    "THEN (SELECT 'view ' || r.ev_class::regclass::text FROM pg_rewrite r WHERE r.oid = d.objid) "
    "ELSE pg_describe_object(d.classid, d.objid, d.objsubid) END "
    "FROM pg_depend d WHERE d.deptype = 'n' "
    "AND ((d.refclassid = 'pg_class'::regclass AND d.refobjid = to_regclass($1)) "
    "     OR (d.refclassid = 'pg_type'::regclass "
    "         AND d.refobjid = (SELECT reltype FROM pg_class WHERE oid = to_regclass($1)))) "
    "AND NOT (d.classid = 'pg_rewrite'::regclass "
    "         AND d.objid IN (SELECT r.oid FROM pg_rewrite r WHERE r.ev_class = d.refobjid)) ORDER BY 1";

// GRANT statements giving back what the view's ACL holds (its owner's own
// rights come with ownership).
constexpr const char* grants_sql =
    "SELECT format('GRANT %s ON %s TO %s%s', a.privilege_type, $1::text, "
    "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END, "
    "CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) "
    "FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a "
    "WHERE c.oid = to_regclass($1) AND a.grantee <> c.relowner";

// Makes `o` (a view) ready for its CREATE OR REPLACE: dropped when its
// columns cannot be kept. Returns the grants to give back after it.
std::vector<std::string> prepare_view(pqxx::transaction_base& tx, const GeneratedObject& o,
                                      const std::shared_ptr<spdlog::logger>& log) {
    const auto have = existing_columns(tx, o);
    if (replaceable(have, o.columns)) return {};
    const auto deps = texts(tx, dependants_sql, o.signature);
    if (!deps.empty()) {
        std::string list;
        for (const auto& d : deps) list += (list.empty() ? "" : ", ") + d;
        throw SchemaError("the generated view " + o.signature + " must change its columns from (" + describe(have) +
                          ") to (" + describe(o.columns) +
                          "), which CREATE OR REPLACE VIEW cannot do (it only adds columns at the end), and " + list +
                          " depend(s) on it: drop them, run `marin-sync migrate`, then create them again");
    }
    if (log) log->warn("generated view {} changes its columns: dropped and made again", o.signature);
    auto g = texts(tx, grants_sql, o.signature);
    tx.exec0("DROP VIEW " + o.signature);
    return g;
}

}  // namespace

int apply_generated_views(pqxx::transaction_base& tx, std::span<const GeneratedObject> objects, int schema_version,
                          const std::shared_ptr<spdlog::logger>& log) {
    tx.exec(bookkeeping_sql);
    std::map<std::string, std::string> recorded;
    for (const auto& r : tx.exec("SELECT object, checksum FROM marin.schema_generated"))
        recorded[r[0].as<std::string>()] = r[1].as<std::string>();
    int applied = 0;
    for (const auto& o : objects) {
        const auto text = applied_text(o, schema_version);
        const auto checksum =
            tx.exec_params1("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", text)[0].as<std::string>();
        if (const auto it = recorded.find(o.signature); it != recorded.end() && it->second == checksum) continue;
        std::vector<std::string> regrant;
        if (o.kind == GeneratedObject::Kind::view) regrant = prepare_view(tx, o, log);
        tx.exec0(o.create);
        tx.exec(o.comments);
        for (const auto& g : regrant) tx.exec0(g);
        tx.exec_params0(
            "INSERT INTO marin.schema_generated (object, checksum) VALUES ($1, $2) "
            "ON CONFLICT (object) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()",
            o.signature, checksum);
        ++applied;
    }
    return applied;
}

}  // namespace marin::storage::detail
