// The statistics roll-ups (issue 16) against their rows, through the real
// binaries: after a first load, after an epoch with restatements and
// removals, after a run killed with SIGKILL while it wrote statistics, and
// after the run that resumes it, every roll-up view equals what the views
// of sql/002 computed from the ad rows at query time (written out again here
// over marin.ad_stats_daily: count(DISTINCT ...), sums per week), the roll-up
// tables equal the sums of their rows, and the typed main_metrics columns
// equal what SQL reads from _raw.
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "e2e/harness.hpp"

namespace marin::analyst {
namespace {

using namespace std::chrono_literals;

// The ad rows with names, as sql/002 had ad_stats_daily_named (conversions
// from the typed columns, which the check below ties to _raw).
const std::string named_rows = R"sql(
SELECT s.date, marin.reporting_week_start(s.date, adv.reporting_week) AS week_start, s.ad_id,
       s.campaign_id, c.name AS campaign_name, s.media_plan_id, mp.name AS media_plan_name,
       mp.advertiser_id, adv.name AS advertiser_name, coalesce(adv.reporting_week, 'Sunday_Saturday') AS reporting_week,
       mp.account_id, acc.name AS account_name, coalesce(acc.src, mp.src) AS network,
       coalesce(acc.currency, adv.currency) AS currency,
       s.impressions, s.clicks, s.link_clicks, s.app_installs + s.app_purchases + s.leads AS conversions,
       s.spent, s.income
FROM marin.ad_stats_daily s
LEFT JOIN marin.campaigns c ON c.id = s.campaign_id
LEFT JOIN marin.media_plans mp ON mp.id = s.media_plan_id
LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id
LEFT JOIN marin.accounts acc ON acc.id = mp.account_id)sql";

const std::string sums = R"sql(
       sum(impressions)::bigint AS impressions, sum(clicks)::bigint AS clicks, sum(link_clicks) AS link_clicks,
       sum(conversions) AS conversions, sum(spent) AS spent, sum(income) AS income,
       sum(clicks) * 100.0 / nullif(sum(impressions), 0) AS ctr,
       sum(link_clicks) * 100.0 / nullif(sum(impressions), 0) AS ctr_links,
       sum(conversions) * 100.0 / nullif(sum(clicks), 0) AS conv_rate,
       sum(conversions) * 100.0 / nullif(sum(link_clicks), 0) AS conv_rate_links,
       sum(spent) / nullif(sum(clicks), 0) AS cpc, sum(spent) * 1000.0 / nullif(sum(impressions), 0) AS cpm,
       sum(spent) / nullif(sum(conversions), 0) AS cpa,
       (sum(income) - sum(spent)) * 100.0 / nullif(sum(spent), 0) AS roi)sql";

struct Expected {
    std::string view;
    std::string query;  // the view's columns, in its order, from the ad rows
};

std::vector<Expected> expected_views() {
    const std::string from = "\nFROM (" + named_rows + ") n\nGROUP BY ";
    return {
        {"campaign_stats_daily",
         "SELECT date, week_start, campaign_id, campaign_name, media_plan_id, media_plan_name, advertiser_id, "
         "advertiser_name, reporting_week, account_id, account_name, network, currency, count(*) AS ads," +
             sums + from +
             "date, week_start, campaign_id, campaign_name, media_plan_id, media_plan_name, advertiser_id, "
             "advertiser_name, reporting_week, account_id, account_name, network, currency"},
        {"media_plan_stats_daily",
         "SELECT date, week_start, media_plan_id, media_plan_name, advertiser_id, advertiser_name, reporting_week, "
         "account_id, account_name, network, currency, count(*) AS ads," +
             sums + from +
             "date, week_start, media_plan_id, media_plan_name, advertiser_id, advertiser_name, reporting_week, "
             "account_id, account_name, network, currency"},
        {"advertiser_stats_daily",
         "SELECT date, week_start, advertiser_id, advertiser_name, reporting_week, currency, "
         "count(DISTINCT media_plan_id), count(*) AS ads," +
             sums + from + "date, week_start, advertiser_id, advertiser_name, reporting_week, currency"},
        {"campaign_stats_weekly",
         "SELECT week_start, week_start + 6, campaign_id, campaign_name, media_plan_id, media_plan_name, "
         "advertiser_id, advertiser_name, reporting_week, account_id, account_name, network, currency, "
         "count(DISTINCT date), count(DISTINCT ad_id)," +
             sums + from +
             "week_start, campaign_id, campaign_name, media_plan_id, media_plan_name, advertiser_id, "
             "advertiser_name, reporting_week, account_id, account_name, network, currency"},
        {"media_plan_stats_weekly",
         "SELECT week_start, week_start + 6, media_plan_id, media_plan_name, advertiser_id, advertiser_name, "
         "reporting_week, account_id, account_name, network, currency, count(DISTINCT date), "
         "count(DISTINCT ad_id)," +
             sums + from +
             "week_start, media_plan_id, media_plan_name, advertiser_id, advertiser_name, reporting_week, "
             "account_id, account_name, network, currency"},
        {"advertiser_stats_weekly",
         "SELECT week_start, week_start + 6, advertiser_id, advertiser_name, reporting_week, currency, "
         "count(DISTINCT date), count(DISTINCT media_plan_id), count(DISTINCT ad_id)," +
             sums + from + "week_start, advertiser_id, advertiser_name, reporting_week, currency"},
    };
}

