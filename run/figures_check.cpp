// The figures check: the API's period totals (JSON pages) against the mirror's sums.
#include "figures_check.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "marin/sync/page_reader.hpp"

namespace marin::run {

namespace asio = boost::asio;

namespace {

long double number_of(const boost::json::object& row, std::string_view field) {
    auto it = row.find(field);
    if (it == row.end()) return 0;
    const auto& v = it->value();
    if (v.is_number()) return static_cast<long double>(v.to_number<double>());
    if (v.is_string()) return std::strtold(std::string(v.get_string()).c_str(), nullptr);
    return 0;
}

}  // namespace

// Days before the window's first day are buckets it may cut, as in the crawl.
asio::awaitable<std::vector<PeriodTotals>> fetch_period_totals(sync::ApiClient& api, std::vector<std::string> sample,
                                                               model::StatsWindow window,
                                                               std::shared_ptr<spdlog::logger> log) {
    std::vector<PeriodTotals> out;
    for (const auto& mp : sample) {
        PeriodTotals t;
        t.media_plan_id = mp;
        sync::QueryParams query = {{"level", "client"},
                                   {"aggregate", "day"},
                                   {"start_date", std::to_string(window.start)},
                                   {"end_date", std::to_string(window.end)}};
        const std::string path = "/clients/" + mp + "/statistics";
        try {
            sync::PageReader reader(api, path, std::move(query), "/clients/{id}/statistics");
            bool dated = true;
            while (auto page = co_await reader.next()) {
                for (const auto& row : page->data) {
                    if (!row.is_object()) continue;
                    const auto& o = row.get_object();
                    const auto* date = o.if_contains("date");
                    if (!date || !date->is_string()) {
                        dated = false;
                        continue;
                    }
                    const std::string day(date->get_string());
                    if (day < window.from || day > window.to) continue;
                    t.impressions += static_cast<std::int64_t>(number_of(o, "impression"));
                    t.clicks += static_cast<std::int64_t>(number_of(o, "click"));
                    t.spent += number_of(o, "spent");
                }
            }
            if (!dated) throw std::runtime_error("its level=client rows carry no date");
            t.spent_text = fmt::format("{:.2f}", static_cast<double>(t.spent));
            out.push_back(std::move(t));
        } catch (const std::exception& e) {
            log->warn("figures check: cannot read the daily totals of media plan {}: {}", mp, e.what());
        }
    }
    co_return out;
}

std::size_t check_figures(storage::RunLog& runs, std::int64_t run_id, const model::StatsWindow& window,
                          const std::vector<PeriodTotals>& api_totals, const std::shared_ptr<spdlog::logger>& log) {
    std::size_t disagreeing = 0;
    try {
        boost::json::array check;
        for (const auto& t : api_totals) {
            const auto sums = runs.media_plan_stats_sums(t.media_plan_id, window.from, window.to);
            // Counts must match exactly; money to the cent.
            const bool agree =
                std::to_string(t.impressions) == sums.impressions && std::to_string(t.clicks) == sums.clicks &&
                std::fabs(static_cast<double>(t.spent - std::strtold(sums.spent.c_str(), nullptr))) < 0.005;
            if (!agree) {
                ++disagreeing;
                log->warn(
                    "figures check: media plan {} from {} to {} disagrees: the API's level=client figures are "
                    "{} impressions, {} clicks, {} spent; the mirror's ad-level rows sum to {}, {}, {}",
                    t.media_plan_id, window.from, window.to, t.impressions, t.clicks, t.spent_text, sums.impressions,
                    sums.clicks, sums.spent);
            }
            check.push_back(boost::json::object{
                {"media_plan_id", t.media_plan_id},
                {"from", window.from},
                {"to", window.to},
                {"api", {{"impressions", t.impressions}, {"clicks", t.clicks}, {"spent", t.spent_text}}},
                {"mirror",
                 {{"impressions", std::stoll(sums.impressions)},
                  {"clicks", std::stoll(sums.clicks)},
                  {"spent", sums.spent}}},
                {"agree", agree}});
        }
        runs.record_stats_check(run_id, boost::json::serialize(check));
        log->info("figures check: {} of {} sampled media plans agree with the API's totals",
                  std::count_if(check.begin(), check.end(), [](const auto& c) { return c.at("agree").as_bool(); }),
                  check.size());
    } catch (const std::exception& e) {
        log->warn("figures check failed: {}", e.what());
    }
    return disagreeing;
}

}  // namespace marin::run
