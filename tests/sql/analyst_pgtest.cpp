// The analysts' side of the mirror (issue 5), against a database of the test
// cluster migrated by the real `marin-sync migrate`:
// - every table, view, column and function of schema marin has a comment;
// - docs/schema.md is what dev/gen-schema-doc makes of a fresh database;
// - marin_reader reads everything and writes nothing;
// - the sample queries of docs/analyst-queries.md, run as written, give the
//   simulator's own totals (its statistics endpoints), on the simulator's
//   expected state loaded directly and on a mirror made by `sync --full`.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include <unistd.h>

#include "e2e/harness.hpp"
#include "marin/model/table_spec.hpp"

namespace marin::analyst {
namespace {

namespace json = boost::json;
using e2e::Simulator;

const std::string source_dir = MARIN_SOURCE_DIR;
// The simulated "today" is pinned so that the test does not depend on the date.
const std::string sim_today = "2024-06-12";

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void migrate(const std::string& dsn) {
    e2e::SyncEnv env;
    env.api_url = "http://127.0.0.1:9";  // migrate talks to the database only
    env.key = "unused";
    env.dsn = dsn;
    const auto r = e2e::run_sync(env, {"migrate"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
}

// ---------------------------------------------------------------------------
// Days as std::chrono::sys_days; the simulator's windows are UNIX seconds.

std::chrono::sys_days parse_day(const std::string& s) {
    int y = 0;
    unsigned m = 0, d = 0;
    if (std::sscanf(s.c_str(), "%d-%u-%u", &y, &m, &d) != 3) throw std::runtime_error("not a day: " + s);
    return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

std::string format_day(std::chrono::sys_days day) {
    const std::chrono::year_month_day ymd{day};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

std::string unix_seconds(std::chrono::sys_days day) {
    return std::to_string(static_cast<long long>(day.time_since_epoch().count()) * 86400);
}

// The advertiser's reporting week, written independently of the SQL:
// "Saturday_Friday" -> weeks start on Saturday; missing -> Sunday (the API's default).
std::chrono::sys_days week_start(std::chrono::sys_days day, const std::string& reporting_week) {
    static const std::map<std::string, unsigned> iso = {{"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4},
                                                        {"fri", 5}, {"sat", 6}, {"sun", 7}};
    std::string first = reporting_week.substr(0, 3);
    std::transform(first.begin(), first.end(), first.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto it = iso.find(first);
    const unsigned start = it == iso.end() ? 7 : it->second;
    const unsigned today = std::chrono::weekday{day}.iso_encoding();
    return day - std::chrono::days{(today + 7 - start) % 7};
}

// ---------------------------------------------------------------------------
// The simulator's side

std::int64_t cents(const json::value& v) {
    double x = 0;
    if (v.is_string())
        x = std::stod(std::string(v.as_string()));
    else
        x = v.to_number<double>();
    return std::llround(x * 100.0);
}

std::int64_t integer(const json::value& v) {
    if (v.is_string()) return std::stoll(std::string(v.as_string()));
    return v.to_number<std::int64_t>();
}

std::string text(const json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_null()) return "";
    return json::serialize(v);
}

// Every row of a statistics listing, all pages.
std::vector<json::object> stats_rows(const Simulator& sim, const std::string& path_and_query) {
    std::vector<json::object> rows;
    for (int page = 1;; ++page) {
        const auto body = json::parse(sim.admin(path_and_query + "&limit=300&page=" + std::to_string(page)));
        for (const auto& r : body.at("data").as_array()) rows.push_back(r.as_object());
        const auto& range = body.at("range").as_object();
        if (page >= range.at("nb_pages").to_number<int>()) break;
    }
    return rows;
}

std::vector<json::object> expected_lines(const Simulator& sim, const std::string& table) {
    std::vector<json::object> out;
    std::istringstream in(sim.admin("/_sim/expected?table=" + table));
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(json::parse(line).as_object());
    return out;
}

struct MediaPlan {
    std::string id, advertiser_id, currency, reporting_week;
};

// Media plans with their advertiser, currency (the account's, else the
// advertiser's) and reporting week, from the simulator's expected state.
std::vector<MediaPlan> media_plans(const Simulator& sim) {
    std::map<std::string, std::string> account_currency;
    for (const auto& l : expected_lines(sim, "accounts"))
        if (const auto* c = l.at("record").as_object().if_contains("currency"))
            account_currency[text(l.at("key").at("id"))] = text(*c);
    std::map<std::string, std::pair<std::string, std::string>> advertiser;  // id -> currency, week
    for (const auto& l : expected_lines(sim, "advertisers")) {
        const auto& r = l.at("record").as_object();
        advertiser[text(l.at("key").at("id"))] = {r.contains("currency") ? text(r.at("currency")) : "",
                                                  r.contains("reporting_week") ? text(r.at("reporting_week")) : ""};
    }
    std::vector<MediaPlan> out;
    for (const auto& l : expected_lines(sim, "media_plans")) {
        MediaPlan mp;
        mp.id = text(l.at("key").at("id"));
        mp.advertiser_id = text(l.at("parents").at("advertiser_id"));
        const auto account = text(l.at("parents").at("account_id"));
        const auto& adv = advertiser[mp.advertiser_id];
        mp.currency = account_currency.count(account) ? account_currency[account] : adv.first;
        mp.reporting_week = adv.second;
        out.push_back(mp);
    }
    return out;
}

struct Totals {
    std::int64_t spent_cents = 0, impressions = 0, clicks = 0;
    bool operator==(const Totals&) const = default;
};
std::ostream& operator<<(std::ostream& o, const Totals& t) {
    return o << "{spent " << t.spent_cents << " cents, " << t.impressions << " impressions, " << t.clicks << " clicks}";
}

void add_row(Totals& t, const json::object& row) {
    t.spent_cents += cents(row.at("spent"));
    t.impressions += integer(row.at("impression"));
    t.clicks += integer(row.at("click"));
}

// ---------------------------------------------------------------------------
// The database's side

std::map<std::string, std::string> sample_queries() {
    const auto doc = read_text(source_dir + "/docs/analyst-queries.md");
    std::map<std::string, std::string> out;
    const std::string open = "```sql\n-- query: ";
    for (auto pos = doc.find(open); pos != std::string::npos; pos = doc.find(open, pos + 1)) {
        const auto name_begin = pos + open.size();
        const auto name_end = doc.find('\n', name_begin);
        const auto end = doc.find("```", name_end);
        std::string sql = doc.substr(name_end + 1, end - name_end - 1);
        while (!sql.empty() && (sql.back() == '\n' || sql.back() == ' ' || sql.back() == ';')) sql.pop_back();
        out[doc.substr(name_begin, name_end - name_begin)] = sql;
    }
    return out;
}

// The sample query, with psql's :'name' variables replaced by literals,
// wrapped so that the test reads exact cents and plain text.
std::string sample(pqxx::transaction_base& tx, const std::string& name,
                   const std::map<std::string, std::string>& variables = {}) {
    static const auto queries = sample_queries();
    const auto it = queries.find(name);
    if (it == queries.end()) throw std::runtime_error("docs/analyst-queries.md has no query named " + name);
    std::string sql = it->second;
    for (const auto& [var, value] : variables) {
        const std::string placeholder = ":'" + var + "'";
        for (auto p = sql.find(placeholder); p != std::string::npos; p = sql.find(placeholder, p))
            sql.replace(p, placeholder.size(), tx.quote(value));
    }
    return sql;
}

// Loads the simulator's expected state into the mirror tables as the sync
// would write them (columns from the model's table specs), without the
// sync: the views are checked whatever the state of the sync engine.
void load_expected_state(const std::string& dsn, const Simulator& sim) {
    pqxx::connection c(dsn);
    pqxx::work tx(c);
    for (const auto& spec : model::all_tables()) {
        const std::string table(spec.name);
        std::vector<std::string> names, values;
        for (const auto& col : spec.columns) {
            if (col.type == model::ColumnType::json_subtree) continue;  // generated from _raw
            const std::string name(col.name), field(col.json_field);
            std::string source;
            if (col.role == model::ColumnRole::key)
                source = "coalesce(l->'key'->>'" + name + "', l->'record'->>'" + field + "')";
            else if (col.role == model::ColumnRole::main_metric)
                source = "marin.main_metric_number(l->'record'->'main_metrics', '" + field + "')";
            else if (!field.empty())
                source = "coalesce(l->'record'->>'" + field + "', l->'parents'->>'" + name + "')";
            else
                source = "l->'parents'->>'" + name + "'";
            names.push_back(name);
            values.push_back("(" + source + ")::" + std::string(model::sql_type(col.type)));
        }
        std::string sql = "INSERT INTO marin." + table + " (";
        for (const auto& n : names) sql += n + ", ";
        sql += "_raw, _hash, _synced_at, _removed_at) SELECT ";
        for (const auto& v : values) sql += v + ", ";
        sql +=
            "l->'record', md5((l->'record')::text), now(), CASE WHEN (l->>'removed')::boolean THEN now() END "
            "FROM jsonb_array_elements($1::jsonb) AS l";
        std::string body = sim.admin("/_sim/expected?table=" + table);
        // jsonb cannot hold NUL characters; the sync makes them safe the same way.
        for (auto p = body.find("\\u0000"); p != std::string::npos; p = body.find("\\u0000", p))
            body.replace(p, 6, "\\ufffd");
        std::string array = "[";
        std::istringstream in(body);
        std::string line;
        while (std::getline(in, line))
            if (!line.empty()) array += (array.size() > 1 ? "," : "") + line;
        array += "]";
        tx.exec_params0(sql, array);
    }
    // Rows written without marin-sync: their roll-ups are computed here.
    tx.exec1("SELECT marin.rebuild_stats_rollups()");
    tx.commit();
}

// ---------------------------------------------------------------------------
// The checks of the sample queries against the simulator

struct SimWindow {
    std::chrono::sys_days first, today;
};

SimWindow sim_window(const Simulator& sim) {
    const auto state = json::parse(sim.admin("/_sim/state")).as_object();
    return {parse_day(text(state.at("first_stats_day"))), parse_day(text(state.at("today")))};
}

void check_spend_by_advertiser_week(const std::string& dsn, const Simulator& sim) {
    SCOPED_TRACE("spend_by_advertiser_week");
    const auto window = sim_window(sim);
    // Simulator: each media plan's period total over each reporting week.
    using Key = std::tuple<std::string, std::string, std::string>;  // advertiser, currency, week start
    std::map<Key, Totals> want;
    for (const auto& mp : media_plans(sim)) {
        std::set<std::chrono::sys_days> weeks;
        for (auto d = window.first; d <= window.today; d += std::chrono::days{1})
            weeks.insert(week_start(d, mp.reporting_week));
        for (const auto ws : weeks) {
            const auto lo = std::max(ws, window.first);
            const auto hi = std::min(ws + std::chrono::days{6}, window.today);
            const auto rows =
                stats_rows(sim, "/clients/" + mp.id + "/statistics?aggregate=period&start_date=" + unix_seconds(lo) +
                                    "&end_date=" + unix_seconds(hi));
            for (const auto& row : rows) add_row(want[Key{mp.advertiser_id, mp.currency, format_day(ws)}], row);
        }
    }
    // Mirror: the sample query as written.
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::map<Key, Totals> got;
    for (const auto& r : tx.exec("SELECT advertiser_id, currency, week_start::text, week_end - week_start, "
                                 "(spent * 100)::bigint, impressions, clicks FROM (" +
                                 sample(tx, "spend_by_advertiser_week") + ") q")) {
        EXPECT_EQ(r[3].as<int>(), 6);
        auto& t = got[Key{r[0].c_str(), r[1].c_str(), r[2].c_str()}];
        EXPECT_EQ(t, Totals{}) << "two rows for " << r[0].c_str() << " " << r[1].c_str() << " " << r[2].c_str();
        t = Totals{r[4].as<std::int64_t>(), r[5].as<std::int64_t>(), r[6].as<std::int64_t>()};
    }
    EXPECT_GT(want.size(), 1u);
    EXPECT_EQ(got.size(), want.size());
    for (const auto& [key, totals] : want) {
        const auto it = got.find(key);
        if (it == got.end()) {
            ADD_FAILURE() << "no row for advertiser " << std::get<0>(key) << " " << std::get<1>(key) << " week "
                          << std::get<2>(key);
            continue;
        }
        EXPECT_EQ(it->second, totals) << "advertiser " << std::get<0>(key) << " " << std::get<1>(key) << " week "
                                      << std::get<2>(key);
    }
}

void check_ctr_by_campaign(const std::string& dsn, const Simulator& sim) {
    SCOPED_TRACE("ctr_by_campaign");
    std::map<std::string, Totals> want;
    std::map<std::string, double> want_ctr;
    for (const auto& mp : media_plans(sim))
        for (const auto& row : stats_rows(sim, "/clients/" + mp.id + "/statistics?aggregate=period&level=campaign")) {
            const auto id = text(row.at("campaign_id"));
            add_row(want[id], row);
            want_ctr[id] = row.at("ctr").to_number<double>();
        }
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::map<std::string, Totals> got;
    for (const auto& r : tx.exec("SELECT campaign_id, (spent * 100)::bigint, impressions, clicks, ctr_percent FROM (" +
                                 sample(tx, "ctr_by_campaign") + ") q")) {
        const std::string id = r[0].c_str();
        got[id] = Totals{r[1].as<std::int64_t>(), r[2].as<std::int64_t>(), r[3].as<std::int64_t>()};
        if (want_ctr.count(id)) {
            // The sample rounds to 4 decimals; the API's ctr is a double.
            EXPECT_NEAR(r[4].as<double>(), want_ctr[id], 0.00005 + 1e-9) << "campaign " << id;
        }
    }
    EXPECT_GT(want.size(), 1u);
    EXPECT_EQ(got, want);
}

void check_top_ads_last_7_days(const std::string& dsn, const Simulator& sim) {
    SCOPED_TRACE("top_ads_last_7_days");
    const auto window = sim_window(sim);
    const auto from = window.today - std::chrono::days{6};
    std::map<std::string, std::vector<std::pair<std::string, std::int64_t>>> spend;  // currency -> (ad, cents)
    for (const auto& mp : media_plans(sim))
        for (const auto& row : stats_rows(
                 sim, "/clients/" + mp.id + "/statistics?aggregate=period&level=ad&start_date=" + unix_seconds(from) +
                          "&end_date=" + unix_seconds(window.today)))
            spend[mp.currency].emplace_back(text(row.at("ad_id")), cents(row.at("spent")));
    using Row = std::tuple<std::string, long, std::string, std::int64_t>;  // currency, rank, ad, cents
    std::set<Row> want;
    for (const auto& [currency, ads] : spend)
        for (const auto& [ad, c] : ads) {
            const long rank = 1 + std::count_if(ads.begin(), ads.end(), [&](const auto& o) { return o.second > c; });
            if (rank <= 10) want.emplace(currency, rank, ad, c);
        }
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    EXPECT_EQ(tx.exec1("SELECT max(date)::text FROM marin.ad_stats_daily")[0].as<std::string>(),
              format_day(window.today));
    std::set<Row> got;
    for (const auto& r : tx.exec("SELECT currency, rank, ad_id, (spent * 100)::bigint FROM (" +
                                 sample(tx, "top_ads_last_7_days") + ") q"))
        got.emplace(r[0].c_str(), r[1].as<long>(), r[2].c_str(), r[3].as<std::int64_t>());
    EXPECT_GE(want.size(), 10u);
    EXPECT_EQ(got, want);
}

// The budgets (daily_budget, in cents) the sample query lists for a campaign.
std::vector<std::int64_t> budget_history(const std::string& dsn, const std::string& campaign_id) {
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::vector<std::int64_t> out;
    for (const auto& r : tx.exec("SELECT (daily_budget * 100)::bigint FROM (" +
                                 sample(tx, "campaign_budget_history", {{"campaign_id", campaign_id}}) + ") q"))
        out.push_back(r[0].as<std::int64_t>());
    return out;
}

// id -> daily_budget in cents, of the campaigns the API lists.
std::map<std::string, std::int64_t> listed_campaign_budgets(const Simulator& sim) {
    std::map<std::string, std::int64_t> out;
    for (const auto& l : expected_lines(sim, "campaigns"))
        if (!l.at("removed").as_bool()) out[text(l.at("key").at("id"))] = cents(l.at("record").at("daily_budget"));
    return out;
}

std::map<std::string, std::int64_t> campaigns_on_a_day(const std::string& dsn, const std::string& at) {
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::map<std::string, std::int64_t> out;
    for (const auto& r : tx.exec("SELECT id, (daily_budget * 100)::bigint FROM (" +
                                 sample(tx, "campaigns_on_a_day", {{"at", at}}) + ") q"))
        out[r[0].c_str()] = r[1].as<std::int64_t>();
    return out;
}

void check_sample_queries_against_simulator(const std::string& dsn, const Simulator& sim) {
    check_spend_by_advertiser_week(dsn, sim);
    check_ctr_by_campaign(dsn, sim);
    check_top_ads_last_7_days(dsn, sim);
}

// ---------------------------------------------------------------------------
// The catalogue

TEST(AnalystSchema, EveryTableViewColumnAndFunctionHasAComment) {
    test::TestDatabase db("analyst_doc");
    ASSERT_NO_FATAL_FAILURE(migrate(db.dsn()));
    pqxx::connection c(db.dsn());
    pqxx::read_transaction tx(c);
    std::vector<std::string> missing;
    for (const auto& r : tx.exec(
             "SELECT c.relname || coalesce('.' || a.attname, '') FROM pg_class c "
             "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
             "WHERE c.relnamespace = 'marin'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'f') "
             "AND ((a.attname IS NULL AND obj_description(c.oid, 'pg_class') IS NULL) "
             "  OR (a.attname IS NOT NULL AND coalesce(col_description(c.oid, a.attnum), '') = '')) "
             "UNION ALL SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'marin'::regnamespace "
             "AND c.relkind IN ('r', 'v', 'm', 'p', 'f') AND coalesce(obj_description(c.oid, 'pg_class'), '') = '' "
             "UNION ALL SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'marin'::regnamespace "
             "AND coalesce(obj_description(p.oid, 'pg_proc'), '') = '' "
             "UNION ALL SELECT 'schema marin' WHERE obj_description('marin'::regnamespace, 'pg_namespace') IS NULL"))
        missing.push_back(r[0].c_str());
    EXPECT_TRUE(missing.empty()) << missing.size() << " without a comment, e.g. " << missing.front();

    // The views and functions the docs promise are there.
    std::vector<std::string> views = {"ad_stats_daily_named",    "ad_stats_daily_metrics", "campaign_stats_daily",
                                      "media_plan_stats_daily",  "advertiser_stats_daily", "campaign_stats_weekly",
                                      "media_plan_stats_weekly", "advertiser_stats_weekly"};
    for (const auto& spec : model::all_tables()) {
        const std::string t(spec.name);
        if (t != "ad_stats_daily") views.push_back("current_" + t);
        views.push_back(t + "_versions");
        EXPECT_TRUE(
            tx.exec_params1("SELECT to_regprocedure($1) IS NOT NULL", "marin." + t + "_as_of(timestamptz, boolean)")[0]
                .as<bool>())
            << "no function marin." << t << "_as_of";
    }
    for (const auto& v : views)
        EXPECT_TRUE(tx.exec_params1("SELECT to_regclass($1) IS NOT NULL AND (SELECT relkind FROM pg_class WHERE oid = "
                                    "to_regclass($1)) = 'v'",
                                    "marin." + v)[0]
                        .as<bool>())
            << "no view marin." << v;

    // Figures add up: no floating point in any view, except the API's own
    // per-ad-day ratios passed through by ad_stats_daily_versions.
    std::vector<std::string> floats;
    for (const auto& r : tx.exec("SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_attribute a "
                                 "ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                                 "WHERE c.relnamespace = 'marin'::regnamespace AND c.relkind = 'v' "
                                 "AND a.atttypid IN ('real'::regtype, 'double precision'::regtype) "
                                 "AND c.relname <> 'ad_stats_daily_versions'"))
        floats.push_back(r[0].c_str());
    EXPECT_TRUE(floats.empty()) << "floating point in a view: " << floats.front();
    for (const auto& r : tx.exec("SELECT c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod) "
                                 "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
                                 "WHERE c.relnamespace = 'marin'::regnamespace AND c.relkind = 'v' "
                                 "AND c.relname LIKE '%stats%' AND c.relname <> 'ad_stats_daily_versions' "
                                 "AND a.attname IN ('spent', 'income', 'amount', 'cpc', 'cpm', 'cpa', 'ctr')"))
        EXPECT_EQ(r[1].as<std::string>(), "numeric") << r[0].c_str();
}

TEST(AnalystSchema, SchemaDocMatchesTheMigrations) {
    test::TestDatabase db("analyst_schema_md");
    ASSERT_NO_FATAL_FAILURE(migrate(db.dsn()));
    const std::string out_path = std::string(MARIN_BINARY_DIR) + "/schema.md.generated";
    const std::string cmd = source_dir + "/dev/gen-schema-doc '" + db.dsn() + "' > '" + out_path + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const auto generated = read_text(out_path);
    const auto committed = read_text(source_dir + "/docs/schema.md");
    if (generated != committed) {
        std::istringstream g(generated), w(committed);
        std::string gl, wl;
        int line = 1;
        while (true) {
            const bool more_g = static_cast<bool>(std::getline(g, gl));
            const bool more_w = static_cast<bool>(std::getline(w, wl));
            if (!more_g && !more_w) break;
            if (!more_g || !more_w || gl != wl) {
                ADD_FAILURE() << "docs/schema.md differs from the migrations at line " << line
                              << "\n  committed: " << (more_w ? wl : "(end of file)")
                              << "\n  generated: " << (more_g ? gl : "(end of file)")
                              << "\nregenerate it: dev/gen-schema-doc DSN > docs/schema.md (the new text is in "
                              << out_path << ")";
                break;
            }
            ++line;
        }
    }
}

// ---------------------------------------------------------------------------
// The analysts' role

// The statement, run as marin_reader, fails for lack of privilege. Writes
// into views that are not automatically updatable (joins, UNION, GROUP BY)
// fail before the privilege check, as "cannot insert into view": also a
// refusal.
bool refused(pqxx::connection& c, const std::string& sql, std::string& why, bool view = false) {
    try {
        pqxx::work tx(c);
        tx.exec0("SET LOCAL ROLE marin_reader");
        tx.exec(sql);
        why = "accepted";
        return false;
    } catch (const pqxx::insufficient_privilege&) {  // 42501 (libpqxx 6.4 leaves sqlstate() empty here)
        return true;
    } catch (const pqxx::feature_not_supported& e) {  // 0A000: a view that is not automatically updatable
        why = e.what();
        return view;
    } catch (const pqxx::sql_error& e) {
        why = e.sqlstate() + " " + e.what();
        return view && e.sqlstate() == "55000";
    }
}

TEST(AnalystRole, ReaderReadsEverythingAndWritesNothing) {
    test::TestDatabase db("analyst_role");
    ASSERT_NO_FATAL_FAILURE(migrate(db.dsn()));
    pqxx::connection c(db.dsn());
    {
        pqxx::read_transaction tx(c);
        const auto role = tx.exec1(
            "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, "
            "rolbypassrls FROM pg_roles WHERE rolname = 'marin_reader'");
        for (const auto& f : role) EXPECT_FALSE(f.as<bool>()) << "marin_reader has " << f.name();
        // Nothing but SELECT on the schema's relations, and USAGE on it.
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = "
                           "'marin_reader' AND privilege_type <> 'SELECT'")[0]
                      .as<int>(),
                  0);
        EXPECT_TRUE(tx.exec1("SELECT has_schema_privilege('marin_reader', 'marin', 'USAGE')")[0].as<bool>());
        EXPECT_FALSE(tx.exec1("SELECT has_schema_privilege('marin_reader', 'marin', 'CREATE')")[0].as<bool>());
    }
    std::vector<std::pair<std::string, char>> relations;
    std::vector<std::string> functions;
    {
        pqxx::read_transaction tx(c);
        for (const auto& r : tx.exec("SELECT quote_ident(relname), relkind FROM pg_class WHERE relnamespace = "
                                     "'marin'::regnamespace AND relkind IN ('r', 'v') ORDER BY relname"))
            relations.emplace_back(r[0].c_str(), r[1].c_str()[0]);
        for (const auto& r : tx.exec("SELECT quote_ident(proname), pg_get_function_identity_arguments(oid) "
                                     "FROM pg_proc WHERE pronamespace = 'marin'::regnamespace"))
            functions.push_back(std::string(r[0].c_str()) + "|" + r[1].c_str());
    }
    ASSERT_GT(relations.size(), 60u);
    std::string why;
    for (const auto& [rel, kind] : relations) {
        SCOPED_TRACE("marin." + rel);
        {
            pqxx::work tx(c);
            tx.exec0("SET LOCAL ROLE marin_reader");
            EXPECT_NO_THROW(tx.exec("SELECT * FROM marin." + rel + " LIMIT 1"));
        }
        const bool view = kind == 'v';
        EXPECT_TRUE(refused(c, "INSERT INTO marin." + rel + " DEFAULT VALUES", why, view)) << why;
        EXPECT_TRUE(refused(c, "DELETE FROM marin." + rel, why, view)) << why;
        if (kind == 'r') {
            EXPECT_TRUE(refused(c, "TRUNCATE marin." + rel, why)) << why;
            EXPECT_TRUE(refused(c, "ALTER TABLE marin." + rel + " ADD COLUMN x int", why)) << why;
            EXPECT_TRUE(refused(c, "DROP TABLE marin." + rel, why)) << why;
        }
        pqxx::read_transaction tx(c);
        const auto first_col = tx.exec_params1(
                                     "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = "
                                     "('marin.' || $1)::regclass AND attnum = 1",
                                     rel)[0]
                                   .as<std::string>();
        tx.commit();
        EXPECT_TRUE(refused(c, "UPDATE marin." + rel + " SET " + first_col + " = " + first_col, why, view)) << why;
    }
    for (const auto& f : functions) {
        const auto name = f.substr(0, f.find('|'));
        if (name.size() > 6 && name.substr(name.size() - 6) == "_as_of") {
            pqxx::work tx(c);
            tx.exec0("SET LOCAL ROLE marin_reader");
            EXPECT_NO_THROW(tx.exec("SELECT * FROM marin." + name + "(now(), true) LIMIT 1")) << name;
        }
    }
    for (const std::string sql :
         {"CREATE TABLE marin.analyst_scratch (x int)", "CREATE VIEW marin.analyst_scratch AS SELECT 1 AS x",
          "CREATE FUNCTION marin.analyst_scratch() RETURNS int LANGUAGE sql AS 'SELECT 1'",
          "CREATE TABLE public.analyst_scratch (x int)", "CREATE SCHEMA analyst_scratch",
          "COMMENT ON TABLE marin.campaigns IS 'changed'", "CREATE INDEX analyst_scratch ON marin.campaigns (name)"})
        EXPECT_TRUE(refused(c, sql, why)) << sql << ": " << why;
}

// Migrating again (another database of the same cluster, the role already
// there) must neither fail nor grant more.
TEST(AnalystRole, SecondDatabaseMigratesWithTheExistingRole) {
    test::TestDatabase first("analyst_role_a"), second("analyst_role_b");
    ASSERT_NO_FATAL_FAILURE(migrate(first.dsn()));
    ASSERT_NO_FATAL_FAILURE(migrate(second.dsn()));
    pqxx::connection c(second.dsn());
    pqxx::read_transaction tx(c);
    EXPECT_TRUE(tx.exec1("SELECT has_table_privilege('marin_reader', 'marin.advertiser_stats_weekly', 'SELECT')")[0]
                    .as<bool>());
    EXPECT_TRUE(tx.exec1("SELECT has_table_privilege('marin_reader', 'marin.ad_stats_daily', 'SELECT')")[0].as<bool>());
    EXPECT_FALSE(
        tx.exec1("SELECT has_table_privilege('marin_reader', 'marin.ad_stats_daily', 'INSERT')")[0].as<bool>());
}

// The setup docs/analyst-queries.md gives operators who create roles by
// hand: migrate runs as a plain role (no CREATEROLE) that owns schema marin
// and has CONNECT, TEMPORARY and CREATE on the database; marin_reader,
// made beforehand by the operator, gets its grants from migrate.
TEST(AnalystRole, MigrateAsAPlainRoleGrantsTheExistingReader) {
    const std::string owner = "analyst_owner_" + std::to_string(::getpid());
    {
        pqxx::connection c(test::admin_dsn());
        pqxx::nontransaction tx(c);
        tx.exec0(
            "DO $$ BEGIN CREATE ROLE marin_reader NOLOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
        tx.exec0("CREATE ROLE " + tx.quote_name(owner) + " LOGIN");
    }
    {
        test::TestDatabase db("analyst_plain");
        {
            pqxx::connection c(db.dsn());
            pqxx::nontransaction tx(c);
            tx.exec0("CREATE SCHEMA marin AUTHORIZATION " + tx.quote_name(owner));
            tx.exec0("GRANT CONNECT, TEMPORARY, CREATE ON DATABASE " + tx.quote_name(db.name()) + " TO " +
                     tx.quote_name(owner));
        }
        std::string dsn = db.dsn();
        const auto at = dsn.find("postgres@");
        ASSERT_NE(at, std::string::npos) << dsn;
        dsn.replace(at, 8, owner);
        ASSERT_NO_FATAL_FAILURE(migrate(dsn));
        pqxx::connection c(db.dsn());
        pqxx::read_transaction tx(c);
        EXPECT_FALSE(
            tx.exec_params1("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = $1", owner)[0].as<bool>());
        EXPECT_TRUE(tx.exec1("SELECT has_table_privilege('marin_reader', 'marin.ad_stats_daily_named', 'SELECT')")[0]
                        .as<bool>());
        EXPECT_TRUE(tx.exec1("SELECT has_table_privilege('marin_reader', 'marin.campaigns', 'SELECT')")[0].as<bool>());
        EXPECT_FALSE(tx.exec1("SELECT has_table_privilege('marin_reader', 'marin.campaigns', 'UPDATE')")[0].as<bool>());
        // Default privileges: what a later migration creates is readable too.
        EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM pg_default_acl d JOIN pg_roles r ON r.oid = d.defaclrole "
                                  "WHERE r.rolname = $1 AND d.defaclnamespace = 'marin'::regnamespace "
                                  "AND array_to_string(d.defaclacl, ',') LIKE '%marin_reader=r/%'",
                                  owner)[0]
                      .as<int>(),
                  1);
    }
    pqxx::connection c(test::admin_dsn());
    pqxx::nontransaction tx(c);
    tx.exec0("DROP ROLE " + tx.quote_name(owner));
}

// ---------------------------------------------------------------------------
// The sample queries against the simulator's totals

TEST(AnalystFigures, SampleQueriesEqualSimulatorTotalsOnTheExpectedState) {
    Simulator sim({.scale = "small", .seed = 42, .key = "analyst-key", .extra_args = {"--today", sim_today}});
    test::TestDatabase db("analyst_expected");
    ASSERT_NO_FATAL_FAILURE(migrate(db.dsn()));
    load_expected_state(db.dsn(), sim);
    check_sample_queries_against_simulator(db.dsn(), sim);

    // One version per campaign: the budget history is the current budget,
    // and the campaigns as of now are the listed ones.
    const auto listed = listed_campaign_budgets(sim);
    ASSERT_FALSE(listed.empty());
    const auto& [some_campaign, budget] = *listed.begin();
    EXPECT_EQ(budget_history(db.dsn(), some_campaign), std::vector<std::int64_t>{budget});
    EXPECT_EQ(campaigns_on_a_day(db.dsn(), "infinity"), listed);
    EXPECT_TRUE(campaigns_on_a_day(db.dsn(), "2000-01-01 00:00:00+00").empty());
}

// The same through the real sync, and history across an epoch.
TEST(AnalystFigures, SampleQueriesEqualSimulatorTotalsAfterSync) {
    // Not pinned: marin-sync asks for the statistics of the days before the
    // real date, so the simulator's days must be the real ones.
    Simulator sim({.scale = "small", .seed = 42, .key = "analyst-key", .extra_args = {}});
    test::TestDatabase db("analyst_sync");
    e2e::SyncEnv env;
    env.api_url = sim.url();
    env.key = sim.key();
    env.dsn = db.dsn();
    env.config_file = e2e::write_config("[api]\nmax_attempts = 10\nbackoff_initial_ms = 20\nbackoff_max_ms = 200\n");
    auto r = e2e::run_sync(env, {"migrate"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    r = e2e::run_sync(env, {"sync", "--full"});
    ASSERT_EQ(r.exit_code, 0) << "sync --full failed (the sync engine is required here):\n" << r.output;

    const auto before = listed_campaign_budgets(sim);
    std::string between;
    {
        pqxx::connection c(db.dsn());
        pqxx::nontransaction tx(c);
        between = tx.exec1("SELECT clock_timestamp()::text")[0].as<std::string>();
    }
    EXPECT_EQ(campaigns_on_a_day(db.dsn(), between), before);

    sim.epoch();
    r = e2e::run_sync(env, {"sync", "--full"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    check_sample_queries_against_simulator(db.dsn(), sim);

    // A campaign whose budget the epoch changed: both budgets, in order.
    const auto after = listed_campaign_budgets(sim);
    std::string changed;
    for (const auto& [id, budget] : after)
        if (before.count(id) && before.at(id) != budget) changed = id;
    ASSERT_FALSE(changed.empty()) << "the epoch changed no campaign's budget";
    EXPECT_EQ(budget_history(db.dsn(), changed), (std::vector<std::int64_t>{before.at(changed), after.at(changed)}));
    // The campaigns as they were between the syncs are the ones listed then.
    EXPECT_EQ(campaigns_on_a_day(db.dsn(), between), before);
    EXPECT_EQ(campaigns_on_a_day(db.dsn(), "infinity"), after);
}

}  // namespace
}  // namespace marin::analyst