// Rows in one and not the other (both ways), for each roll-up view, the
// roll-up tables against their rows, and the typed columns against _raw;
// "" when all agree.
std::string rollup_differences(const std::string& dsn) {
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::string out;
    for (const auto& e : expected_views()) {
        const std::string view = "SELECT * FROM marin." + e.view;
        const auto n = tx.exec1("SELECT (SELECT count(*) FROM (" + view + " EXCEPT ALL " + e.query +
                                ") a), (SELECT count(*) FROM (" + e.query + " EXCEPT ALL " + view +
                                ") b), (SELECT count(*) FROM marin." + e.view + ")");
        if (n[0].as<long>() != 0 || n[1].as<long>() != 0)
            out += e.view + ": " + n[0].c_str() + " rows not from the ad rows, " + n[1].c_str() +
                   " rows of the ad rows missing (of " + n[2].c_str() + ")\n";
        if (n[2].as<long>() == 0) out += e.view + " is empty\n";
    }
    const auto tables = tx.exec1(R"sql(
SELECT (SELECT count(*) FROM (
           SELECT date, campaign_id, media_plan_id, count(*)::int, sum(impressions)::bigint, sum(clicks)::bigint,
                  sum(spent), sum(income) FROM marin.ad_stats_daily GROUP BY 1, 2, 3
           EXCEPT ALL
           SELECT date, campaign_id, media_plan_id, ads_with_activity, impressions, clicks, spent, income
           FROM marin.campaign_stats_daily_rollup) a),
       (SELECT count(*) FROM (
           SELECT date, campaign_id, media_plan_id, ads_with_activity, impressions, clicks, spent, income
           FROM marin.campaign_stats_daily_rollup
           EXCEPT ALL
           SELECT date, campaign_id, media_plan_id, count(*)::int, sum(impressions)::bigint, sum(clicks)::bigint,
                  sum(spent), sum(income) FROM marin.ad_stats_daily GROUP BY 1, 2, 3) b),
       (SELECT count(*) FROM (
           SELECT date, media_plan_id, count(*)::int, sum(impressions)::bigint, sum(spent)
           FROM marin.ad_stats_daily GROUP BY 1, 2
           EXCEPT ALL
           SELECT date, media_plan_id, ads_with_activity, impressions, spent FROM marin.media_plan_stats_daily_rollup
           UNION ALL
           (SELECT date, media_plan_id, ads_with_activity, impressions, spent FROM marin.media_plan_stats_daily_rollup
            EXCEPT ALL
            SELECT date, media_plan_id, count(*)::int, sum(impressions)::bigint, sum(spent)
            FROM marin.ad_stats_daily GROUP BY 1, 2)) c),
       (SELECT count(*) FROM marin.ad_stats_daily
        WHERE link_clicks IS DISTINCT FROM marin.main_metric_number(_raw -> 'main_metrics', 'link_click')
           OR app_installs IS DISTINCT FROM marin.main_metric_number(_raw -> 'main_metrics', 'mobile_app_install')
           OR app_purchases IS DISTINCT FROM
              marin.main_metric_number(_raw -> 'main_metrics', 'app_custom_event.fb_mobile_purchase')
           OR leads IS DISTINCT FROM marin.main_metric_number(_raw -> 'main_metrics', 'leadgen.other')),
       (SELECT count(*) FROM marin.ad_stats_daily))sql");
    if (tables[0].as<long>() || tables[1].as<long>())
        out += std::string("campaign_stats_daily_rollup: ") + tables[0].c_str() + " sums of rows not in it, " +
               tables[1].c_str() + " rows that are no sums\n";
    if (tables[2].as<long>())
        out += std::string("media_plan_stats_daily_rollup: ") + tables[2].c_str() + " differences\n";
    if (tables[3].as<long>())
        out += std::string(tables[3].c_str()) + " statistics rows whose main_metrics columns differ from _raw\n";
    if (tables[4].as<long>() == 0) out += "no statistics rows\n";
    return out;
}

