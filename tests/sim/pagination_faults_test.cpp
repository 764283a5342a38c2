// The pagination faults (issue 7, "API faults"): a next URL looping back, a
// next URL on another server, a total that drifts, pages repeating records of
// the page before, a listing that fails for good from a page on. Each is off
// by default, settable on the command line and through /_sim/faults, and
// leaves the answers byte-identical once turned off.
#include <csignal>
#include <cstdio>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_test_support.hpp"

namespace marin::sim::test {
namespace {

json::object set_faults(Client& c, const std::string& query) {
    const auto r = c.get(with_key(query.empty() ? "/_sim/faults" : "/_sim/faults?" + query), http::verb::post);
    EXPECT_EQ(r.status, 200u) << query << ": " << r.body;
    return r.status == 200 ? r.json().as_object() : json::object{};
}

std::string id_of(const json::value& record) {
    const auto& id = record.as_object().at("id");
    return id.is_string() ? str(id) : json::serialize(id);
}

struct Walk {
    std::vector<std::string> ids;      // in the order served, repeats included
    std::vector<std::int64_t> totals;  // range.total of each page
    std::vector<json::object> ranges;
    std::size_t pages = 0;
};

// Follows `next` (at most 100 pages) without the checks of read_listing,
// which a faulty listing is meant to fail.
Walk walk(Client& c, const std::string& target) {
    Walk out;
    Reply r = c.get(with_key(target));
    for (int guard = 0; guard < 100; ++guard) {
        EXPECT_EQ(r.status, 200u) << r.body;
        if (r.status != 200) break;
        const auto doc = r.json().as_object();
        ++out.pages;
        for (const auto& d : doc.at("data").as_array()) out.ids.push_back(id_of(d));
        const auto& range = doc.at("range").as_object();
        out.ranges.push_back(range);
        out.totals.push_back(range.at("total").to_number<std::int64_t>());
        if (!range.at("next").is_string()) break;
        // Keeps the page size, which the default (reference) next drops.
        const std::string next(range.at("next").as_string());
        r = c.get_url(next.find("limit=") == std::string::npos
                          ? next + "&limit=" + std::to_string(range.at("limit").to_number<std::int64_t>())
                          : next);
    }
    return out;
}

class SimPaginationFaults : public ::testing::Test {
  protected:
    RunningSim running{config_for(Scale::tiny)};
    Client c{running.port()};
};

TEST_F(SimPaginationFaults, OffByDefaultAndByteIdenticalOnceReset) {
    const auto before = c.get(with_key("/campaigns?limit=3&page=2")).body;
    const auto stats_before = c.get(with_key("/clients/50001/statistics?level=ad&aggregate=day&limit=4&page=2")).body;
    const auto shown = set_faults(c, "");
    for (const char* p : {"pnext_loop", "ptotal_drift", "prepeat"})
        EXPECT_EQ(shown.at(p).to_number<double>(), 0.0) << p;
    EXPECT_EQ(str(shown.at("next_host")), "");
    EXPECT_EQ(str(shown.at("fail_prefix")), "");
    set_faults(c, "pnext_loop=1&ptotal_drift=1&prepeat=1&next_host=127.0.0.1:9&fail_prefix=/accounts");
    EXPECT_NE(c.get(with_key("/campaigns?limit=3&page=2")).body, before);
    set_faults(c, "reset=1");
    EXPECT_EQ(c.get(with_key("/campaigns?limit=3&page=2")).body, before);
    EXPECT_EQ(c.get(with_key("/clients/50001/statistics?level=ad&aggregate=day&limit=4&page=2")).body, stats_before);
}

TEST_F(SimPaginationFaults, NextLoopsBackToPageOne) {
    set_faults(c, "pnext_loop=1");
    for (int page : {1, 2, 3}) {
        const auto doc = c.get(with_key("/campaigns?limit=2&page=" + std::to_string(page))).json().as_object();
        const std::string next(doc.at("range").at("next").as_string());
        EXPECT_NE(next.find("&page=1"), std::string::npos) << next;
        EXPECT_EQ(doc.at("range").at("page").as_int64(), page);
        EXPECT_EQ(doc.at("data").as_array().size(), 2u) << "the records are not touched";
    }
    // The last page still has no next.
    const auto last = c.get(with_key("/campaigns?limit=300")).json().as_object();
    EXPECT_TRUE(last.at("range").at("next").is_null());
}

TEST_F(SimPaginationFaults, NextOnAnotherHostKeepsPathQueryAndKey) {
    set_faults(c, "next_host=127.0.0.1:9");
    const auto doc = c.get(with_key("/clients/50001/statistics?level=ad&aggregate=day&limit=2")).json().as_object();
    const std::string next(doc.at("range").at("next").as_string());
    EXPECT_EQ(next.rfind("http://127.0.0.1:9/clients/50001/statistics?", 0), 0u) << next;
    EXPECT_NE(next.find("level=ad"), std::string::npos) << next;
    EXPECT_NE(next.find(std::string("key=") + test_key), std::string::npos) << next;
    EXPECT_NE(next.find("page=2"), std::string::npos) << next;
    for (const char* bad : {"next_host=nohostport", "next_host=:80", "next_host=h:", "next_host=h:8x",
                            "next_host=h/x:80", "next_host=u@h:80"})
        EXPECT_EQ(c.get(with_key(std::string("/_sim/faults?") + bad)).status, 400u) << bad;
    EXPECT_EQ(str(set_faults(c, "next_host=").at("next_host")), "") << "an empty value turns it off";
}

TEST_F(SimPaginationFaults, TotalDriftsButTheRecordsAndTheirEndDoNot) {
    const auto clean = walk(c, "/campaigns?limit=2");
    ASSERT_GE(clean.pages, 3u);
    const auto real_total = clean.totals.front();
    set_faults(c, "ptotal_drift=1");
    std::set<std::int64_t> totals_seen;
    bool past_the_end = false;
    for (int round = 0; round < 20 && !(past_the_end && totals_seen.size() >= 3); ++round) {
        const auto drift = walk(c, "/campaigns?limit=2");
        // Every record exactly once, in order; only empty pages beyond them.
        EXPECT_EQ(drift.ids, clean.ids);
        for (auto t : drift.totals) totals_seen.insert(t);
        for (const auto& range : drift.ranges) {
            EXPECT_NE(range.at("total").to_number<std::int64_t>(), real_total);
            if (range.at("page").to_number<std::int64_t>() > static_cast<std::int64_t>(clean.pages)) {
                past_the_end = true;
                EXPECT_EQ(range.at("results").to_number<std::int64_t>(), 0);
            }
        }
    }
    EXPECT_GE(totals_seen.size(), 3u) << "the total moves between pages";
    EXPECT_TRUE(totals_seen.count(real_total) == 0);
    EXPECT_TRUE(past_the_end) << "a grown total promises a page past the end now and then";
}

TEST_F(SimPaginationFaults, PagesRepeatTheLastRecordsOfThePageBefore) {
    const auto clean = walk(c, "/campaigns?limit=3");
    ASSERT_GE(clean.pages, 2u);
    set_faults(c, "prepeat=1&repeat_count=2");
    const auto page1 = c.get(with_key("/campaigns?limit=3&page=1")).json().as_object();
    const auto page2 = c.get(with_key("/campaigns?limit=3&page=2")).json().as_object();
    const auto& d1 = page1.at("data").as_array();
    const auto& d2 = page2.at("data").as_array();
    ASSERT_EQ(d1.size(), 3u) << "page 1 has no page before it";
    ASSERT_GE(d2.size(), 3u);
    EXPECT_EQ(d2.at(0), d1.at(1));
    EXPECT_EQ(d2.at(1), d1.at(2));
    EXPECT_EQ(page2.at("range").at("results").as_int64(), static_cast<std::int64_t>(d2.size()));

    const auto repeated = walk(c, "/campaigns?limit=3");
    const std::set<std::string> clean_ids(clean.ids.begin(), clean.ids.end());
    const std::set<std::string> repeated_ids(repeated.ids.begin(), repeated.ids.end());
    EXPECT_EQ(repeated_ids, clean_ids) << "repeats, never a record lost or invented";
    EXPECT_EQ(repeated.ids.size(), clean.ids.size() + 2 * (clean.pages - 1));
    // A page past the end stays empty.
    const auto past = c.get(with_key("/campaigns?limit=3&page=50")).json().as_object();
    EXPECT_TRUE(past.at("data").as_array().empty());
    EXPECT_EQ(c.get(with_key("/_sim/faults?repeat_count=0")).status, 400u);
    EXPECT_EQ(c.get(with_key("/_sim/faults?repeat_count=301")).status, 400u);
}

TEST_F(SimPaginationFaults, AListingFailsForGoodFromAPageOn) {
    set_faults(c, "fail_prefix=/clients/50001/campaigns&fail_from_page=2&fail_status=503");
    EXPECT_EQ(c.get(with_key("/clients/50001/campaigns?limit=1")).status, 200u);
    for (int i = 0; i < 3; ++i) {
        const auto r = c.get(with_key("/clients/50001/campaigns?limit=1&page=2"));
        EXPECT_EQ(r.status, 503u);
        EXPECT_NE(r.body.find("message"), std::string::npos) << r.body;
    }
    EXPECT_EQ(c.get(with_key("/clients/50001/campaigns?limit=1&page=3")).status, 503u);
    EXPECT_EQ(c.get(with_key("/clients/50001?page=2")).status, 200u) << "above the prefix";
    EXPECT_EQ(c.get(with_key("/clients/50002/campaigns?limit=1&page=2")).status, 200u) << "another listing";
    const auto counters = c.get(with_key("/_sim/counters")).json().as_object();
    EXPECT_EQ(counters.at("endpoints").at("/clients/{id}/campaigns").at("503").as_int64(), 4);

    set_faults(c, "reset=1&fail_prefix=/clients/5000");
    EXPECT_EQ(c.get(with_key("/clients/50001/campaigns")).status, 200u) << "a prefix matches whole segments";
    set_faults(c, "reset=1&fail_prefix=/accounts&fail_status=404");
    EXPECT_EQ(c.get(with_key("/accounts")).status, 404u);
    EXPECT_EQ(c.get(with_key("/accounts/1001/audiences")).status, 404u);
    EXPECT_EQ(c.get(with_key("/advertisers")).status, 200u);
    for (const char* bad : {"fail_status=200", "fail_status=600", "fail_from_page=0", "fail_prefix=accounts"})
        EXPECT_EQ(c.get(with_key(std::string("/_sim/faults?") + bad)).status, 400u) << bad;
}

// The same faults from the command line.
TEST(SimPaginationFaultsCli, FlagsSetTheFaultsAndBadOnesExitTwo) {
    const auto run = spawn_sim;
    std::string line;
    pid_t pid = -1;
    ASSERT_EQ(run({"--port",         "0",           "--key",          test_key, "--pnext-loop",     "1",
                   "--next-host",    "127.0.0.1:9", "--ptotal-drift", "0.5",    "--prepeat",        "0.25",
                   "--repeat-count", "4",           "--fail-prefix",  "/users", "--fail-from-page", "3",
                   "--fail-status",  "502"},
                  &line, &pid),
              0);
    const auto pos = line.find("127.0.0.1:");
    ASSERT_NE(pos, std::string::npos) << line;
    Client c(static_cast<std::uint16_t>(std::stoi(line.substr(pos + 10))));
    const auto f = c.get(with_key("/_sim/faults")).json().as_object();
    EXPECT_EQ(f.at("pnext_loop").to_number<double>(), 1.0);
    EXPECT_EQ(str(f.at("next_host")), "127.0.0.1:9");
    EXPECT_EQ(f.at("ptotal_drift").to_number<double>(), 0.5);
    EXPECT_EQ(f.at("prepeat").to_number<double>(), 0.25);
    EXPECT_EQ(f.at("repeat_count").as_int64(), 4);
    EXPECT_EQ(str(f.at("fail_prefix")), "/users");
    EXPECT_EQ(f.at("fail_from_page").as_int64(), 3);
    EXPECT_EQ(f.at("fail_status").as_int64(), 502);
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);

    for (std::vector<std::string> bad :
         {std::vector<std::string>{"--next-host", "nope"}, std::vector<std::string>{"--fail-prefix", "users"},
          std::vector<std::string>{"--fail-status", "302"}}) {
        bad.insert(bad.begin(), {"--port", "0"});
        ASSERT_EQ(run(bad, &line, &pid), 0);
        status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << bad[2] << " " << bad[3];
        EXPECT_TRUE(line.find("next_host") != std::string::npos || line.find("fail") != std::string::npos) << line;
    }
}

}  // namespace
}  // namespace marin::sim::test