std::int64_t scalar(const std::string& dsn, const std::string& sql) {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    return tx.exec1(sql)[0].as<std::int64_t>();
}

TEST(AnalystRollups, EqualTheirRowsAfterLoadEpochCrashAndResume) {
    // Its days end before the real today even after three epochs (the sync
    // asks for statistics up to the real date).
    e2e::Simulator sim(e2e::sim_options("small", 16, {"--today", e2e::days_ago(5)}));
    test::TestDatabase db("analyst_rollups");
    e2e::SyncEnv env;
    env.api_url = sim.url();
    env.key = sim.key();
    env.dsn = db.dsn();
    env.config_file = e2e::write_config(e2e::fast_retries_toml);
    auto r = e2e::run_sync(env, {"migrate"});
    ASSERT_EQ(r.exit_code, 0) << r.output;

    r = e2e::run_sync(env, {"sync", "--full"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(rollup_differences(db.dsn()), "") << "after the first load";

    // Restated days and removed objects.
    const auto history_before = scalar(db.dsn(), "SELECT count(*) FROM marin.ad_stats_daily_history");
    sim.epoch();
    r = e2e::run_sync(env, {"sync", "--full"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_GT(scalar(db.dsn(), "SELECT count(*) FROM marin.ad_stats_daily_history"), history_before)
        << "the epoch restated no statistics row";
    EXPECT_GT(scalar(db.dsn(), "SELECT count(*) FROM marin.ads WHERE _removed_at IS NOT NULL"), 0)
        << "the epoch removed no ad";
    EXPECT_EQ(rollup_differences(db.dsn()), "") << "after an epoch";

    // Killed while it writes statistics: once the run has changed some.
    sim.epoch();
    const auto run_started = scalar(db.dsn(), "SELECT coalesce(max(run_id), 0) FROM marin.sync_runs");
    auto p = e2e::start_sync(env, {"sync", "--full"});
    const auto deadline = std::chrono::steady_clock::now() + 5min;
    const std::string written_by_the_run =
        "SELECT count(*) FROM marin.ad_stats_daily WHERE _synced_at > (SELECT started_at FROM marin.sync_runs "
        "WHERE run_id = " +
        std::to_string(run_started + 1) + ")";
    while (p->running() && std::chrono::steady_clock::now() < deadline) {
        if (scalar(db.dsn(), "SELECT count(*) FROM marin.sync_runs WHERE run_id = " + std::to_string(run_started + 1)) >
                0 &&
            scalar(db.dsn(), written_by_the_run) > 0)
            break;
        std::this_thread::sleep_for(5ms);
    }
    p->kill(SIGKILL);
    const auto killed = p->wait();
    ASSERT_EQ(killed.exit_code, -SIGKILL) << "the run ended before it was killed:\n" << killed.output;
    EXPECT_GT(scalar(db.dsn(), written_by_the_run), 0);
    EXPECT_EQ(rollup_differences(db.dsn()), "") << "after a run killed while writing statistics";

    // The next run resumes and completes.
    r = e2e::run_sync(env, {"sync", "--full"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(rollup_differences(db.dsn()), "") << "after the resumed run";
    const auto diff = e2e::compare_mirror(db.dsn(), sim);
    EXPECT_EQ(diff.problem_count, 0u) << e2e::describe(diff);
}

}  // namespace
}  // namespace marin::analyst
